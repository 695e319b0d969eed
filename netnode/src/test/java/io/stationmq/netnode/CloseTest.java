package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.FakeTicker;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.RecordingListener;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing: pending confirmed sends fail, sends after close, closing from a listen, no threads left. */
@Timeout(60)
class CloseTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /**
   * The process's stationmq threads (its socket loop and workers): the rig is the only endpoint
   * (the peers are raw sockets), so they end when it closes.
   */
  private static final String RIG_THREADS = "stationmq-";

  /** Time never moves, so nothing pending repeats or expires on its own. */
  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private NetNode.Builder rig(RawPeer upstream) {
    return NetNode.builder().id("rig").upstream("127.0.0.1", upstream.port(), "T")
        .options(EndpointOptions.builder().ticker(ticker).listener(events).build());
  }

  private static EndpointClosedException closedCause(CompletableFuture<DeliveryReceipt> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(EndpointClosedException.class, e.getCause());
  }

  @Test
  void closeFailsPendingConfirmedSendsWithEndpointClosed() {
    try (RawPeer upstream = RawPeer.router("T")) {
      NetNode rig = rig(upstream).build();
      CompletableFuture<DeliveryReceipt> f1 = rig.sendConfirmed("T", "DATA", 1);
      CompletableFuture<DeliveryReceipt> f2 = rig.sendConfirmed("T", "DATA", 2);
      upstream.receiveMessage(WAIT);
      upstream.receiveMessage(WAIT); // both sent, neither confirmed

      rig.close();

      EndpointClosedException e1 = closedCause(f1);
      assertEquals("T", e1.recipient());
      assertEquals(1, e1.attempts());
      closedCause(f2);
      assertEquals(0, rig.stats().inFlight());
      assertTrue(rig.isClosed());
      Await.equal("deliveryFailed events", 2, () -> events.deliveryFailures().size());
      Threads.assertNoneLeft(RIG_THREADS);
    }
  }

  @Test
  void afterCloseSendConfirmedFailsAndSendDoesNotThrow() {
    try (RawPeer upstream = RawPeer.router("T")) {
      NetNode rig = rig(upstream).build();
      rig.close();

      EndpointClosedException e = closedCause(rig.sendConfirmed("T", "DATA", 1));
      assertEquals(0, e.attempts());
      assertDoesNotThrow(() -> rig.send("T", "DATA", 1));
      assertDoesNotThrow(rig::close, "close is idempotent");
      assertEquals(0, rig.stats().sent());
    }
  }

  @Test
  void closeFromInsideListenFailsPendingSendsAndLeavesNoThreads() throws Exception {
    AtomicReference<NetNode> self = new AtomicReference<>();
    CountDownLatch closedInListen = new CountDownLatch(1);
    try (RawPeer upstream = RawPeer.router("T")) {
      NetNode rig = rig(upstream).listen("STOP", m -> {
        self.get().close();
        closedInListen.countDown();
      }).build();
      self.set(rig);
      CompletableFuture<DeliveryReceipt> pending = rig.sendConfirmed("T", "DATA", 1);
      upstream.receiveMessage(WAIT); // sent, never confirmed

      upstream.send("rig", RawPeer.pythonBody("T_0", "rig", "T", "STOP", "null", "{}"));

      assertTrue(closedInListen.await(10, TimeUnit.SECONDS), "close() returned inside the listen");
      assertTrue(rig.isClosed());
      closedCause(pending);
      Threads.assertNoneLeft(RIG_THREADS);
    }
  }

  @Test
  void closeFromInsideListenWhileItsQueueIsFullLeavesNoThreads() throws Exception {
    AtomicReference<NetNode> self = new AtomicReference<>();
    Recorder after = new Recorder();
    try (RawPeer upstream = RawPeer.router("T")) {
      NetNode rig = rig(upstream)
          .options(EndpointOptions.builder().ticker(ticker).workers(1).workerQueueCapacity(2).build())
          .listen("MORE", after)
          .listen("STOP", m -> {
            // Wait until the worker's queue is full and the socket thread holds one more message.
            NetNode node = self.get();
            Await.until("queue full", () -> node.stats().received() >= 4);
            node.close();
          }).build();
      self.set(rig);
      assertTrue(upstream.receive(WAIT) != null, "the connection ping: the node is connected");
      upstream.send("rig", RawPeer.pythonBody("T_0", "rig", "T", "STOP", "null", "{\"NOREPEAT\": true}"));
      for (int i = 1; i <= 3; i++) {
        upstream.send("rig", RawPeer.pythonBody("T_" + i, "rig", "T", "MORE", String.valueOf(i), "{\"NOREPEAT\": true}"));
      }
      Await.until("closed", rig::isClosed);
      Await.equal("queued listens ran", 2, after::count);
      Threads.assertNoneLeft(RIG_THREADS);
    }
  }

  @Test
  void closeRunsListensAlreadyQueued() {
    Recorder handled = new Recorder();
    AtomicReference<NetNode> self = new AtomicReference<>();
    try (RawPeer upstream = RawPeer.router("T")) {
      NetNode rig = rig(upstream)
          .options(EndpointOptions.builder().ticker(ticker).workers(1).build())
          .listen("SEQ", m -> {
            handled.handle(m);
            if (m.value(Integer.class) == 0) {
              Await.until("close requested", () -> self.get().isClosed()); // hold the rest in the queue
            }
          }).build();
      self.set(rig);
      assertTrue(upstream.receive(WAIT) != null, "the connection ping: the node is connected");
      for (int i = 0; i < 10; i++) {
        upstream.send("rig", RawPeer.pythonBody("T_" + i, "rig", "T", "SEQ", String.valueOf(i), "{}"));
      }
      Await.until("all 10 read and queued for the worker", () -> rig.stats().received() >= 10);
      assertEquals(0, rig.stats().confirmsSent(), "nothing is confirmed before its listen has run");

      rig.close();

      assertEquals(10, handled.count(), "close() returns after the queued listens ran");
      assertEquals(IntStream.range(0, 10).boxed().toList(),
          handled.all().stream().map(m -> m.value(Integer.class)).toList());
      for (int i = 0; i < 10; i++) {
        assertEquals("CONFIRM", Bodies.last(upstream.receiveMessage(WAIT)).get("key").asText(),
            "each handled message is confirmed, even while closing");
      }
    }
  }

  @Test
  void closeWhileAnotherThreadSendsConfirmedSettlesEveryFuture() throws Exception {
    try (RawPeer upstream = RawPeer.router("T")) {
      NetNode rig = rig(upstream).build();
      List<CompletableFuture<DeliveryReceipt>> futures = new CopyOnWriteArrayList<>();
      Thread sender = new Thread(() -> {
        // Fewer than maxInFlight (10,000), so every refusal is due to closing.
        for (int i = 0; i < 5_000 && !rig.isClosed(); i++) {
          futures.add(rig.sendConfirmed("T", "DATA", i));
        }
        futures.add(rig.sendConfirmed("T", "DATA", -1)); // and one after close
      }, "test-sender");
      sender.start();
      Await.until("some sent", () -> rig.stats().sent() >= 50);

      rig.close();
      sender.join(10_000);

      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).handle((r, e) -> null).get(10, TimeUnit.SECONDS);
      for (CompletableFuture<DeliveryReceipt> f : futures) {
        closedCause(f); // none was confirmed: every one failed because the endpoint closed
      }
      assertEquals(0, rig.stats().inFlight());
      Threads.assertNoneLeft(RIG_THREADS);
    }
  }

  @Test
  void everyMessageConfirmedBeforeCloseIsHandled() throws Exception {
    // A confirmation tells the sender "received, it will be handled": closing must not drop such messages.
    Set<String> handled = ConcurrentHashMap.newKeySet();
    NetNode hub = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1")
        .options(EndpointOptions.builder().ticker(ticker).build())
        .listen("DATA", m -> handled.add(m.id())).build();
    try (NetNode sender = NetNode.builder().id("sender").upstream("127.0.0.1", hub.routerPort(), "hub")
        .options(EndpointOptions.builder().ticker(ticker).build()).build()) {
      for (int i = 0; i < 5_000; i++) {
        sender.sendConfirmed("hub", "DATA", i);
      }
      Await.until("the hub is busy reading", () -> hub.stats().dispatched() >= 500);

      hub.close();

      EndpointStats stats = hub.stats();
      assertEquals(stats.confirmsSent(), handled.size(),
          "every message the hub confirmed was handled (dispatched " + stats.dispatched() + ", received " + stats.received() + ")");
    }
  }

  @Test
  void buildingOnAPortInUseFailsAndLeavesNoThreads() {
    try (NetNode first = NetNode.builder().id("first").routerPort(0).routerAddress("127.0.0.1").build()) {
      NetNode.Builder second = NetNode.builder().id("rig").routerPort(first.routerPort()).routerAddress("127.0.0.1");
      assertThrows(IllegalStateException.class, second::build);
    }
    // The failed build gave its share of the process's runtime back: once 'first' closes, no thread is left.
    Threads.assertNoneLeft(RIG_THREADS);
  }

  @Test
  void closeFromDeliveryCallbackReturnsPromptly() throws Exception {
    try (RawPeer upstream = RawPeer.router("T")) {
      NetNode rig = rig(upstream).build();
      CompletableFuture<Long> closedAfterNanos = new CompletableFuture<>();
      CompletableFuture<DeliveryReceipt> f = rig.sendConfirmed("T", "DATA", 1);
      f.thenRun(() -> {
        long t0 = System.nanoTime();
        rig.close();
        closedAfterNanos.complete(System.nanoTime() - t0);
      });
      String id = Bodies.last(upstream.receiveMessage(WAIT)).get("id").asText();
      upstream.send("rig", RawPeer.pythonBody("T_0", "rig", "T", "CONFIRM", "\"" + id + "\"", "{\"NOREPEAT\": true}"));

      long nanos = closedAfterNanos.get(20, TimeUnit.SECONDS);
      assertTrue(nanos < TimeUnit.SECONDS.toNanos(2), "close() from a callback took " + nanos / 1_000_000 + " ms");
      Threads.assertNoneLeft(RIG_THREADS);
    }
  }
}
