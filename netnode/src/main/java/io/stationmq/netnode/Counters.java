package io.stationmq.netnode;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The engine's counters; written by its threads, read by anyone. Thread-safe. */
final class Counters {
  final LongAdder received = new LongAdder();
  final LongAdder sent = new LongAdder();
  final LongAdder forwarded = new LongAdder();
  final LongAdder dispatched = new LongAdder();
  final LongAdder confirmsSent = new LongAdder();
  final LongAdder confirmsReceived = new LongAdder();
  final LongAdder repeated = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder dedupEvictedEarly = new LongAdder();
  final LongAdder unreachable = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder oversize = new LongAdder();
  final LongAdder handlerErrors = new LongAdder();
  final LongAdder unknownKeys = new LongAdder();
  final LongAdder ttlExpired = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder lateReplies = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder authFailures = new LongAdder();
  final LongAdder handovers = new LongAdder();
  final LongAdder resumed = new LongAdder();
  final LongAdder crashedWhileHandling = new LongAdder();
  final LongAdder storeFailures = new LongAdder();
  final LongAdder droppedDownstream = new LongAdder();
  final AtomicInteger inFlight = new AtomicInteger();
  /** Messages for the listens per key ({@link Endpoint#receivedByKey()}). */
  final KeyCounts byKey = new KeyCounts();

  EndpointStats snapshot() {
    return new EndpointStats(
        received.sum(), sent.sum(), forwarded.sum(), dispatched.sum(), confirmsSent.sum(),
        confirmsReceived.sum(), repeated.sum(), duplicates.sum(), dedupEvictedEarly.sum(), unreachable.sum(),
        malformed.sum(), oversize.sum(), handlerErrors.sum(), unknownKeys.sum(),
        ttlExpired.sum(), dropped.sum(), lateReplies.sum(), inFlight.get(), refused.sum(), authFailures.sum(),
        handovers.sum(), resumed.sum(), crashedWhileHandling.sum(), storeFailures.sum(), droppedDownstream.sum());
  }
}
