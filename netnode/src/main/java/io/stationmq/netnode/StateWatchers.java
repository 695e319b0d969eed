package io.stationmq.netnode;

import java.util.List;
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
    this.lane = new SerialExecutor(workers);
  }

  void add(String pattern, StateListener listener) {
    watches.add(new Watch(pattern, Objects.requireNonNull(listener, "listener")));
  }

  /** Queues the calls for {@code owner}'s {@code changes}, then {@code resynced} for a snapshot ({@code snapshotSeq >= 0}). */
  void announce(String owner, List<StateChange> changes, long snapshotSeq) {
    for (Watch w : watches) {
      if (!w.pattern().equals(StateService.ALL) && !w.pattern().equals(owner)) {
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
