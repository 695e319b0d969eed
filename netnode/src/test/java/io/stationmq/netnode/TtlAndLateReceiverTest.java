package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.FakeTicker;
import io.stationmq.netnode.testing.Ports;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Sync;
import io.stationmq.netnode.testing.RecordingListener;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Confirmed messages to a receiver that is not there yet, or never comes. */
@Timeout(60)
class TtlAndLateReceiverTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private static NetNode sender(int port, EndpointOptions options) {
    return NetNode.builder().id("rig").upstream("127.0.0.1", port, "hub").options(options).build();
  }

  private EndpointOptions fakeTime() {
    return EndpointOptions.builder().ticker(ticker).listener(events).build();
  }

  @Test
  void confirmedMessageSentBeforeReceiverStartsIsDeliveredOnceItStarts() throws Exception {
    int port = Ports.free();
    Recorder atHub = new Recorder();
    // No TIME exchanges: the test counts what the hub dispatched.
    try (NetNode rig = sender(port, EndpointOptions.builder().clockSyncInterval(Duration.ZERO).build())) {
      CompletableFuture<DeliveryReceipt> future = rig.sendConfirmed("hub", "DATA", 7);
      Await.until("the first attempt is written while nothing listens", () -> rig.stats().sent() >= 1);
      assertFalse(future.isDone());

      try (NetNode hub = NetNode.builder().id("hub").routerPort(port).routerAddress("127.0.0.1").listen("DATA", atHub).build()) {
        DeliveryReceipt receipt = future.get(10, TimeUnit.SECONDS);
        Message got = atHub.next();
        assertEquals(7, got.value(Integer.class));
        assertTrue(receipt.attempts() >= 1 && receipt.attempts() <= 1 + Message.DEFAULT_TTL,
            "delivered within the ttl, attempts " + receipt.attempts());
        assertEquals(1, hub.stats().dispatched(), "handled once, whatever copies were queued while it was away");
        assertEquals(1, atHub.count());
      }
    }
  }

  @Test
  void confirmedMessageToReceiverThatNeverStartsFailsAfterOnePlusTtlAttempts() throws Exception {
    try (NetNode rig = sender(Ports.free(), fakeTime())) {
      Message m = rig.message("hub", "DATA", 1).build();
      assertEquals(2, m.ttl(), "default ttl");
      CompletableFuture<DeliveryReceipt> future = rig.sendConfirmed(m);
      long writes = Sync.afterWrites(rig, 1, "hub"); // the first attempt, and its timer started

      for (int repeat = 1; repeat <= m.ttl(); repeat++) {
        ticker.advance(Duration.ofSeconds(5)); // at least the longest repeat interval
        long expected = repeat;
        Await.equal("repeat " + repeat, expected, () -> rig.stats().repeated());
        assertFalse(future.isDone(), "still pending after repeat " + repeat);
      }
      ticker.advance(Duration.ofSeconds(5));

      ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
      TtlExpiredException ttl = assertInstanceOf(TtlExpiredException.class, e.getCause());
      assertEquals(1 + m.ttl(), ttl.attempts());
      assertEquals(m.id(), ttl.messageId());
      assertEquals("hub", ttl.recipient());
      EndpointStats stats = rig.stats();
      assertEquals(m.ttl(), stats.repeated());
      assertEquals(writes + m.ttl(), stats.sent());
      assertEquals(1, stats.ttlExpired());
      assertEquals(0, stats.inFlight());
      Await.until("deliveryFailed reported", () -> events.deliveryFailures().size() == 1);
      assertEquals(m.id(), events.deliveryFailures().get(0).message().id());
      assertInstanceOf(TtlExpiredException.class, events.deliveryFailures().get(0).error());
    }
  }

  @Test
  void customTtlSetsTheNumberOfAttempts() throws Exception {
    try (NetNode rig = sender(Ports.free(), fakeTime())) {
      Message m = rig.message("hub", "DATA", 1).ttl(4).build();
      CompletableFuture<DeliveryReceipt> future = rig.sendConfirmed(m);
      Sync.afterWrites(rig, 1, "hub"); // the first attempt, and its timer started
      for (int repeat = 1; repeat <= 4; repeat++) {
        ticker.advance(Duration.ofSeconds(5));
        long expected = repeat;
        Await.equal("repeat " + repeat, expected, () -> rig.stats().repeated());
      }
      ticker.advance(Duration.ofSeconds(5));
      ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
      assertEquals(5, assertInstanceOf(TtlExpiredException.class, e.getCause()).attempts());
    }
  }

  @Test
  void ttlZeroFailsAfterOneAttemptWithoutRepeating() throws Exception {
    try (NetNode rig = sender(Ports.free(), fakeTime())) {
      CompletableFuture<DeliveryReceipt> future = rig.sendConfirmed(rig.message("hub", "DATA", 1).ttl(0).build());
      Sync.afterWrites(rig, 1, "hub"); // the first attempt, and its timer started
      ticker.advance(Duration.ofSeconds(5));
      ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
      assertEquals(1, assertInstanceOf(TtlExpiredException.class, e.getCause()).attempts());
      assertEquals(0, rig.stats().repeated());
    }
  }

  @Test
  void repeatsFollowFirstRepeatAndBackoff() throws Exception {
    // Defaults: first repeat after 500 ms, then 1 s (backoff 2), then the ttl is spent 2 s later.
    try (NetNode rig = sender(Ports.free(), fakeTime())) {
      CompletableFuture<DeliveryReceipt> future = rig.sendConfirmed("hub", "DATA", 1);
      Sync.afterWrites(rig, 1, "hub"); // the first attempt, and its timer started
      ticker.advance(Duration.ofMillis(500));
      Await.equal("repeat at 500 ms", 1L, () -> rig.stats().repeated());
      ticker.advance(Duration.ofMillis(1000));
      Await.equal("repeat 1 s later", 2L, () -> rig.stats().repeated());
      ticker.advance(Duration.ofMillis(2000));
      ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
      assertInstanceOf(TtlExpiredException.class, e.getCause());
    }
  }
}
