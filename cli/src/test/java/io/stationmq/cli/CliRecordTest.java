package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.record.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code record}: a stream and messages into an HDF5 file for a duration, {@code --recover}, bad arguments. */
@Timeout(60)
class CliRecordTest {
  private final Closer closer = new Closer();
  private Station station;
  private List<String> connect;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    connect = List.of("--connect", "127.0.0.1:" + station.port(), "--upstream-id", "T");
  }

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  @Test
  void recordsAStreamAndMessagesForADuration() throws Exception {
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").build());
    Path out = dir.resolve("run.h5");
    CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(CliRun.args(List.of("record"),
        CliRun.args(connect, "--id", "recorder", "--stream", "seq", "--key", "EVENT", "--out", out.toString(),
            "--count", "1001", "--duration", "50", "--subject", "mouse_12"))));
    Await.registered(station, "recorder");
    // The recorder's listens are on its node before it connects: they are there once it is registered.
    JsonNode listens = station.request("recorder", "INFO", null, Duration.ofSeconds(2)).join().valueNode().path("listens");
    assertTrue(listens.toString().contains("\"seq\"") && listens.toString().contains("\"EVENT\""), listens.toString());
    try (SampleStream seq = rig.getStream("seq", "seq",
        StreamOptions.builder().to("recorder").overflow(Overflow.BLOCK).build())) {
      for (int i = 0; i < 1_000; i++) {
        seq.push(Map.of("i", i));
      }
    }
    rig.send("recorder", "EVENT", Map.of("trial", 1));
    CliRun r = run.get(30, TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("recorded 1000 samples in 1 stream(s) and 1 messages in "), r.toString());
    try (HdfFile h5 = new HdfFile(out)) {
      long[] is = (long[]) h5.getDatasetByPath("/streams/rig_seq/seq/i").getData();
      assertEquals(1_000, is.length);
      assertEquals(999, is[999]);
      assertEquals("mouse_12", h5.getAttribute("subject").getData());
    }
  }

  @Test
  void aProducerStreamingBeforeTheRecorderStartsLosesNothingOnceItIsConnected() throws Exception {
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").build());
    Await.registered(station, "rig");
    SampleStream seq = rig.getStream("seq", "seq",
        StreamOptions.builder().to("recorder").batchSize(8).overflow(Overflow.BLOCK).build());
    // 2 kHz: 10 samples every 5 ms, at least 3,000, and 1,000 more once the recorder is listed
    // (on a slow machine its command may take longer than 1.5 s to connect).
    CompletableFuture<Integer> producer = CompletableFuture.supplyAsync(() -> {
      long next = System.nanoTime();
      int end = Integer.MAX_VALUE;
      int i = 0;
      for (; i < end; i++) {
        if (end == Integer.MAX_VALUE && i >= 3_000 && station.directory().stream().anyMatch(e -> e.id().equals("recorder"))) {
          end = i + 1_000;
        }
        seq.push(Map.of("i", i));
        if (i % 10 == 9) {
          next += TimeUnit.MILLISECONDS.toNanos(5);
          LockSupport.parkNanos(next - System.nanoTime());
        }
      }
      seq.close();
      return i;
    });
    Await.until("the Station drops samples for the recorder that is not there yet", () -> station.stats().unreachable() > 0);
    Path out = dir.resolve("early.h5");
    // --duration ends the command well after the producer's 2 s or so.
    CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(CliRun.args(List.of("record"),
        CliRun.args(connect, "--id", "recorder", "--stream", "seq", "--key", "END", "--out", out.toString(),
            "--duration", "12", "--flush-interval", "0.1"))));
    int total = producer.get(30, TimeUnit.SECONDS);
    // Sent after the stream's last batch on the same connection: once confirmed, every sample reached the node.
    rig.sendConfirmed("recorder", "END", Map.of("total", total)).get(10, TimeUnit.SECONDS);
    JsonNode stats = station.request("recorder", "INFO", null, Duration.ofSeconds(2)).join().valueNode().path("stats");
    assertEquals(0, stats.path("unknownKeys").asLong(-1), "nothing reached the recorder without a listen: " + stats);
    CliRun r = run.get(30, TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.toString());
    try (HdfFile h5 = new HdfFile(out)) {
      long[] is = (long[]) h5.getDatasetByPath("/streams/rig_seq/seq/i").getData();
      assertTrue(is.length > 0 && is[0] > 0, "the producer streamed before the recorder's node existed: " + is.length);
      for (int k = 1; k < is.length; k++) {
        assertEquals(is[k - 1] + 1, is[k], "consecutive samples at " + k);
      }
      assertEquals(total - 1, is[is.length - 1], "the producer's last sample is recorded");
      long[] lost = (long[]) h5.getDatasetByPath("/streams/rig_seq/seq/lost_batches").getData();
      assertEquals(0, java.util.Arrays.stream(lost).sum(), "no batch lost once the node was connected");
      assertTrue(r.out().startsWith("recorded " + is.length + " samples in 1 stream(s) and 1 messages in "), r.toString());
    }
  }

  @Test
  void recoverTurnsAJournalIntoItsFile() throws Exception {
    NetNode rec = closer.track(NetNode.builder().id("rec").upstream("127.0.0.1", station.port(), "T").build());
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").build());
    Await.registered(station, "rig");
    Await.registered(station, "rec");
    Path file = dir.resolve("kept.h5");
    Recorder recorder = Recorder.builder().endpoint(rec).file(file).key("EVENT").keepJournal(true).start();
    for (int i = 0; i < 5; i++) {
      rig.send("rec", "EVENT", Map.of("trial", i));
    }
    Await.until("five messages recorded", () -> recorder.stats().messages() == 5);
    recorder.finish();
    Files.delete(file);
    CliRun r = CliRun.of("record", "--recover", recorder.journal().toString());
    assertEquals(0, r.code(), r.toString());
    // The record count holds the start, the messages, the end and however many clock readings were taken.
    assertTrue(r.out().matches("recovered 0 samples in 0 stream\\(s\\) and 5 messages from \\d+ records into "
        + Pattern.quote(file.toString()) + "\n"), r.toString());
    assertTrue(Files.exists(file));
  }

  @Test
  void missingOptionsAreBadArguments() {
    CliRun none = CliRun.of(CliRun.args(List.of("record"), CliRun.args(connect, "--out", "x.h5")));
    assertEquals(Main.BAD_ARGUMENTS, none.code(), none.toString());
    assertTrue(none.err().contains("at least one --stream or --key"), none.toString());
    CliRun noOut = CliRun.of(CliRun.args(List.of("record"), CliRun.args(connect, "--stream", "s")));
    assertEquals(Main.BAD_ARGUMENTS, noOut.code(), noOut.toString());
    CliRun badJournal = CliRun.of("record", "--recover", dir.resolve("nothing.journal").toString());
    assertEquals(Main.FAILURE, badJournal.code(), badJournal.toString());
  }
}
