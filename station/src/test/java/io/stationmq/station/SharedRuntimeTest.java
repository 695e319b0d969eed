package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The endpoints of a process share one socket loop and one worker pool: a hundred NetNodes cost
 * a handful of threads, not hundreds, each keeps its own ordering, a listen that blocks does
 * not stop the others, and closing the last endpoint leaves no thread behind.
 */
@Timeout(120)
class SharedRuntimeTest {
  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void aHundredNodesShareAHandfulOfThreadsAndEveryConfirmedMessageArrives() throws Exception {
    int nodes = 100;
    int perNode = 20;
    AtomicInteger handled = new AtomicInteger();
    List<NetNode> all = new ArrayList<>();
    try (Station s = Station.builder().id("S").bindAddress("127.0.0.1")
        .listen("DATA", m -> handled.incrementAndGet()).build()) {
      try {
        for (int i = 0; i < nodes; i++) {
          all.add(NetNode.builder().id("n" + i).upstream("127.0.0.1", s.port(), "S").build());
        }
        long threads = Threads.endpointThreads().stream().filter(n -> n.startsWith("stationmq-")).count();
        assertTrue(threads <= 10, nodes + " nodes and a Station run on " + threads + " stationmq threads: "
            + Threads.endpointThreads());
        List<CompletableFuture<DeliveryReceipt>> futures = new ArrayList<>();
        for (int k = 0; k < perNode; k++) {
          for (NetNode n : all) {
            futures.add(n.sendConfirmed("S", "DATA", k));
          }
        }
        for (CompletableFuture<DeliveryReceipt> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(nodes * perNode, handled.get(), "each confirmed message handled once");
      } finally {
        long t0 = System.nanoTime();
        for (NetNode n : all) {
          n.close();
        }
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(closeMillis < 5_000, nodes + " nodes closed in " + closeMillis + " ms");
      }
    }
  }

  @Test
  void aBlockingListenOnOneNodeDoesNotStopAnother() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger quick = new AtomicInteger();
    // One lane per node and more blocked listens than the pool has core threads.
    EndpointOptions oneLane = EndpointOptions.builder().workers(1).build();
    List<NetNode> blocked = new ArrayList<>();
    try (Station s = Station.builder().id("S").bindAddress("127.0.0.1").build();
        NetNode free = NetNode.builder().id("free").upstream("127.0.0.1", s.port(), "S")
            .listen("GO", m -> quick.incrementAndGet()).build()) {
      try {
        for (int i = 0; i < 12; i++) {
          blocked.add(NetNode.builder().id("busy" + i).upstream("127.0.0.1", s.port(), "S").options(oneLane)
              .listen("WAIT", m -> release.await()).build());
        }
        for (NetNode b : blocked) {
          s.sendConfirmed(b.id(), "WAIT", 1); // repeated until the node is connected; completes after release
        }
        Await.until("every busy node is inside its listen", Duration.ofSeconds(30),
            () -> blocked.stream().allMatch(b -> b.stats().dispatched() == 1));
        DeliveryReceipt r = s.sendConfirmed("free", "GO", 1).get(30, TimeUnit.SECONDS);
        assertEquals(1, quick.get());
        assertTrue(r.attempts() >= 1);
      } finally {
        release.countDown();
        for (NetNode b : blocked) {
          b.close();
        }
      }
    }
  }
}
