package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.RecordingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Durability through real endpoints and sockets: "tx" binds a router port, "rx" connects to it
 * and is restarted. What a killed process would have left in a store is written beforehand
 * with the store classes themselves (the process-level kills are in the station module's
 * FaultInjectionTest).
 */
@Timeout(60)
class DurableEndpointTest {
  private static final LocalDateTime T = LocalDateTime.of(2024, 1, 1, 12, 0, 0, 5_000);

  @TempDir
  Path dir;
  private final Closer closer = new Closer();
  private final AtomicInteger handled = new AtomicInteger();

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private static EndpointOptions durable(Path dir) {
    return EndpointOptions.builder().durability(Durability.in(dir)).build();
  }

  private NetNode tx(EndpointOptions options) {
    return closer.track(NetNode.builder().id("tx").routerPort(0).routerAddress("127.0.0.1").options(options).build());
  }

  private NetNode rx(NetNode tx) {
    return NetNode.builder().id("rx").upstream("127.0.0.1", tx.routerPort(), "tx").options(durable(dir))
        .listen("DATA", m -> handled.incrementAndGet()).build();
  }

  /** The same message each time: same sender, id and timestamp, so a receiver takes it for a repeat. */
  private static Message fixed(NetNode tx) {
    return tx.message("rx", "DATA", 1).id("tx_100").timestamp(T).build();
  }

  private static void writeStore(Path dir, String id, java.util.function.Consumer<DurableStore> what) {
    Counters counters = new Counters();
    RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(DurableEndpointTest.class), 20, 1);
    try (DurableStore store = DurableStore.open(Durability.in(dir), id, counters, log)) {
      what.accept(store);
      assertTrue(store.commit());
    }
  }

  @Test
  void aRepeatAfterTheReceiverRestartedIsConfirmedWithoutRunningTheListenAgain() throws Exception {
    NetNode tx = tx(EndpointOptions.defaults());
    try (NetNode rx = rx(tx)) {
      tx.sendConfirmed(fixed(tx)).get(10, TimeUnit.SECONDS);
      assertEquals(1, handled.get());
    }
    try (NetNode rx = rx(tx)) {
      DeliveryReceipt again = tx.sendConfirmed(fixed(tx)).get(10, TimeUnit.SECONDS);
      assertEquals("tx_100", again.messageId());
      assertEquals(1, handled.get(), "not handled again by the new run");
      assertEquals(1, rx.stats().duplicates());
      tx.sendConfirmed(tx.message("rx", "DATA", 2).build()).get(10, TimeUnit.SECONDS);
      assertEquals(2, handled.get(), "a new message is handled");
    }
  }

  @Test
  void aRepeatOfWhatWasHandlingWhenTheReceiverDiedFailsWithReceiverCrashed() throws Exception {
    writeStore(dir, "rx", store -> store.dedup().handling("tx", "tx_100", T));
    NetNode tx = tx(EndpointOptions.defaults());
    try (NetNode rx = rx(tx)) {
      CompletableFuture<DeliveryReceipt> f = tx.sendConfirmed(fixed(tx));
      CompletionException e = assertThrows(CompletionException.class, () -> f.orTimeout(10, TimeUnit.SECONDS).join());
      ReceiverCrashedException crashed = assertInstanceOf(ReceiverCrashedException.class, e.getCause());
      assertEquals("tx_100", crashed.messageId());
      assertEquals("rx", crashed.recipient());
      assertEquals(0, handled.get(), "perhaps handled before the crash: not handled again");
      assertEquals(1, rx.stats().crashedWhileHandling());
      tx.sendConfirmed(tx.message("rx", "DATA", 2).build()).get(10, TimeUnit.SECONDS);
      assertEquals(1, handled.get(), "everything else goes on");
    }
  }

  @Test
  void aRestartedSenderSendsWhatItsPreviousRunLeftInFlightAndSaysSo() throws Exception {
    Message leftOver = Message.builder().id("tx_5").sender("tx").to("rx").key("DATA").value(5).ttl(5).build();
    writeStore(dir, "tx", store -> assertTrue(DurableStoreTest.put(store.outbox(), leftOver, Route.AUTO)));
    RecordingListener events = new RecordingListener();
    NetNode tx = tx(EndpointOptions.builder().durability(Durability.in(dir)).listener(events).build());
    Path rxDir = Files.createDirectory(dir.resolve("rx"));
    // No TIME exchanges: tx's replies to them would take ids from the sequence this test reads.
    EndpointOptions rxOptions = durable(rxDir).toBuilder().clockSyncInterval(java.time.Duration.ZERO).build();
    try (NetNode rx = NetNode.builder().id("rx").upstream("127.0.0.1", tx.routerPort(), "tx").options(rxOptions)
        .listen("DATA", m -> handled.addAndGet(m.value(Integer.class))).build()) {
      Await.until("the message left in flight reaches rx", () -> handled.get() == 5);
      Await.until("and is confirmed", () -> tx.stats().inFlight() == 0);
      assertEquals(1, tx.stats().resumed());
      assertEquals(List.of(leftOver), events.resumed());
      assertEquals("tx_6", tx.message("rx", "DATA", 1).build().id(), "new ids start past the resumed ones");
      assertTrue(events.deliveryFailures().isEmpty());
    }
  }

  @Test
  void aSecondEndpointWithTheSameIdAndDirectoryCannotBeBuilt() {
    NetNode tx = tx(durable(dir));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> NetNode.builder().id("tx")
        .routerPort(0).routerAddress("127.0.0.1").options(durable(dir)).build());
    assertTrue(e.getMessage().contains("another endpoint with id 'tx'"), e.getMessage());
    assertFalse(tx.isClosed());
  }
}
