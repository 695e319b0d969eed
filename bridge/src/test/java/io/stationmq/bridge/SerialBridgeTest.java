package io.stationmq.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serial bridge reading a pseudo-terminal pair made by {@code socat}: jSerialComm opens one
 * end as the device, the test writes frames into the other as a microcontroller would. Skipped
 * where socat is not installed.
 */
@Timeout(60)
class SerialBridgeTest {
  private static final String KEY = "MCU";

  @TempDir
  Path dir;

  private final Closer closer = new Closer();
  private final AtomicLong samples = new AtomicLong();
  private final Set<Long> seqs = ConcurrentHashMap.newKeySet();
  private Process socat;
  private Station station;
  private Path device;
  private Path peer;

  @BeforeEach
  void start() throws IOException {
    Assumptions.assumeTrue(onPath("socat"),
        "socat is not installed (apt-get install socat): the serial bridge tests need a pseudo-terminal pair");
    device = dir.resolve("device");
    peer = dir.resolve("peer");
    socat = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + device, "pty,raw,echo=0,link=" + peer)
        .redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()).start();
    Await.until("socat's pseudo-terminals", () -> Files.exists(device) && Files.exists(peer));
    station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    station.onSamples(KEY, JsonNode.class, s -> {
      seqs.add(s.path("value").path("seq").asLong(-1));
      samples.incrementAndGet();
    });
  }

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
    if (socat != null) {
      socat.destroy();
      socat.waitFor();
    }
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  private SerialBridge bridge(FrameCodec codec) throws Exception {
    NetNode n = closer.track(NetNode.builder().id("mcu_bridge").upstream("127.0.0.1", station.port(), "T").build());
    assertTrue(n.awaitConnected(Duration.ofSeconds(10)));
    return closer.track(SerialBridge.builder().node(n, false).sensor("mcu_1").device(device.toString()).baud(115_200)
        .codec(codec).options(BridgeOptions.builder().key(KEY).build()).start());
  }

  private static byte[] json(int seq) {
    return ("{\"seq\":" + seq + ",\"adc\":[512,1023,0]}").getBytes(StandardCharsets.UTF_8);
  }

  /** Flips one bit of a byte inside the frame so that no delimiter appears or vanishes. */
  private static byte[] corrupt(byte[] frame, Framing framing) {
    int at = frame.length - 2;
    for (int bit = 0; bit < 8; bit++) {
      int v = (frame[at] ^ (1 << bit)) & 0xFF;
      boolean special = framing == Framing.COBS ? v == 0 : v == 0xC0 || v == 0xDB || (frame[at] & 0xFF) == 0xDB;
      if (!special) {
        frame[at] = (byte) v;
        return frame;
      }
    }
    throw new AssertionError("no bit to flip");
  }

  private void framesWithCorruptOnesArriveAndAreCounted(Framing framing, Checksum checksum) throws Exception {
    FrameCodec codec = FrameCodec.of(framing, checksum, 1024);
    SerialBridge b = bridge(codec);
    int good = 0;
    int bad = 0;
    try (OutputStream out = new FileOutputStream(peer.toFile())) {
      for (int i = 0; i < 2_000; i++) {
        byte[] frame = codec.encode(json(i));
        if (i % 20 == 7) {
          out.write(corrupt(frame, framing));
          bad++;
        } else {
          out.write(frame);
          good++;
        }
      }
      out.flush();
    }
    long expected = good;
    Await.equal("samples at the Station", expected, samples::get);
    Await.equal("handled", (long) good + bad, () -> b.stats().handled());
    assertEquals(new BridgeStats(good + bad, bad, 0, 0, 0, 0, good, 0, 0), b.stats(), b.stats().summary());
    assertEquals(good, seqs.size());
    assertFalse(seqs.contains(7L));
  }

  @Test
  void cobsFramesWithCrc16ArriveAndCorruptOnesAreCounted() throws Exception {
    framesWithCorruptOnesArriveAndAreCounted(Framing.COBS, Checksum.CRC16_CCITT);
  }

  @Test
  void slipFramesWithCrc32ArriveAndCorruptOnesAreCounted() throws Exception {
    framesWithCorruptOnesArriveAndAreCounted(Framing.SLIP, Checksum.CRC32);
  }

  @Test
  void aDeviceThatGoesAwayEndsServingAndCloseStillCleansUp() throws Exception {
    SerialBridge b = bridge(FrameCodec.of(Framing.COBS, Checksum.CRC16_CCITT, 256));
    assertTrue(b.isServing());
    socat.destroy();
    socat.waitFor();
    Await.until("serving ended after the device went away", () -> !b.isServing());
  }

  @Test
  void aMissingDeviceFailsAtStart() {
    NetNode n = closer.track(NetNode.builder().id("mcu_bridge").upstream("127.0.0.1", station.port(), "T").build());
    IOException e = assertThrows(IOException.class, () -> SerialBridge.builder().node(n, false)
        .device(dir.resolve("no-such-tty").toString()).options(BridgeOptions.builder().key(KEY).build()).start());
    assertTrue(e.getMessage().contains("cannot open serial device"), e.getMessage());
  }
}
