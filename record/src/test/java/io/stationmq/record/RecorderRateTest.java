package io.stationmq.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jhdf.HdfFile;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four streams at a fixed rate through a Station into a recording: every sample there, in order
 * (a short run in every build, a minute tagged slow), and what a recorder sustains when the four
 * are asked for 100 kHz together (a figure printed, not asserted).
 */
@Timeout(300)
class RecorderRateTest {
  private final Closer closer = new Closer();
  @TempDir Path dir;

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  /** What one run did: samples asked for, pushed, recorded, lost, dropped, and how long it took. */
  private record Run(long wanted, long pushed, RecorderStats stats, double seconds, double convertSeconds, Path file) {}

  private Run run(int streams, int ratePerStream, double seconds, boolean waitForAll) throws Exception {
    Station station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").build());
    NetNode rec = closer.track(NetNode.builder().id("rec").upstream("127.0.0.1", station.port(), "T").build());
    Await.registered(station, "rig");
    Await.registered(station, "rec");
    Path file = dir.resolve("rate.h5");
    Recorder.Builder b = Recorder.builder().endpoint(rec).file(file);
    List<SampleStream> out = new ArrayList<>();
    StreamOptions opts = StreamOptions.builder().to("rec").overflow(Overflow.BLOCK).build();
    for (int s = 0; s < streams; s++) {
      b.stream("ch" + s);
    }
    Recorder recorder = b.start();
    for (int s = 0; s < streams; s++) {
      out.add(rig.getStream("ch" + s, "ch" + s, opts));
    }
    long wanted = (long) (ratePerStream * seconds) * streams;
    long perTick = Math.max(1, ratePerStream / 100); // samples per stream every 10 ms
    long total = (long) (ratePerStream * seconds);
    long start = System.nanoTime();
    long next = start;
    long i = 0;
    while (i < total) {
      for (long k = 0; k < perTick && i < total; k++, i++) {
        for (SampleStream s : out) {
          s.push(Map.of("i", i, "x", i * 0.25));
        }
      }
      next += TimeUnit.MILLISECONDS.toNanos(10);
      LockSupport.parkNanos(next - System.nanoTime());
    }
    for (SampleStream s : out) {
      s.close();
    }
    long pushed = i * streams;
    if (waitForAll) {
      Await.until("every sample recorded", Duration.ofSeconds(60), () -> recorder.stats().samples() == pushed);
    } else {
      Await.until("the recorder settles", Duration.ofSeconds(60), () -> {
        long before = recorder.stats().samples();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // a quiet spell: nothing more comes
        return recorder.stats().samples() == before;
      });
    }
    double took = (System.nanoTime() - start) / 1e9;
    RecorderStats stats = recorder.stats();
    long c0 = System.nanoTime();
    recorder.finish();
    return new Run(wanted, pushed, stats, took, (System.nanoTime() - c0) / 1e9, file);
  }

  private static void assertComplete(Run r, int streams) throws Exception {
    assertEquals(r.wanted(), r.pushed());
    assertEquals(r.wanted(), r.stats().samples(), "recorded: " + r.stats());
    assertEquals(0, r.stats().lostBatches(), "lost: " + r.stats());
    assertEquals(0, r.stats().droppedSamples(), "dropped: " + r.stats());
    try (HdfFile h5 = new HdfFile(r.file())) {
      for (int s = 0; s < streams; s++) {
        long[] is = (long[]) h5.getDatasetByPath("/streams/rig_ch" + s + "/ch" + s + "/i").getData();
        assertEquals(r.wanted() / streams, is.length);
        for (int i = 0; i < is.length; i++) {
          assertEquals(i, is[i], "stream ch" + s + " sample " + i);
        }
      }
    }
  }

  @Test
  void fourStreamsAt1kHzForThreeSecondsAllRecordedInOrder() throws Exception {
    assertComplete(run(4, 1_000, 3, true), 4);
  }

  @Test
  @Tag("slow")
  void fourStreamsAt1kHzForAMinuteAllRecordedInOrder() throws Exception {
    Run r = run(4, 1_000, 60, true);
    System.out.printf("4 x 1 kHz for 60 s: %d samples recorded, %d lost batches, %d dropped; converted in %.1f s%n",
        r.stats().samples(), r.stats().lostBatches(), r.stats().droppedSamples(), r.convertSeconds());
    assertComplete(r, 4);
  }

  @Test
  @Tag("slow")
  void whatFourStreamsAskedFor100kHzTogetherSustain() throws Exception {
    Run r = run(4, 25_000, 10, false);
    System.out.printf("4 x 25 kHz (100 kHz) for 10 s: %d samples asked, %d pushed, %d recorded in %.1f s "
        + "(%.0f samples/s), %d batches lost on the way, %d samples dropped by the recorder, journal %.1f MB; "
        + "converted in %.1f s%n", r.wanted(), r.pushed(), r.stats().samples(), r.seconds(),
        r.stats().samples() / r.seconds(), r.stats().lostBatches(), r.stats().droppedSamples(),
        r.stats().journalBytes() / 1e6, r.convertSeconds());
  }
}
