package io.stationmq.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorder in a child JVM is SIGKILLed mid-stream; its journal, recovered, holds every sample
 * it received up to about a flush interval (1 s) before the kill, in order, and nothing torn.
 */
@Timeout(120)
class RecorderKillTest {
  /** What the issue allows to be lost (a second), plus slack for a machine shared with other builds. */
  private static final long ALLOWED_MILLIS = 1_500;
  private final Closer closer = new Closer();
  @TempDir Path dir;

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  @Test
  void aKilledRecordingIsRecoveredUpToTheLastSecond() throws Exception {
    Station station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").build());
    Await.registered(station, "rig");
    Path file = dir.resolve("killed.h5");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(List.of(java.toString(), "-Xmx256m",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        RecordMain.class.getName(), Integer.toString(station.port()), file.toString()))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do { // the child's log lines may come first
        line = out.readLine();
      } while (line != null && !line.equals("RECORDING"));
      assertEquals("RECORDING", line, "the child recorder started");
      Await.registered(station, "rec");

      int max = 20_000;
      long[] pushedAt = new long[max];
      int pushed = 0;
      long killAt;
      StreamOptions opts = StreamOptions.builder().to("rec").batchSize(16).overflow(Overflow.BLOCK).build();
      try (SampleStream seq = rig.getStream("seq", "seq", opts)) {
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(3_400); // not a whole number of flush intervals
        long next = start;
        while (System.nanoTime() < end && pushed < max) { // about 2 kHz: 10 samples every 5 ms
          for (int k = 0; k < 10; k++) {
            pushedAt[pushed] = System.currentTimeMillis();
            seq.push(Map.of("i", pushed));
            pushed++;
          }
          next += TimeUnit.MILLISECONDS.toNanos(5);
          LockSupport.parkNanos(next - System.nanoTime());
        }
        killAt = System.currentTimeMillis();
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child died");
      }

      ConversionReport report = Recorder.recover(dir.resolve("killed.h5.journal"), file);
      assertFalse(report.complete(), "a killed recording has no end record");
      long[] is;
      try (HdfFile h5 = new HdfFile(file)) {
        is = (long[]) h5.getDatasetByPath("/streams/rig_seq/seq/i").getData();
      }
      for (int i = 0; i < is.length; i++) {
        assertEquals(i, is[i], "the recovered samples are in order and complete up to the last");
      }
      int mustHave = 0;
      while (mustHave < pushed && pushedAt[mustHave] < killAt - ALLOWED_MILLIS) {
        mustHave++;
      }
      long lostWindow = is.length == 0 ? killAt - pushedAt[0] : killAt - pushedAt[is.length - 1];
      System.out.printf("kill test: %d samples pushed, %d recovered, the last recovered one pushed %d ms before the kill "
          + "(%d records, %d bytes of torn tail dropped)%n", pushed, is.length, lostWindow, report.records(),
          report.droppedTailBytes());
      assertTrue(is.length >= mustHave, "recovered " + is.length + " samples; every one pushed more than "
          + ALLOWED_MILLIS + " ms before the kill (" + mustHave + ") must be there");
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
