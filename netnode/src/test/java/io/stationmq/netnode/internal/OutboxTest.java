package io.stationmq.netnode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The repeat decisions of the outbox, with time given by the test. */
@Timeout(10)
class OutboxTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final Outbox outbox = new Outbox(500 * MS, 2.0, 5_000 * MS);
  private final List<String> resent = new ArrayList<>();
  private final List<String> expired = new ArrayList<>();

  private Outbox.Pending track(String id, String to, int ttl, long now) {
    Message m = Message.builder().id(id).to(to).sender("me").key("K").ttl(ttl).build();
    Outbox.Pending p = new Outbox.Pending(m, Route.AUTO, new CompletableFuture<>());
    outbox.track(p, now);
    return p;
  }

  private void runAt(long now) {
    outbox.runDue(now, p -> resent.add(p.message.id()), p -> expired.add(p.message.id()), () -> true);
  }

  @Test
  void silentRecipientGetsRepeatsWithBackoffThenExpiresAfterOnePlusTtlAttempts() {
    Outbox.Pending p = track("a", "peer", 2, 0);
    runAt(499 * MS);
    assertEquals(List.of(), resent);
    runAt(500 * MS);
    assertEquals(List.of("a"), resent);
    runAt(1_499 * MS);
    assertEquals(1, resent.size(), "second interval is doubled");
    runAt(1_500 * MS);
    assertEquals(List.of("a", "a"), resent);
    assertEquals(3, p.attempts);
    runAt(3_500 * MS);
    assertEquals(List.of("a"), expired);
    assertEquals(0, outbox.size());
  }

  @Test
  void busyRecipientStillConfirmingEarlierMessagesPostponesWithoutSpendingTtl() {
    track("first", "peer", 2, 0);
    Outbox.Pending second = track("second", "peer", 2, 0);
    assertNotNull(outbox.confirmed("first", 400 * MS));
    runAt(500 * MS);
    assertEquals(List.of(), resent, "a backlog is not a loss");
    assertEquals(2, second.ttlLeft);
    assertEquals(1, outbox.postponedCount());
    runAt(1_000 * MS);
    assertEquals(List.of("second"), resent, "no progress since the last check: re-send");
    assertEquals(1, second.ttlLeft);
  }

  @Test
  void laterMessageConfirmedMeansTheEarlierOneWasLostAndIsResentAtOnce() {
    track("first", "peer", 2, 0);
    track("second", "peer", 2, 0);
    outbox.confirmed("second", 100 * MS);
    runAt(500 * MS);
    assertEquals(List.of("first"), resent);
  }

  @Test
  void progressOfOneRecipientDoesNotPostponeAnother() {
    track("to_a", "a", 2, 0);
    track("to_b0", "b", 2, 0);
    track("to_b1", "b", 2, 0);
    outbox.confirmed("to_b0", 100 * MS);
    runAt(500 * MS);
    assertTrue(resent.contains("to_a"));
    assertEquals(1, resent.size(), "to_b1 waits behind b's backlog");
  }

  @Test
  void confirmedEntriesLeaveNoTimersBehind() {
    track("a", "peer", 2, 0);
    outbox.confirmed("a", 10 * MS);
    assertEquals(Long.MAX_VALUE, outbox.nanosUntilNext(20 * MS));
    runAt(10_000 * MS);
    assertEquals(List.of(), resent);
    assertEquals(List.of(), expired);
  }
}
