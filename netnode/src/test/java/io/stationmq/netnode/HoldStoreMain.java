package io.stationmq.netnode;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Holds an endpoint's durable store open in a process of its own, for the test of a store
 * locked by another process: {@code HoldStoreMain DIR ID}. Prints {@code holding} once open;
 * runs until its stdin ends or it is killed.
 */
public final class HoldStoreMain {
  private HoldStoreMain() {}

  public static void main(String[] args) throws Exception {
    RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(HoldStoreMain.class), 20, TimeUnit.SECONDS.toNanos(1));
    try (DurableStore store = DurableStore.open(Durability.in(Path.of(args[0])), args[1], new Counters(), log)) {
      System.out.println("holding");
      System.out.flush();
      while (System.in.read() >= 0) {
        // Blocks until the parent closes stdin (or the process is killed).
      }
    }
  }
}
