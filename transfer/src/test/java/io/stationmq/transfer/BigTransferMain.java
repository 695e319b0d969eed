package io.stationmq.transfer;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in its own JVM by {@link BigTransferTest} (with a small {@code -Xmx}): sends SIZE bytes of
 * generated content from one NetNode through a Station to another, into DIR, and prints one line
 * {@code OK bytes sha256 MB/s maxHeapAfterGcBytes} (the largest heap in use right after a
 * collection, sampled every 50 ms) once the received file's hash matched.
 */
public final class BigTransferMain {
  private BigTransferMain() {}

  public static void main(String[] args) throws Exception {
    long size = Long.parseLong(args[0]);
    Path dir = Path.of(args[1]);
    AtomicLong maxAfterGc = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
          if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
            used += pool.getCollectionUsage().getUsed();
          }
        }
        maxAfterGc.accumulateAndGet(used, Math::max);
        try {
          TimeUnit.MILLISECONDS.sleep(50); // a sampling period, not a synchronisation
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    PatternSource content = new PatternSource(size, 7);
    try (Station station = Station.builder().id("T").bindAddress("127.0.0.1").build();
         NetNode a = NetNode.builder().id("a").upstream("127.0.0.1", station.port(), "T").build();
         NetNode b = NetNode.builder().id("b").upstream("127.0.0.1", station.port(), "T").build();
         Transfers sender = Transfers.on(a);
         Transfers receiver = Transfers.on(b)) {
      receiver.receiveInto(dir);
      if (!a.awaitConnected(java.time.Duration.ofSeconds(10)) || !b.awaitConnected(java.time.Duration.ofSeconds(10))) {
        throw new IllegalStateException("not connected");
      }
      TransferReceipt r = sender.send("b", content, "big.bin").done().get(30, TimeUnit.MINUTES);
      sampler.interrupt();
      String expected = content.sha256();
      if (!expected.equals(r.sha256()) || Files.size(dir.resolve("big.bin")) != size) {
        throw new IllegalStateException("hash " + r.sha256() + ", expected " + expected);
      }
      System.out.printf("OK %d %s %.1f %d%n", size, r.sha256(), r.megabytesPerSecond(), maxAfterGc.get());
    }
  }
}
