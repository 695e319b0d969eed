package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import java.time.LocalDateTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the de-duplicator remembers, with time given by the test. */
@Timeout(10)
class DeduplicatorTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private static final LocalDateTime T = LocalDateTime.of(2024, 1, 1, 0, 0);
  private final LongAdder evictedEarly = new LongAdder();

  private static Message msg(String id) {
    return Message.builder().id(id).to("me").sender("peer").key("K").timestamp(T).build();
  }

  @Test
  void repeatWithinTheWindowIsRecognisedAndOneAfterItIsNot() {
    Deduplicator d = new Deduplicator(120 * S, 100, evictedEarly);
    assertTrue(d.firstTime(msg("a"), 0));
    assertFalse(d.firstTime(msg("a"), 120 * S));
    assertTrue(d.firstTime(msg("a"), 121 * S), "forgotten after the window");
    assertEquals(0, evictedEarly.sum(), "forgetting after the window is not early");
  }

  @Test
  void overflowingTheCapacityWithinTheWindowForgetsEarlyAndIsCounted() {
    Deduplicator d = new Deduplicator(120 * S, 2, evictedEarly);
    assertTrue(d.firstTime(msg("a"), 0));
    assertTrue(d.firstTime(msg("b"), 1 * S));
    assertTrue(d.firstTime(msg("c"), 2 * S));
    assertEquals(1, evictedEarly.sum(), "'a' forgotten 2 s into its 120 s window");
    assertTrue(d.firstTime(msg("a"), 3 * S), "so a repeat of 'a' is handled again");
    assertFalse(d.firstTime(msg("c"), 4 * S));
  }
}
