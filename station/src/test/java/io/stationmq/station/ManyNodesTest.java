package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many NetNodes in one process on one Station, each sending one confirmed message every 100 ms
 * (a lab controller holding an endpoint per hardware object). Reports what the issue asks:
 * futures that succeeded, round trip p99, threads, time to build and to close. Slow-tagged:
 * {@code mvn -B verify -pl station -am -Dgroups=slow -Dtest=ManyNodesTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dstationmq.nodes=500 -Dstationmq.seconds=60}.
 */
@Tag("slow")
@Timeout(1200)
class ManyNodesTest {
  @Test
  void manyNodesSendConfirmedMessagesToOneStation() throws Exception {
    int nodes = Integer.getInteger("stationmq.nodes", 200);
    int seconds = Integer.getInteger("stationmq.seconds", 20);
    int threadsBefore = Thread.activeCount();
    try (Station s = Station.builder().id("S").bindAddress("127.0.0.1").build()) {
      long t0 = System.nanoTime();
      List<NetNode> all = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        all.add(NetNode.builder().id("n" + i).upstream("127.0.0.1", s.port(), "S").build());
      }
      long built = System.nanoTime() - t0;
      Await.until("all joined", Duration.ofMinutes(5), () -> s.directory().stream()
          .filter(e -> e.status() == PeerStatus.ALIVE).count() == nodes);
      int threads = Thread.activeCount() - threadsBefore;
      ConcurrentLinkedQueue<CompletableFuture<DeliveryReceipt>> futures = new ConcurrentLinkedQueue<>();
      ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2, r -> new Thread(r, "test-ticks"));
      AtomicLong sent = new AtomicLong();
      for (int i = 0; i < nodes; i++) {
        NetNode n = all.get(i);
        ticks.scheduleAtFixedRate(() -> {
          futures.add(n.sendConfirmed(n.message("S", "DATA", 1).ttl(10).build()));
          sent.incrementAndGet();
        }, i % 100, 100, TimeUnit.MILLISECONDS);
      }
      long start = System.nanoTime();
      Await.until("the measured period", Duration.ofSeconds(seconds + 10),
          () -> System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(seconds));
      ticks.shutdownNow();
      ticks.awaitTermination(10, TimeUnit.SECONDS);
      long ok = 0;
      long failed = 0;
      List<Long> rtts = new ArrayList<>();
      for (CompletableFuture<DeliveryReceipt> f : futures) {
        try {
          rtts.add(f.get(120, TimeUnit.SECONDS).roundTrip().toNanos() / 1_000);
          ok++;
        } catch (Exception e) {
          failed++;
        }
      }
      Collections.sort(rtts);
      long p50 = rtts.isEmpty() ? -1 : rtts.get(rtts.size() / 2);
      long p99 = rtts.isEmpty() ? -1 : rtts.get((int) (rtts.size() * 0.99));
      long c0 = System.nanoTime();
      for (NetNode n : all) {
        n.close();
      }
      long closed = System.nanoTime() - c0;
      System.out.printf("%d nodes, %d s: %d confirmed sent, %d succeeded, %d failed; round trip p50 %d us, p99 %d us; "
          + "%d threads for the nodes (%.1f per node), %d in the process; built in %.1f s, closed in %.1f s%n", nodes, seconds,
          sent.get(), ok, failed, p50, p99, threads, (double) threads / nodes, Thread.activeCount(), built / 1e9, closed / 1e9);
      assertEquals(0, failed, "every future succeeds");
    }
  }
}
