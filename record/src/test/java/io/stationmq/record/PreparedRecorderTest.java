package io.stationmq.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.ReceivedStream;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorder prepared before its node exists: a producer already streams to the recorder's id
 * when the node is built with the recorder's listens, and the recording, started only after the
 * node has received samples, holds every sample the node received (none counted as an unknown
 * key), in order, through the producer's last.
 */
@Timeout(120)
class PreparedRecorderTest {
  private final Closer closer = new Closer();
  private Station station;
  @TempDir Path dir;

  @BeforeEach
  void station() {
    station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
  }

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private NetNode.Builder node(String id) {
    return NetNode.builder().id(id).upstream("127.0.0.1", station.port(), "T");
  }

  @Test
  void nothingReceivedBeforeTheRecorderStartsIsLost() throws Exception {
    NetNode rig = closer.track(node("rig").build());
    Await.registered(station, "rig");
    SampleStream lick = rig.getStream("lick", "lick",
        StreamOptions.builder().to("rec").batchSize(16).overflow(Overflow.BLOCK).build());
    AtomicLong pushed = new AtomicLong();
    Thread producer = new Thread(() -> {
      long next = System.nanoTime();
      while (!Thread.currentThread().isInterrupted()) {
        for (int k = 0; k < 10; k++) { // 2 kHz: 10 samples every 5 ms
          long i = pushed.get();
          lick.push(Map.of("i", i, "x", i * 0.5));
          pushed.incrementAndGet();
        }
        next += TimeUnit.MILLISECONDS.toNanos(5);
        LockSupport.parkNanos(next - System.nanoTime());
      }
    }, "test-producer");
    producer.start();
    try {
      Await.until("the Station drops samples for the recorder that is not there yet",
          () -> station.stats().unreachable() > 0 && pushed.get() > 200);

      Path file = dir.resolve("early.h5");
      PreparedRecorder prepared = closer.track(Recorder.builder().file(file).stream("lick").key("END")
          .flushInterval(Duration.ofMillis(100)).prepare());
      assertTrue(Files.exists(prepared.journal()), "the journal exists before the node");
      NetNode.Builder nb = node("rec");
      prepared.listens().forEach(nb::listen);
      NetNode rec = closer.track(nb.build());
      // The window the prepared listens close: the node receives samples before the recording starts.
      Await.until("the node receives samples before the recording starts", () -> received(rec) >= 100);
      Recorder recorder = closer.track(prepared.start(rec));
      long receivedAtStart = received(rec);
      Await.until("samples recorded after the start", () -> recorder.stats().samples() > receivedAtStart + 200);
      producer.interrupt();
      producer.join(10_000);
      lick.close();
      // Sent after the stream's last batch on the same connection: once it is recorded, every
      // sample has reached the node.
      rig.sendConfirmed("rec", "END", Map.of("pushed", pushed.get())).get(10, TimeUnit.SECONDS);
      Await.until("the END message recorded", () -> recorder.stats().messages() == 1);
      long received = received(rec);
      Await.until("every received sample recorded", () -> recorder.stats().samples() == received);
      ConversionReport report = recorder.finish();

      assertEquals(0, rec.stats().unknownKeys(), "nothing counted as an unknown key: " + rec.stats());
      assertEquals(received, report.samples(), "the recording holds every sample the node received");
      assertEquals(0, recorder.stats().droppedSamples());
      try (HdfFile h5 = new HdfFile(file)) {
        long[] is = (long[]) h5.getDatasetByPath("/streams/rig_lick/lick/i").getData();
        assertEquals(received, is.length);
        assertTrue(is[0] > 0, "the producer streamed before the node existed; first recorded: " + is[0]);
        for (int k = 1; k < is.length; k++) {
          assertEquals(is[k - 1] + 1, is[k], "consecutive samples at " + k);
        }
        assertEquals(pushed.get() - 1, is[is.length - 1], "the producer's last sample is recorded");
        long[] lost = (long[]) h5.getDatasetByPath("/streams/rig_lick/lick/lost_batches").getData();
        assertEquals(0, Arrays.stream(lost).sum(), "no batch lost once the node was connected");
      }
    } finally {
      producer.interrupt();
      producer.join(10_000);
      lick.close();
    }
  }

  private static long received(NetNode node) {
    return node.receivedStreams().stream().mapToLong(ReceivedStream::samples).sum();
  }

  @Test
  void aPreparedRecordingClosedUnstartedLeavesNoJournalAndStartsOnce() throws Exception {
    NetNode rec = closer.track(node("rec").build());
    PreparedRecorder unused = Recorder.builder().file(dir.resolve("unused.h5")).stream("lick").prepare();
    assertTrue(Files.exists(unused.journal()));
    unused.close();
    assertFalse(Files.exists(unused.journal()), "an unstarted recording's journal is deleted");
    assertThrows(IllegalStateException.class, () -> unused.start(rec));

    PreparedRecorder prepared = Recorder.builder().file(dir.resolve("late.h5")).stream("lick").prepare();
    Recorder recorder = prepared.start(rec); // listens not given to the builder: registered now
    assertThrows(IllegalStateException.class, () -> prepared.start(rec));
    prepared.close(); // started: the recorder owns the recording
    assertTrue(Files.exists(recorder.journal()));
    ConversionReport report = recorder.finish();
    assertEquals(0, report.samples());
    assertTrue(Files.exists(dir.resolve("late.h5")));
  }
}
