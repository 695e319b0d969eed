package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The sender's side with a durable outbox: a real store in a temporary directory, a fake wire,
 * a fake monotonic clock and a fake wall clock; a "kill" abandons the store uncommitted.
 */
@Timeout(30)
class DurableDeliveryTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @TempDir
  Path dir;
  private long now = 1_000_000 * MS;
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final List<String> sent = new ArrayList<>();
  private final Counters counters = new Counters();
  private final RecordingListener listener = new RecordingListener();
  private final Notifier notifier = new Notifier(Runnable::run, listener);
  private final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(DurableDeliveryTest.class), 20, 1);
  private DurableStore store;

  @AfterEach
  void stop() {
    notifier.shutdown(1_000);
    if (store != null) {
      store.close();
    }
  }

  private Delivery delivery() {
    store = DurableStore.open(Durability.in(dir), "tx", counters, log, wall::get);
    Delivery.Wire wire = new Delivery.Wire() {
      @Override
      public Routes.Result send(Message m, byte[] body, Route route) {
        sent.add(m.id());
        return Routes.Result.OK;
      }

      @Override
      public boolean mayComeBack(String peer) {
        return true;
      }
    };
    // Repeats at 0.5 s, then 1 s, 2 s, 4 s, 5 s...; give up 60 s after the first send.
    return new Delivery("tx", wire, new Outbox(500 * MS, 2.0, 5_000 * MS, 60_000 * MS), counters, notifier, log,
        () -> now, 100, store.outbox());
  }

  /** The previous run dies: nothing after its last commit survives, and the next run opens the store. */
  private Delivery killAndRestart() {
    store.abandon();
    counters.inFlight.set(0); // a new process starts with nothing in flight
    return delivery();
  }

  private static Message msg(String id, int ttl) {
    return Message.builder().id(id).sender("tx").to("rx").key("K").value(id).ttl(ttl).build();
  }

  /** A caller's sendConfirmed, as the socket thread takes it (it is sent at the end of the turn). */
  private Outbox.Pending send(Delivery d, Message m) {
    assertTrue(d.reserve());
    Outbox.Pending p = d.pending(m, Route.AUTO, new CompletableFuture<>());
    d.send(p, MessageCodec.encode(m));
    return p;
  }

  /** The end of a turn of the socket loop: one commit, then what waited for it is sent. */
  private void endTurn(Delivery d) {
    d.recorded(store.commit());
  }

  private static Throwable failure(Outbox.Pending p) {
    return p.future.handle((v, e) -> e).orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void whatAKilledSenderHadInFlightIsSentAgainAndReportedAndWhatRanOutOfTimeFails() {
    Delivery before = delivery();
    Outbox.Pending first = send(before, msg("tx_0", 2));
    assertTrue(sent.isEmpty(), "nothing leaves before it is on record");
    assertFalse(first.recorded.isDone(), "and its caller waits");
    endTurn(before);
    assertEquals(List.of("tx_0"), sent);
    assertTrue(first.recorded.isDone());
    wall.addAndGet(50_000);
    send(before, msg("tx_1", 2));
    Outbox.Pending confirmed = send(before, msg("tx_2", 2));
    endTurn(before);
    before.settle("tx_2");
    confirmed.future.orTimeout(5, TimeUnit.SECONDS).join();
    wall.addAndGet(20_000); // tx_0 is 70 s old, past its 60 s; tx_1 is 20 s old

    Delivery after = killAndRestart();
    sent.clear();
    after.runDue(now);
    assertEquals(List.of("tx_1", "tx_2"), sent, "tx_2's removal was never committed: sent again, its receiver knows it");
    assertEquals(2, counters.resumed.sum());
    assertEquals(1, counters.ttlExpired.sum());
    Await.until("the listener heard", Duration.ofSeconds(5),
        () -> listener.resumed().size() == 2 && listener.deliveryFailures().size() == 1);
    assertEquals("tx_0", listener.deliveryFailures().get(0).message().id());
    assertInstanceOf(TtlExpiredException.class, listener.deliveryFailures().get(0).error());

    after.settle("tx_1");
    after.settle("tx_2");
    assertEquals(0, counters.inFlight.get());
    assertTrue(store.commit());
    killAndRestart().runDue(now);
    assertEquals(2, counters.resumed.sum(), "nothing left to resume once confirmed");
  }

  @Test
  void aResumedMessageSpendsTheTtlItsScheduleWouldHaveSpentButIsSentAtLeastOnceMore() {
    Delivery before = delivery();
    send(before, msg("tx_0", 3)); // sends due at 0, 0.5, 1.5, 3.5 s; fails at 7.5 s
    send(before, msg("tx_1", 1)); // sends due at 0, 0.5 s; fails at 1.5 s
    endTurn(before);
    wall.addAndGet(1_600); // down for 1.6 s: tx_0 has two repeats spent, tx_1 its whole ttl

    Delivery after = killAndRestart();
    sent.clear();
    after.runDue(now);
    assertEquals(List.of("tx_0", "tx_1"), sent, "both are sent once more");
    now += 1_000 * MS; // tx_1 had no ttl left: it fails one interval (1 s) after its last send
    after.runDue(now);
    assertEquals(1, counters.ttlExpired.sum(), "tx_1 failed");
    assertEquals(List.of("tx_0", "tx_1"), sent);
    now += 1_000 * MS; // tx_0 had one repeat left, due one interval (2 s) after the restart
    after.runDue(now);
    assertEquals(List.of("tx_0", "tx_1", "tx_0"), sent);
    now += 3_900 * MS;
    after.runDue(now);
    assertEquals(1, counters.ttlExpired.sum());
    now += 100 * MS; // and fails 4 s after that
    after.runDue(now);
    assertEquals(2, counters.ttlExpired.sum(), "tx_0 failed after its last interval");
  }

  @Test
  void aDuplicateIdOrAStoreThatFailedRefusesTheSendAndTellsTheCaller() {
    Delivery d = delivery();
    send(d, msg("tx_0", 2));
    Outbox.Pending duplicate = send(d, msg("tx_0", 2));
    assertInstanceOf(DuplicateMessageException.class, failure(duplicate));
    assertTrue(duplicate.recorded.isDone(), "its caller goes");
    endTurn(d);
    assertEquals(List.of("tx_0"), sent, "a duplicate is not sent");

    store.mvStore().getFileStore().close(); // the disk goes away
    Outbox.Pending refused = send(d, msg("tx_1", 2));
    endTurn(d);
    assertInstanceOf(DurableStoreException.class, failure(refused));
    assertTrue(refused.recorded.isDone(), "its caller goes");
    assertEquals(List.of("tx_0"), sent, "what cannot be recorded is not sent");
    assertTrue(counters.storeFailures.sum() >= 1);
    assertEquals(1, counters.inFlight.get(), "the refused one gave its place back");
  }

  @Test
  void aReceiverThatDiedWhileHandlingFailsTheMessageAndItLeavesTheOutbox() {
    Delivery d = delivery();
    Outbox.Pending p = send(d, msg("tx_0", 2));
    endTurn(d);
    assertTrue(d.receiverCrashed("tx_0"));
    assertInstanceOf(ReceiverCrashedException.class, failure(p));
    assertFalse(d.receiverCrashed("tx_0"), "settled already");
    assertTrue(store.commit());
    killAndRestart().runDue(now);
    assertEquals(0, counters.resumed.sum());
  }
}
