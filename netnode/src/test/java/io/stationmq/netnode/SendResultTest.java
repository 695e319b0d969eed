package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Ports;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An unconfirmed send says what became of it: queued, dropped for a full send queue, or refused when closed. */
@Timeout(120)
class SendResultTest {
  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void aSendToAConnectedPeerIsQueued() {
    try (NetNode hub = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1").build();
        NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", hub.routerPort(), "hub").build()) {
      AtomicLong got = new AtomicLong();
      hub.on("X", m -> got.incrementAndGet());
      assertEquals(SendResult.QUEUED, rig.send("hub", "X", 1));
      assertEquals(SendResult.QUEUED, rig.send(rig.message("hub", "X", 2).build()));
      Await.equal("both arrive", 2L, got::get);
      assertEquals(0, rig.stats().dropped());
    }
  }

  /**
   * The upstream never answers, so the socket thread's write waits (sendTimeout) and stops
   * taking new messages: the send queue fills and further sends are dropped, and say so.
   */
  @Test
  void aFullSendQueueDropsAndSaysSo() {
    EndpointOptions options = EndpointOptions.builder().sendQueueCapacity(4).highWaterMark(1)
        .sendTimeout(Duration.ofSeconds(60)).build();
    try (NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", Ports.free(), "hub").options(options)
        .build()) {
      Map<SendResult, Long> results = new EnumMap<>(SendResult.class);
      for (int i = 0; i < 200; i++) {
        results.merge(rig.send("hub", "X", i), 1L, Long::sum);
        LockSupport.parkNanos(200_000); // give the socket thread time to take what it can
      }
      long dropped = results.getOrDefault(SendResult.DROPPED_QUEUE_FULL, 0L);
      assertTrue(dropped > 0, "some sends were dropped: " + results);
      assertTrue(results.getOrDefault(SendResult.QUEUED, 0L) >= 4, "the queue took its capacity: " + results);
      assertEquals(dropped, rig.stats().dropped(), "each drop is counted once");
    }
  }

  @Test
  void aSendAfterCloseSaysClosed() {
    NetNode rig = NetNode.builder().id("rig").routerPort(0).routerAddress("127.0.0.1").build();
    rig.close();
    assertEquals(SendResult.CLOSED, rig.send("hub", "X", 1));
    assertEquals(SendResult.CLOSED, rig.send(rig.message("hub", "X", 1).build(), Route.AUTO));
    assertEquals(0, rig.stats().dropped(), "not sent, but not a drop: the caller was told");
  }

  /**
   * A producer far faster than its consumer, with sendQueueFullWait set: it is slowed down to
   * the consumer's pace and loses nothing, where the default drops.
   */
  @Test
  void blockingProducerLosesNothingToASlowConsumer() {
    int count = 200_000;
    AtomicLong handled = new AtomicLong();
    EndpointOptions consumerOptions = EndpointOptions.builder().workers(1).workerQueueCapacity(256).build();
    EndpointOptions producerOptions = EndpointOptions.builder().sendQueueCapacity(1_000)
        .sendQueueFullWait(Duration.ofSeconds(30)).build();
    try (NetNode consumer = NetNode.builder().id("sink").routerPort(0).routerAddress("127.0.0.1")
            .options(consumerOptions)
            .listen("DATA", m -> {
              if (handled.incrementAndGet() % 50 == 0) {
                LockSupport.parkNanos(1_000_000); // slow: at most 50 messages a millisecond
              }
            }).build();
        NetNode producer = NetNode.builder().id("source").upstream("127.0.0.1", consumer.routerPort(), "sink")
            .options(producerOptions).build()) {
      Await.registered(consumer, "source");
      Map<SendResult, Long> results = new EnumMap<>(SendResult.class);
      for (int i = 0; i < count; i++) {
        results.merge(producer.send("sink", "DATA", i), 1L, Long::sum);
      }
      assertEquals(Map.of(SendResult.QUEUED, (long) count), results, "every send queued");
      try {
        Await.until("the consumer handles all", Duration.ofSeconds(90), () -> handled.get() == count);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ": handled " + handled.get() + "; producer " + producer.stats()
            + "; consumer " + consumer.stats(), e);
      }
      assertEquals(0, producer.stats().dropped(), "nothing dropped by the producer");
      assertEquals(0, producer.stats().unreachable());
    }
  }
}
