package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link StateListener}s of one endpoint and the serial lane they run on: {@link #announce}
 * queues the calls for what the replica table just applied, in that order, and a worker runs them
 * one at a time. A listener that throws is logged (rate limited) and counted. Thread-safe. Not
 * public API.
 */
final class StateWatchers {
  private record Watch(String pattern, StateListener listener) {}

  private interface Call {
    void run() throws Exception;
  }

  private final String id;
  private final RateLimitedLog warnings;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final LongAdder errors = new LongAdder();
  private volatile Executor lane;

  StateWatchers(String id, RateLimitedLog warnings) {
    this.id = id;
    this.warnings = warnings;
  }

  /** Starts the lane over the endpoint's workers. */
  void start(Executor workers) {
    this.lane = new SerialLane<Runnable>(workers, null, SerialLane.UNBOUNDED, Runnable::run, null, null)::offer;
  }

  /**
   * Adds a listener and queues for it, first, what the replica already holds of each owner it
   * matches ({@code current}: one snapshot each, as resync changes then {@code resynced}), so a
   * listener added after an owner's state arrived starts from a snapshot like any other. The
   * caller holds the state lock, so nothing applied later is queued before it.
   */
  void add(String pattern, StateListener listener, List<StateTable.Snapshot> current) {
    Watch w = new Watch(pattern, Objects.requireNonNull(listener, "listener"));
    watches.add(w);
    for (StateTable.Snapshot s : current) {
      if (s.seq() < 0 || !matches(w, s.owner())) {
        continue;
      }
      for (Map.Entry<String, JsonNode> e : s.entries().entrySet()) {
        StateChange c = new StateChange(s.owner(), e.getKey(), null, e.getValue(), s.seq(), true);
        lane.execute(() -> call(() -> listener.changed(c)));
      }
      lane.execute(() -> call(() -> listener.resynced(s.owner(), s.seq())));
    }
  }

  private static boolean matches(Watch w, String owner) {
    return w.pattern().equals(StateService.ALL) || w.pattern().equals(owner);
  }

  /** Queues the calls for {@code owner}'s {@code changes}, then {@code resynced} for a snapshot ({@code snapshotSeq >= 0}). */
  void announce(String owner, List<StateChange> changes, long snapshotSeq) {
    for (Watch w : watches) {
      if (!matches(w, owner)) {
        continue;
      }
      for (StateChange c : changes) {
        lane.execute(() -> call(() -> w.listener().changed(c)));
      }
      if (snapshotSeq >= 0) {
        lane.execute(() -> call(() -> w.listener().resynced(owner, snapshotSeq)));
      }
    }
  }

  private void call(Call call) {
    try {
      call.run();
    } catch (Exception | LinkageError | AssertionError e) { // a listener's failure is logged and counted
      errors.increment();
      warnings.warn("{}: a state listener threw: {}", id, e.toString());
    }
  }

  long errors() {
    return errors.sum();
  }
}
