package io.stationmq.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded memory: a transfer through a Station in a JVM of its own with {@code -Xmx256m}
 * ({@link BigTransferMain}), its hash checked; prints the throughput and the largest heap in use
 * after a collection. 20 MB in every build, 1 GB with {@code -Dgroups=slow}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class BigTransferTest {
  @TempDir Path dir;

  @Test
  void twentyMegabytesUnder256MegabytesOfHeap() throws Exception {
    run(20_000_000L);
  }

  @Test
  @Tag("slow")
  void oneGigabyteUnder256MegabytesOfHeap() throws Exception {
    run(1L << 30);
  }

  private void run(long size) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = dir.resolve("child.log");
    Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", BigTransferMain.class.getName(), Long.toString(size),
        Files.createDirectory(dir.resolve("in")).toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(25, TimeUnit.MINUTES), "the transfer did not end");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    String line = out.lines().filter(l -> l.startsWith("OK ")).findFirst().orElseThrow(() -> new AssertionError(out));
    String[] f = line.split(" ");
    long maxHeap = Long.parseLong(f[4]);
    System.out.printf("%d bytes through a Station under -Xmx256m: %s MB/s, max heap after GC %.1f MiB, sha256 %s%n",
        size, f[3], maxHeap / 1048576.0, f[2]);
    assertTrue(maxHeap < 256L << 20, "heap after GC " + maxHeap);
  }
}
