package io.stationmq.netnode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.Route;
import io.stationmq.netnode.TtlExpiredException;
import io.stationmq.netnode.UnreachableException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The sender's side of confirmed delivery with a fake clock and a fake wire. */
@Timeout(10)
class DeliveryTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private long now;
  private final Set<String> connected = new HashSet<>();
  private final Set<String> known = new HashSet<>();
  private final List<String> sent = new ArrayList<>();
  private final Counters counters = new Counters();
  private final Notifier notifier = new Notifier(Runnable::run, EndpointListener.NONE);
  private final Delivery delivery = new Delivery("me", new Delivery.Wire() {
    @Override
    public Routes.Result send(Message m, byte[] body, Route route) {
      sent.add(m.id());
      return connected.contains(m.to()) ? Routes.Result.OK : Routes.Result.UNREACHABLE;
    }

    @Override
    public boolean mayComeBack(String peer) {
      return known.contains(peer);
    }
  }, new Outbox(500 * MS, 2.0, 5_000 * MS, 60_000 * MS), counters, notifier,
      new RateLimitedLog(LoggerFactory.getLogger(DeliveryTest.class), 5, 1), () -> now, 10);

  @AfterEach
  void stop() {
    notifier.shutdown(1_000);
  }

  private Outbox.Pending send(String id, String to, int ttl) {
    Message m = Message.builder().id(id).sender("me").to(to).key("K").ttl(ttl).build();
    assertTrue(delivery.reserve());
    Outbox.Pending p = new Outbox.Pending(m, Route.AUTO, new CompletableFuture<>());
    delivery.send(p, new byte[0]);
    return p;
  }

  private static Throwable failure(Outbox.Pending p) {
    return p.future.handle((v, e) -> e).orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void aConfirmationSettlesTheFutureWithItsAttempts() {
    connected.add("rx");
    Outbox.Pending p = send("m1", "rx", 2);
    now = 600 * MS;
    delivery.runDue(now); // one repeat
    delivery.settle("m1");
    DeliveryReceipt r = p.future.orTimeout(5, TimeUnit.SECONDS).join();
    assertEquals(2, r.attempts());
    assertEquals(0, counters.inFlight.get());
  }

  @Test
  void aRecipientNobodyKnowsFailsAtOnce() {
    Outbox.Pending p = send("m1", "ghost", 2);
    assertInstanceOf(UnreachableException.class, failure(p));
    assertEquals(0, counters.inFlight.get());
    assertEquals(List.of("m1"), sent);
  }

  @Test
  void aKnownRecipientThatIsAwayIsRepeatedAndFailsUnreachableOnlyWhenItsTtlIsSpent() {
    known.add("rx");
    Outbox.Pending p = send("m1", "rx", 2);
    for (now = 0; now < 10_000 * MS && !p.future.isDone(); now += 10 * MS) {
      delivery.runDue(now);
    }
    UnreachableException e = assertInstanceOf(UnreachableException.class, failure(p));
    assertEquals(3, e.attempts(), "the first send and two repeats");
    assertTrue(now >= 3_500 * MS, "failed only when the ttl was spent, at " + now / MS + " ms");
  }

  @Test
  void aRetryNoticeKeepsTheMessageInFlightAndANoticeWithoutRetryFailsIt() {
    connected.add("rx");
    Outbox.Pending waits = send("m1", "rx", 5);
    Outbox.Pending fails = send("m2", "rx", 5);
    assertTrue(delivery.unreachable("m1", "rx", "S", "no route", true));
    assertTrue(delivery.unreachable("m2", "rx", "S", "no route", false));
    assertFalse(waits.future.isDone(), "repeated within its ttl");
    assertInstanceOf(UnreachableException.class, failure(fails));
    now = 600 * MS;
    delivery.runDue(now);
    delivery.settle("m1"); // the recipient came back
    assertEquals(2, waits.future.orTimeout(5, TimeUnit.SECONDS).join().attempts());
    assertFalse(delivery.unreachable("m9", "rx", "S", "no route", true), "not in flight here");
  }

  @Test
  void silenceSpendsTheTtlAndClosingFailsWhatIsLeft() {
    connected.add("rx");
    Outbox.Pending p = send("m1", "rx", 1);
    Outbox.Pending q = send("m2", "rx", 9);
    for (now = 0; now < 2_000 * MS; now += 10 * MS) {
      delivery.runDue(now);
    }
    assertInstanceOf(TtlExpiredException.class, failure(p));
    delivery.closeAll();
    assertEquals("EndpointClosedException", failure(q).getClass().getSimpleName());
    assertEquals(0, counters.inFlight.get());
  }

  @Test
  void theOutboxHasRoomForMaxInFlight() {
    for (int i = 0; i < 10; i++) {
      assertTrue(delivery.reserve());
    }
    assertFalse(delivery.reserve(), "the 11th does not fit");
    assertEquals(10, counters.inFlight.get());
  }
}
