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
    // The command connects its node, then starts recording: what arrives in between finds no
    // listen. Its INFO lists the listens once the recording has started.
    Await.until("the recorder listens to seq and EVENT", () -> {
      JsonNode listens = station.request("recorder", "INFO", null, Duration.ofSeconds(2))
          .handle((reply, error) -> error == null ? reply.valueNode().path("listens") : null).join();
      return listens != null && listens.toString().contains("\"seq\"") && listens.toString().contains("\"EVENT\"");
    });
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
