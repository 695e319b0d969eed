package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import java.time.Duration;
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
  private static final long LIFETIME = 60_000 * MS;
  private final Outbox outbox = new Outbox(500 * MS, 2.0, 5_000 * MS, LIFETIME);
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

  @Test
  void recipientConfirmingEarlierMessagesForeverNeverKeepsALaterOneAlivePastItsLifetime() {
    List<Outbox.Pending> earlier = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      earlier.add(track("e" + i, "peer", 2, 0));
    }
    Outbox.Pending late = track("late", "peer", 2, 0);
    long lastResend = -1;
    long expiredAt = -1;
    int next = 0;
    for (long now = 100 * MS; now <= 300_000 * MS && expiredAt < 0; now += 100 * MS) {
      while (next < earlier.size() && outbox.confirmed(earlier.get(next++).message.id(), now) == null) {
        // already expired: the recipient confirms the next one
      }
      int before = resent.size();
      runAt(now);
      if (resent.subList(before, resent.size()).contains("late")) {
        lastResend = now;
      }
      if (expired.contains("late")) {
        expiredAt = now;
      }
    }
    assertTrue(lastResend < LIFETIME, "a repeat of 'late' at " + lastResend / MS + " ms outlives its lifetime");
    assertEquals(LIFETIME, expiredAt, "'late' expires at its deadline");
    assertEquals(1, late.attempts, "always postponed, never re-sent");
    assertEquals(2, late.ttlLeft, "expired with its ttl unspent");
  }

  @Test
  void silentRecipientWithAHighTtlExpiresAtTheDeadlineNotAfterItsTtl() {
    Outbox.Pending p = track("a", "peer", 1_000, 0);
    // repeats at 0.5, 1.5, 3.5, 7.5, 12.5 s, then every 5 s: the last before 60 s is at 57.5 s
    for (long now = 0; now <= 57_500 * MS; now += 100 * MS) {
      runAt(now);
    }
    int sends = 1 + resent.size();
    assertEquals(15, sends);
    assertEquals(2_500 * MS, outbox.nanosUntilNext(57_500 * MS), "the next timer is the deadline, not 62.5 s");
    runAt(LIFETIME - 1);
    assertEquals(List.of(), expired);
    runAt(LIFETIME);
    assertEquals(List.of("a"), expired);
    assertEquals(sends, p.attempts);
    assertEquals(sends - 1, resent.size(), "no repeat at the deadline");
    assertEquals(0, outbox.size());
    assertEquals(Long.MAX_VALUE, outbox.nanosUntilNext(LIFETIME));
  }

  @Test
  void postponedTimerFiresAtTheDeadlineAtTheLatest() {
    Outbox small = new Outbox(500 * MS, 2.0, 5_000 * MS, 700 * MS);
    List<Outbox.Pending> ps = new ArrayList<>();
    for (String id : List.of("first", "second")) {
      Message m = Message.builder().id(id).to("peer").sender("me").key("K").ttl(2).build();
      ps.add(new Outbox.Pending(m, Route.AUTO, new CompletableFuture<>()));
      small.track(ps.get(ps.size() - 1), 0);
    }
    small.confirmed("first", 400 * MS);
    small.runDue(500 * MS, p -> resent.add(p.message.id()), p -> expired.add(p.message.id()), () -> true);
    assertEquals(List.of(), resent, "postponed");
    assertEquals(200 * MS, small.nanosUntilNext(500 * MS), "postponed to the deadline, not a full interval");
    small.runDue(700 * MS, p -> resent.add(p.message.id()), p -> expired.add(p.message.id()), () -> true);
    assertEquals(List.of("second"), expired);
    assertEquals(1, ps.get(1).attempts);
  }

  @Test
  void defaultsTieTheLifetimeToHalfTheDedupWindow() {
    EndpointOptions o = EndpointOptions.defaults();
    assertEquals(Duration.ofMinutes(1), o.maxDeliveryTime());
    assertTrue(o.maxDeliveryTime().multipliedBy(2).compareTo(o.dedupWindow()) <= 0);
    assertEquals(Duration.ofSeconds(5), EndpointOptions.builder().dedupWindow(Duration.ofSeconds(10)).build().maxDeliveryTime(),
        "left unset, it follows the window");
    assertEquals(Duration.ofSeconds(5), o.toBuilder().dedupWindow(Duration.ofSeconds(10)).build().maxDeliveryTime(),
        "also when the window changes on a copy");
    assertEquals(Duration.ofSeconds(30),
        EndpointOptions.builder().maxDeliveryTime(Duration.ofSeconds(30)).build().maxDeliveryTime());
  }

  @Test
  void aLifetimeThatCanReachTheDedupWindowIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EndpointOptions.builder().maxDeliveryTime(Duration.ofSeconds(90)).build());
    assertTrue(e.getMessage().contains("maxDeliveryTime") && e.getMessage().contains("dedupWindow"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> EndpointOptions.builder().maxDeliveryTime(Duration.ofSeconds(30)).dedupWindow(Duration.ofSeconds(59)).build());
    assertThrows(IllegalArgumentException.class, () -> EndpointOptions.builder().maxDeliveryTime(Duration.ZERO).build());
    assertThrows(IllegalArgumentException.class, () -> EndpointOptions.builder().dedupWindow(Duration.ZERO).build());
    assertThrows(IllegalArgumentException.class, () -> EndpointOptions.builder().dedupWindow(Duration.ofMillis(900)).build(),
        "a derived maxDeliveryTime of 450 ms would allow no repeat after firstRepeat (500 ms)");
    assertEquals(Duration.ofMinutes(5),
        EndpointOptions.builder().dedupCapacity(0).maxDeliveryTime(Duration.ofMinutes(5)).build().maxDeliveryTime(),
        "with de-duplication off there is no window to stay inside");
  }
}
