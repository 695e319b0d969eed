package io.stationmq.station;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.SendResult;
import io.stationmq.netnode.Station;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A flood in a process of its own, run under a small heap by {@link HeapFloodTest}: {@code
 * HeapFloodMain SECONDS}. A Station, a producer that sends unconfirmed 1 KiB messages as fast as
 * it can, and a consumer whose listen is slow; alongside, the producer sends one confirmed
 * message every 10 ms. Prints one {@code result k=v ...} line: unconfirmed sent, queued and
 * dropped, confirmed sent, succeeded, failed, handled (and handled twice), the most heap used
 * after a collection, and exits 0. An OutOfMemoryError ends it with another status.
 */
public final class HeapFloodMain {
  private HeapFloodMain() {}

  public static void main(String[] args) throws Exception {
    long seconds = Long.parseLong(args[0]);
    Map<Integer, Integer> handled = new ConcurrentHashMap<>();
    AtomicLong floodHandled = new AtomicLong();
    String payload = "x".repeat(1024);
    try (Station s = Station.builder().id("S").bindAddress("127.0.0.1").build();
        NetNode consumer = NetNode.builder().id("sink").upstream("127.0.0.1", s.port(), "S")
            .listen("FLOOD", m -> {
              if (floodHandled.incrementAndGet() % 100 == 0) {
                LockSupport.parkNanos(1_000_000); // a consumer far slower than its producer
              }
            })
            .listen("DATA", m -> handled.merge(m.value(Integer.class), 1, Integer::sum)).build();
        NetNode producer = NetNode.builder().id("src").upstream("127.0.0.1", s.port(), "S").build()) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (s.directory().stream().filter(e -> Set.of("sink", "src").contains(e.id())
          && e.status() == PeerStatus.ALIVE).count() < 2) {
        if (System.nanoTime() > until) {
          throw new IllegalStateException("nodes did not join");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling, with the deadline above
      }
      List<CompletableFuture<DeliveryReceipt>> confirmed = new ArrayList<>();
      long queued = 0;
      long dropped = 0;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long nextConfirmed = 0;
      int n = 0;
      long maxHeap = 0;
      long nextSample = 0;
      while (System.nanoTime() < end) {
        for (int i = 0; i < 100; i++) {
          if (producer.send("sink", "FLOOD", payload) == SendResult.QUEUED) {
            queued++;
          } else {
            dropped++;
          }
        }
        long now = System.nanoTime();
        if (now >= nextConfirmed) {
          confirmed.add(producer.sendConfirmed(producer.message("sink", "DATA", n++).ttl(10).build()));
          nextConfirmed = now + TimeUnit.MILLISECONDS.toNanos(10);
        }
        if (now >= nextSample) {
          maxHeap = Math.max(maxHeap, heapAfterGc());
          nextSample = now + TimeUnit.SECONDS.toNanos(1);
        }
      }
      long succeeded = 0;
      long failed = 0;
      List<Integer> succeededValues = new ArrayList<>();
      for (int i = 0; i < confirmed.size(); i++) {
        try {
          confirmed.get(i).get(120, TimeUnit.SECONDS);
          succeeded++;
          succeededValues.add(i);
        } catch (Exception e) {
          failed++;
        }
      }
      // Every queued flood message is handled or counted as dropped somewhere; wait until the
      // last ones in flight have settled (bounded), so the test can check the sum exactly.
      long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (floodHandled.get() + s.stats().dropped() + consumer.stats().dropped() + producer.stats().dropped() < queued
          && System.nanoTime() < settle) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling, with the deadline above
      }
      long lost = succeededValues.stream().filter(v -> !handled.containsKey(v)).count();
      long twice = handled.values().stream().filter(c -> c > 1).count();
      System.out.println("result unconfirmedQueued=" + queued + " unconfirmedDropped=" + dropped
          + " floodHandled=" + floodHandled.get() + " confirmed=" + confirmed.size() + " succeeded=" + succeeded
          + " failed=" + failed + " lost=" + lost + " twice=" + twice + " maxHeapAfterGcMb=" + maxHeap / (1 << 20)
          + " stationDropped=" + s.stats().dropped() + " consumerDropped=" + consumer.stats().dropped()
          + " producerDropped=" + producer.stats().dropped());
      System.out.flush();
    }
  }

  /** Heap in use after the last collection, summed over the heap pools. */
  private static long heapAfterGc() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        used += pool.getCollectionUsage().getUsed();
      }
    }
    return used;
  }
}
