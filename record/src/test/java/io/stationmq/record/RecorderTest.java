package io.stationmq.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.stationmq.netnode.ClockOffset;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.WallClock;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording end to end: a producer whose clock runs 250 ms ahead streams through a Station to
 * a recording node; the file is read back with jHDF and, where Debian's python3-h5py is
 * installed, with h5py in a child process.
 */
@Timeout(120)
class RecorderTest {
  private static final long SKEW_NANOS = 250_000_000L;
  private final Closer closer = new Closer();
  @TempDir Path dir;

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private static EndpointOptions clocks(WallClock clock) {
    return EndpointOptions.builder().wallClock(clock).clockSyncInterval(Duration.ofMillis(300))
        .heartbeatInterval(Duration.ofMillis(300)).build();
  }

  @Test
  void everySampleInOrderWithItsFieldsClockOffsetsAndMessages() throws Exception {
    Station station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1")
        .options(clocks(WallClock.system())).build());
    WallClock ahead = () -> WallClock.system().epochNanos() + SKEW_NANOS;
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T")
        .options(clocks(ahead)).build());
    NetNode rec = closer.track(NetNode.builder().id("rec").upstream("127.0.0.1", station.port(), "T")
        .options(clocks(WallClock.system())).build());
    Await.registered(station, "rig");
    Await.registered(station, "rec");
    Await.until("the producer's clock offset reaches the Station's directory", () -> known(station, "rig"));
    Await.until("the recorder knows its own offset", () -> rec.clockOffset().isKnown());

    Path file = dir.resolve("session.h5");
    Recorder recorder = Recorder.builder().endpoint(rec).file(file).stream("lick").stream("wheel").key("EVENT")
        .header("subject", "mouse_12").flushInterval(Duration.ofMillis(200)).clockInterval(Duration.ofMillis(200))
        .start();
    StreamOptions to = StreamOptions.builder().to("rec").batchSize(16).overflow(Overflow.BLOCK).build();
    int lickN = 5_000;
    int wheelN = 3_000;
    try (SampleStream lick = rig.getStream("lick", "lick", to); SampleStream wheel = rig.getStream("wheel", "wheel", to)) {
      for (int i = 0; i < Math.max(lickN, wheelN); i++) {
        if (i < lickN) {
          lick.push(Map.of("i", i, "x", i * 0.5, "ok", i % 2 == 0, "name", "s" + i, "v", List.of(i, i + 1, i + 2)));
        }
        if (i < wheelN) {
          wheel.push(i * 2);
        }
      }
    }
    for (int i = 0; i < 10; i++) {
      rig.send("rec", "EVENT", Map.of("trial", i));
    }
    Await.until("every sample and message recorded",
        () -> recorder.stats().samples() == lickN + wheelN && recorder.stats().messages() == 10);
    ConversionReport report = recorder.finish();
    assertEquals(lickN + wheelN, report.samples());
    assertEquals(10, report.messages());
    assertTrue(report.complete());
    assertEquals(0, report.droppedTailBytes());
    assertFalse(Files.exists(recorder.journal()), "the journal is deleted once converted");
    ClockOffset recOffset = rec.clockOffset();

    try (HdfFile h5 = new HdfFile(file)) {
      String lickPath = "/streams/rig_lick/lick/";
      long[] is = (long[]) h5.getDatasetByPath(lickPath + "i").getData();
      assertEquals(lickN, is.length);
      for (int i = 0; i < lickN; i++) {
        assertEquals(i, is[i], "sample order at " + i);
      }
      double[] x = (double[]) h5.getDatasetByPath(lickPath + "x").getData();
      assertEquals(4_999 * 0.5, x[lickN - 1]);
      String[] names = (String[]) h5.getDatasetByPath(lickPath + "name").getData();
      assertEquals("s4321", names[4321]);
      double[][] v = (double[][]) h5.getDatasetByPath(lickPath + "v").getData();
      assertArrayEquals(new double[] {7, 8, 9}, v[7]);
      long[] lost = (long[]) h5.getDatasetByPath(lickPath + "lost_batches").getData();
      assertEquals(0, java.util.Arrays.stream(lost).sum());
      long[] wheel = (long[]) h5.getDatasetByPath("/streams/rig_wheel/wheel/value").getData();
      assertEquals(wheelN, wheel.length);
      for (int i = 0; i < wheelN; i++) {
        assertEquals(i * 2L, wheel[i]);
      }
      // Timestamps are the producer's (250 ms ahead); local_time takes the recorded offset off.
      double[] ts = (double[]) h5.getDatasetByPath(lickPath + "timestamp").getData();
      double[] local = (double[]) h5.getDatasetByPath(lickPath + "local_time").getData();
      double now = System.currentTimeMillis() / 1e3;
      assertTrue(ts[0] > now - 60 && ts[lickN - 1] < now + 1, "timestamps are epoch seconds: " + ts[0]);
      for (int i = 0; i < lickN; i += 97) {
        assertEquals(SKEW_NANOS / 1e9, ts[i] - local[i], 0.02, "offset taken off sample " + i);
      }
      // The offsets recorded agree with the directory: rig minus rec = (rig - T) - (rec - T).
      double[] offsets = (double[]) h5.getDatasetByPath("/clock_offsets/rig/offset").getData();
      double[] unc = (double[]) h5.getDatasetByPath("/clock_offsets/rig/uncertainty").getData();
      DirectoryEntry rigEntry = station.directory().stream().filter(e -> e.id().equals("rig")).findFirst().orElseThrow();
      double expected = (rigEntry.clockOffset().offsetNanos() - recOffset.offsetNanos()) / 1e9;
      double last = offsets[offsets.length - 1];
      assertEquals(expected, last, unc[unc.length - 1] + 0.005, "the last recorded offset against the directory's");
      assertEquals(SKEW_NANOS / 1e9, last, unc[unc.length - 1] + 0.005, "the recorded offset against the true skew");
      assertTrue(h5.getDatasetByPath("/clock_offsets/T/offset").getData() instanceof double[]);
      String[] events = (String[]) h5.getDatasetByPath("/messages/EVENT/value").getData();
      assertEquals(10, events.length);
      assertEquals("{\"trial\":9}", events[9]);
      assertEquals("mouse_12", h5.getAttribute("subject").getData());
      assertEquals(Recorder.VERSION, h5.getAttribute("stationmq_version").getData());
    }
    readBackWithH5py(file, lickN, wheelN);
  }

  private static boolean known(Station station, String id) {
    return station.directory().stream().anyMatch(e -> e.id().equals(id) && e.clockOffset().isKnown());
  }

  /** The same file through h5py, as a lab's analysis opens it; skipped without python3-h5py. */
  static void readBackWithH5py(Path file, int lickN, int wheelN) throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "skipped the h5py read-back: no /usr/bin/python3");
    Process probe = new ProcessBuilder(python.toString(), "-c", "import h5py").start();
    Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
        "skipped the h5py read-back: /usr/bin/python3 has no h5py (Debian: apt-get install python3-h5py)");
    String script = String.join("\n",
        "import sys, json, h5py",
        "f = h5py.File(sys.argv[1], 'r')",
        "g = f['streams/rig_lick/lick']",
        "i = g['i'][()]",
        "out = {'lick': int(len(i)), 'ordered': bool((i == list(range(len(i)))).all()),",
        "  'wheel': int(len(f['streams/rig_wheel/wheel/value'])), 'wheel_sum': int(f['streams/rig_wheel/wheel/value'][()].sum()),",
        "  'x_dtype': str(g['x'].dtype), 'i_dtype': str(g['i'].dtype), 'v_shape': list(g['v'].shape),",
        "  'name': g['name'].asstr()[1234], 'skew': float((g['timestamp'][()] - g['local_time'][()]).mean()),",
        "  'events': [json.loads(s) for s in f['messages/EVENT/value'].asstr()[()]][-1],",
        "  'subject': f.attrs['subject'].decode() if isinstance(f.attrs['subject'], bytes) else f.attrs['subject'],",
        "  'offsets': int(len(f['clock_offsets/rig/offset']))}",
        "print(json.dumps(out))");
    Process p = new ProcessBuilder(python.toString(), "-c", script, file.toString()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "h5py finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.exitValue(), "h5py output: " + out);
    JsonNode r = new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
    assertEquals(lickN, r.path("lick").asInt(), out);
    assertTrue(r.path("ordered").asBoolean(), out);
    assertEquals(wheelN, r.path("wheel").asInt(), out);
    assertEquals((long) wheelN * (wheelN - 1), r.path("wheel_sum").asLong(), out);
    assertEquals("float64", r.path("x_dtype").asText(), out);
    assertEquals("int64", r.path("i_dtype").asText(), out);
    assertEquals(List.of(lickN, 3), List.of(r.path("v_shape").get(0).asInt(), r.path("v_shape").get(1).asInt()), out);
    assertEquals("s1234", r.path("name").asText(), out);
    assertEquals(SKEW_NANOS / 1e9, r.path("skew").asDouble(), 0.02, out);
    assertEquals(9, r.path("events").path("trial").asInt(), out);
    assertEquals("mouse_12", r.path("subject").asText(), out);
    assertTrue(r.path("offsets").asInt() > 0, out);
  }
}
