package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands the intake's messages to the workers, in arrival order, and sends the confirmations of
 * those handled. Without a durable de-duplication window a message goes to its worker at once
 * (held back while its lane is full, and the endpoint reads nothing more meanwhile) and a
 * confirmation leaves at once.
 *
 * <p>With one ({@link DedupJournal}), each visit of the socket loop ends with {@link
 * #recordTurn()} (the messages about to go to the workers are recorded as handling), one commit
 * of the store (by the intake, covering the handled records of the visit too), and {@link
 * #afterCommit()}: only then do the confirmations leave and the messages go to their workers. So a message is on record as handling before its listen
 * runs and as handled before its confirmation leaves. At most {@code maxWithWorkers} recorded
 * messages are with the workers at a time (queued or running): a crash leaves at most that many
 * in doubt ({@link Deduplicator.Seen#CRASHED}); the rest wait here unrecorded, and a repeat of
 * one of those after a crash is simply new. At most {@code maxHeld} wait here before the
 * endpoint stops reading.
 *
 * <p>Owned by the socket thread; not thread-safe.
 */
final class HandOver {
  /** Sends a confirmation now. */
  interface Confirmer {
    void confirm(Message m, String via);
  }

  private final Dispatcher dispatcher;
  private final Deduplicator dedup;
  private final boolean durable;
  private final int maxWithWorkers;
  private final int maxHeld;
  private final Confirmer confirmer;
  /** Durable only: taken, not yet recorded as handling. */
  private final ArrayDeque<Dispatcher.Inbound> unrecorded = new ArrayDeque<>();
  /** Free to go to the workers (recorded, when durable), oldest first. */
  private final ArrayDeque<Dispatcher.Inbound> ready = new ArrayDeque<>();
  private final List<Dispatcher.Inbound> confirms = new ArrayList<>();
  private int withWorkers;
  private boolean laneFull;

  /** {@code durable}: the de-duplicator has a journal, and what goes out waits for its commit. */
  HandOver(Dispatcher dispatcher, Deduplicator dedup, boolean durable, int maxWithWorkers, int maxHeld,
      Confirmer confirmer) {
    this.dispatcher = dispatcher;
    this.dedup = dedup;
    this.durable = durable;
    this.maxWithWorkers = maxWithWorkers;
    this.maxHeld = maxHeld;
    this.confirmer = confirmer;
  }

  /** A message for the listens. */
  void add(Dispatcher.Inbound in) {
    if (durable) {
      unrecorded.add(in); // flush() records and hands it over
    } else {
      ready.add(in);
      offerReady();
    }
  }

  /** True while a lane is full, or (durable) too many wait: the endpoint reads nothing more. */
  boolean isFull() {
    return laneFull || (durable && unrecorded.size() + ready.size() >= maxHeld);
  }

  /** Offers what is free to go to the workers again. */
  void retry() {
    offerReady();
  }

  /** A worker handled {@code in}: confirm it (durable: once its record is committed). */
  void handled(Dispatcher.Inbound in) {
    dedup.handled(in.message());
    if (durable) {
      withWorkers--;
    }
    confirmWhenRecorded(in);
  }

  /** Confirms {@code in} once what this visit recorded is committed (at once without a durable window). */
  void confirmWhenRecorded(Dispatcher.Inbound in) {
    if (durable) {
      confirms.add(in);
    } else {
      confirmer.confirm(in.message(), in.via());
    }
  }

  /**
   * Durable: records as handling what may go to the workers now (in order, at most
   * maxWithWorkers with them); true when anything of this visit waits for the store's commit.
   */
  boolean recordTurn() {
    if (!durable) {
      return false;
    }
    boolean recorded = false;
    while (!unrecorded.isEmpty() && (withWorkers < maxWithWorkers || !unrecorded.peek().confirm())) {
      Dispatcher.Inbound in = unrecorded.poll();
      if (in.confirm()) {
        dedup.recordHandling(in.message());
        withWorkers++;
        recorded = true;
      }
      ready.add(in);
    }
    return recorded || !confirms.isEmpty();
  }

  /** The visit's records are committed (or the store failed: logged and counted, all goes on): confirm, hand over. */
  void afterCommit() {
    for (Dispatcher.Inbound c : confirms) {
      confirmer.confirm(c.message(), c.via());
    }
    confirms.clear();
    offerReady();
  }

  private void offerReady() {
    while (!ready.isEmpty()) {
      if (!dispatcher.offer(ready.peek())) {
        laneFull = true;
        return;
      }
      ready.poll();
    }
    laneFull = false;
  }

  /** Forgets what never reached a worker (closing): neither handled nor confirmed, so its sender repeats it. */
  void drop() {
    for (Dispatcher.Inbound in : unrecorded) {
      if (in.confirm()) {
        dedup.forget(in.message());
      }
    }
    for (Dispatcher.Inbound in : ready) {
      if (in.confirm()) {
        dedup.forget(in.message());
        withWorkers -= durable ? 1 : 0;
      }
    }
    unrecorded.clear();
    ready.clear();
    laneFull = false;
  }
}
