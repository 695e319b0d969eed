package io.stationmq.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The abstract {@link Bridge} with a bridge of the test's own: inputs from a queue, onRaw
 * decisions by payload. Real Station and NetNode on loopback.
 */
@Timeout(60)
class BridgeTest {
  private final Closer closer = new Closer();
  private Station station;
  private NetNode node;

  /** Serves strings from a queue: "skip" is ignored, "boom" throws, "msg" is a Message, others forwarded. */
  private final class QueueBridge extends Bridge {
    final BlockingQueue<String> inputs = new ArrayBlockingQueue<>(10_000);
    final AtomicLong released = new AtomicLong();

    QueueBridge(BridgeOptions options) {
      super("queue", node, false, options);
    }

    @Override
    protected void initialize() {}

    @Override
    protected void serve() throws java.io.IOException {
      while (!isStopping()) {
        try {
          String s = inputs.poll(100, TimeUnit.MILLISECONDS);
          if (s == null) {
            idle();
          } else if (s.equals("frame-error")) {
            reportMalformed("a bad frame");
          } else {
            handle(s.getBytes(StandardCharsets.UTF_8), Instant.now());
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    @Override
    protected Optional<Object> onRaw(byte[] raw, Instant captured) {
      String s = new String(raw, StandardCharsets.UTF_8);
      switch (s) {
        case "skip":
          return Optional.empty();
        case "boom":
          throw new IllegalStateException("a bug in onRaw");
        case "bad":
          throw new MalformedInputException("not a reading");
        case "msg":
          return Optional.of(node().message("T", "RAW", "as a message").build());
        default:
          return Optional.of(s);
      }
    }

    @Override
    protected void interrupt() {}

    @Override
    protected void release() {
      released.incrementAndGet();
    }
  }

  @BeforeEach
  void start() throws InterruptedException {
    station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    node = closer.track(NetNode.builder().id("q").upstream("127.0.0.1", station.port(), "T").build());
    assertTrue(node.awaitConnected(Duration.ofSeconds(10)));
  }

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  @Test
  void everyInputEndsInExactlyOneCounterAndNothingStopsTheBridge() throws Exception {
    Recorder values = new Recorder();
    Recorder raw = new Recorder();
    station.on("V", values);
    station.on("RAW", raw);
    QueueBridge b = closer.track(new QueueBridge(BridgeOptions.builder().key("V").forwarding(Forwarding.UNCONFIRMED)
        .build()));
    b.start();
    assertTrue(Threads.endpointThreads().contains("stationmq-bridge-queue"));
    for (String s : new String[] {"a", "skip", "boom", "bad", "frame-error", "msg", "b"}) {
      b.inputs.add(s);
    }
    Await.equal("all handled", 7L, () -> b.stats().handled());
    assertEquals(new BridgeStats(7, 3, 1, 0, 0, 0, 3, 0, 0), b.stats(), b.stats().summary());
    assertEquals("a", values.next().value(String.class));
    assertEquals("b", values.next().value(String.class));
    assertEquals("as a message", raw.next().value(String.class));
    assertTrue(b.isServing());
    b.close();
    b.close();
    assertFalse(b.isServing());
    assertEquals(1, b.released.get(), "released once");
    Threads.assertNoneLeft("stationmq-bridge-");
    assertThrows(IllegalStateException.class, b::start);
  }

  @Test
  void theRateLimitRefillsWithItsClockAndKeepsAtMostOneSecondsWorth() {
    long[] now = {0};
    RateLimiter r = new RateLimiter(10, () -> now[0]);
    int passed = 0;
    for (int i = 0; i < 100; i++) {
      passed += r.tryAcquire() ? 1 : 0;
    }
    assertEquals(10, passed, "a full bucket: one second's worth");
    now[0] += 500_000_000L; // half a second: 5 more
    passed = 0;
    for (int i = 0; i < 100; i++) {
      passed += r.tryAcquire() ? 1 : 0;
    }
    assertEquals(5, passed);
    now[0] += 3_600_000_000_000L; // an hour idle still holds only one second's worth
    passed = 0;
    for (int i = 0; i < 100; i++) {
      passed += r.tryAcquire() ? 1 : 0;
    }
    assertEquals(10, passed);
    RateLimiter slow = new RateLimiter(0.5, () -> now[0]);
    assertTrue(slow.tryAcquire(), "below one per second the bucket still holds one");
    assertFalse(slow.tryAcquire());
    now[0] += 2_000_000_000L;
    assertTrue(slow.tryAcquire());
  }

  @Test
  void confirmedForwardingBoundsWhatIsInFlightAndCountsTheRestAsDropped() throws Exception {
    // A recipient whose listen waits: a confirmation means the listen ran, so 5 stay in flight.
    CountDownLatch open = new CountDownLatch(1);
    closer.track(NetNode.builder().id("slow").upstream("127.0.0.1", station.port(), "T").listen("V", m -> {
      try {
        open.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).build()).awaitConnected(Duration.ofSeconds(10));
    QueueBridge b = closer.track(new QueueBridge(BridgeOptions.builder().key("V").to("slow")
        .forwarding(Forwarding.CONFIRMED).maxInFlight(5).build()));
    b.start();
    for (int i = 0; i < 20; i++) {
      b.inputs.add("x" + i);
    }
    Await.equal("all handled", 20L, () -> b.stats().handled());
    assertEquals(new BridgeStats(20, 0, 0, 0, 0, 15, 5, 0, 0), b.stats(), b.stats().summary());
    open.countDown();
    Await.equal("confirmed", 5L, () -> b.stats().confirmed());
  }

  @Test
  void aBridgeNeedsARecipientAndAPlainName() {
    NetNode lone = closer.track(NetNode.builder().id("lone").routerPort(0).build());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new NamedBridge("x", lone));
    assertTrue(e.getMessage().contains("no upstream"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new NamedBridge("bad name!", node));
  }

  private static final class NamedBridge extends Bridge {
    NamedBridge(String name, NetNode node) {
      super(name, node, false, BridgeOptions.builder().key("K").build());
    }
    @Override
    protected void initialize() {}

    @Override
    protected void serve() {}

    @Override
    protected Optional<Object> onRaw(byte[] raw, Instant captured) {
      return Optional.empty();
    }

    @Override
    protected void interrupt() {}

    @Override
    protected void release() {}
  }
}
