package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When {@code TIME} exchanges are started, with a fake exchange and fake clocks: no sockets. */
@Timeout(10)
class ClockSyncTest {
  private static final long S = 1_000_000_000L;
  private static final Duration INTERVAL = Duration.ofSeconds(2);

  private final AtomicLong wall = new AtomicLong(1_800_000_000L * S);
  private final List<CompletableFuture<Message>> asked = new ArrayList<>();
  private int wakeUps;
  private final ClockSync sync = new ClockSync("rig", wall::get, INTERVAL, timeout -> {
    CompletableFuture<Message> f = new CompletableFuture<>();
    asked.add(f);
    return f;
  }, () -> wakeUps++);

  /** The Station's answer: its clock 250 ms behind ours. */
  private void answerLast() {
    long station = wall.get() - 250_000_000L;
    Message reply = Message.builder().id("T_1").sender("T").to("rig").key("REPLY")
        .valueTree(MessageCodec.toJson(Map.of("receive_ns", station, "send_ns", station))).build();
    asked.get(asked.size() - 1).complete(reply);
  }

  @Test
  void aBurstOnConnectThenOneEveryInterval() {
    long now = 0;
    sync.tick(now, false);
    assertEquals(0, asked.size(), "nothing before the upstream answered HELLO");
    assertEquals(Long.MAX_VALUE, sync.nanosUntilNextTick(now));
    for (int i = 0; i < ClockSync.BURST; i++) {
      sync.tick(now, true);
      assertEquals(i + 1, asked.size());
      sync.tick(now, true);
      assertEquals(i + 1, asked.size(), "one exchange at a time");
      assertEquals(Long.MAX_VALUE, sync.nanosUntilNextTick(now), "the answer wakes the loop");
      wall.addAndGet(200_000);
      answerLast();
      assertEquals(0, sync.nanosUntilNextTick(now));
    }
    assertEquals(ClockSync.BURST, wakeUps);
    sync.tick(now, true);
    assertEquals(ClockSync.BURST, asked.size());
    assertEquals(INTERVAL.toNanos(), sync.nanosUntilNextTick(now));
    sync.tick(now + INTERVAL.toNanos(), true);
    assertEquals(ClockSync.BURST + 1, asked.size());
    ClockOffset o = sync.offset();
    assertTrue(o.isKnown());
    assertTrue(Math.abs(o.offsetNanos() - 250_000_000L) <= o.uncertaintyNanos() + 100_000, o.toString());
    Map<String, Object> report = sync.report();
    assertEquals(o.offsetNanos(), report.get("clock_offset_ns"));
    ClockOffset atStation = ClockSync.fromReport(MessageCodec.toJson(report), 5 * S);
    assertEquals(o.offsetNanos(), atStation.offsetNanos());
    assertEquals(o.uncertaintyNanos(), atStation.uncertaintyNanos());
  }

  @Test
  void anUpstreamThatNeverAnswersIsAskedLessAndLessOften() {
    long now = 0;
    List<Long> starts = new ArrayList<>();
    for (int step = 0; step < 5_000; step++, now += S / 2) {
      int before = asked.size();
      sync.tick(now, true);
      if (asked.size() > before) {
        starts.add(now);
        asked.get(asked.size() - 1).completeExceptionally(
            new RequestTimeoutException("rig_time_0", "TIME", "T", ClockSync.TIMEOUT));
      }
    }
    assertTrue(starts.size() < 20, "a bounded retry, not one per tick: " + starts.size());
    long lastGap = starts.get(starts.size() - 1) - starts.get(starts.size() - 2);
    // The failure is seen on the tick after it (half a second later here).
    assertTrue(lastGap >= ClockSync.MAX_BACKOFF_NANOS && lastGap <= ClockSync.MAX_BACKOFF_NANOS + S,
        "backs off to the maximum: " + lastGap);
    assertFalse(sync.offset().isKnown());
    assertTrue(sync.report().isEmpty(), "nothing to report in heartbeats");
  }

  @Test
  void badReportsAreUnknown() {
    assertFalse(ClockSync.fromReport(MessageCodec.toJson(Map.of("rtt_us", 5)), 0).isKnown());
    assertFalse(ClockSync.fromReport(MessageCodec.toJson(Map.of("clock_offset_ns", 5, "clock_uncertainty_ns", -1)), 0)
        .isKnown());
    assertFalse(ClockSync.fromReport(MessageCodec.toJson(Map.of("clock_offset_ns", "x", "clock_uncertainty_ns", 1)), 0)
        .isKnown());
  }

  @Test
  void timeAnswersAreWrittenAsBeforeAndReadOnlyWithBothTimes() {
    ClockSync.TimeAnswer answer = new ClockSync.TimeAnswer(1_700_000_000_000_000_001L, 1_700_000_000_000_000_002L);
    String golden = "{\"receive_ns\":1700000000000000001,\"send_ns\":1700000000000000002}";
    assertEquals(golden, MessageCodec.toJson(answer.toValue()).toString());
    assertEquals(answer, ClockSync.TimeAnswer.from(MessageCodec.toJson(answer.toValue())));
    assertEquals(null, ClockSync.TimeAnswer.from(MessageCodec.toJson(Map.of("receive_ns", 1))));
    assertEquals(null, ClockSync.TimeAnswer.from(MessageCodec.toJson(Map.of("receive_ns", 1, "send_ns", 2.5))));
  }
}
