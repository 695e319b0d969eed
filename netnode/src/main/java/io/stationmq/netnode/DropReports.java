package io.stationmq.netnode;

import io.stationmq.message.Flags;
import io.stationmq.message.MessageCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a Station dropped of each producer's unconfirmed messages, gathered so the producer
 * can be told: one {@link Notices.Dropped} per producer and interval (a flood of drops costs a
 * notice a second, not one per message). Only producers that said HELLO are told (a Python
 * peer has no listen for the notice); at most {@code maxProducers} are tracked per interval,
 * the rest only counted by the Station.
 *
 * <p>Confined to the socket loop; unit-tested with a fake clock and real bodies.
 */
final class DropReports {
  /** One producer's drops since the last report. */
  private static final class Tally {
    long count;
    String lastTo;
    String reason;
  }

  private final String stationId;
  private final long intervalNanos;
  private final int maxProducers;
  private final Map<String, Tally> tallies = new LinkedHashMap<>();
  private long nextReportNanos;

  DropReports(String stationId, long intervalNanos, int maxProducers) {
    this.stationId = stationId;
    this.intervalNanos = intervalNanos;
    this.maxProducers = maxProducers;
  }

  /**
   * A write the {@link PeerWriter} dropped: an unconfirmed message forwarded for a producer that
   * said HELLO ({@code saidHello}) is noted for its next notice. A confirmed one is repeated by
   * its sender, whose ttl tells it the outcome; a Python producer has no listen for the notice;
   * the Station's own and built-in messages are not reported. Reads only the body's header.
   */
  void droppedWrite(String peer, List<byte[]> frames, String reason, long now, Predicate<String> saidHello) {
    byte[] body = frames.get(frames.size() - 1);
    MessageCodec.BodyHeader header = MessageCodec.peekHeader(body);
    if (header == null || header.sender().equals(stationId) || Keys.isBuiltIn(String.valueOf(header.key()))
        || !saidHello.test(header.sender()) || !MessageCodec.peekFlag(body, Flags.NOREPEAT)) {
      return;
    }
    dropped(header.sender(), peer, reason, now);
  }

  /** One unconfirmed message from {@code producer} for {@code to} was dropped, for {@code reason}. */
  void dropped(String producer, String to, String reason, long now) {
    Tally t = tallies.get(producer);
    if (t == null) {
      if (tallies.size() >= maxProducers) {
        return;
      }
      if (tallies.isEmpty()) {
        nextReportNanos = now + intervalNanos;
      }
      t = new Tally();
      tallies.put(producer, t);
    }
    t.count++;
    t.lastTo = to;
    t.reason = reason;
  }

  /** The notices due now, one per producer, and forgets them; empty before the interval ends. */
  List<Map.Entry<String, Notices.Dropped>> due(long now) {
    if (tallies.isEmpty() || now < nextReportNanos) {
      return List.of();
    }
    List<Map.Entry<String, Notices.Dropped>> out = new ArrayList<>(tallies.size());
    for (Map.Entry<String, Tally> e : tallies.entrySet()) {
      Tally t = e.getValue();
      out.add(Map.entry(e.getKey(), new Notices.Dropped(t.count, t.lastTo, stationId, t.reason)));
    }
    tallies.clear();
    return out;
  }

  /** Nanoseconds until a report is due, or {@code Long.MAX_VALUE} with nothing to report. */
  long nanosUntilDue(long now) {
    return tallies.isEmpty() ? Long.MAX_VALUE : Math.max(0, nextReportNanos - now);
  }
}
