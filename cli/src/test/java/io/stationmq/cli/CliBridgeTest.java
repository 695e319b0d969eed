package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code bridge udp} and {@code bridge serial} in process: bad values, a UDP bridge to a real Station. */
@Timeout(60)
class CliBridgeTest {
  private final Closer closer = new Closer();
  private final AtomicLong samples = new AtomicLong();
  private Station t;
  private String connect;

  @BeforeEach
  void startStation() {
    t = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    t.onSamples("GPS", JsonNode.class, s -> samples.incrementAndGet());
    connect = "127.0.0.1:" + t.port();
  }

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private static void assertBad(String message, String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(message), r.toString());
  }

  @Test
  void badValuesExitTwoNamingTheOption() {
    assertBad("--port must be 0..65535, got 70000",
        "bridge", "udp", "--port", "70000", "--key", "GPS", "--connect", connect, "--upstream-id", "T");
    assertBad("--every must be 1..", "bridge", "udp", "--port", "0", "--key", "GPS", "--every", "0",
        "--connect", connect, "--upstream-id", "T");
    assertBad("--max-rate must be 0", "bridge", "udp", "--port", "0", "--key", "GPS", "--max-rate", "-5",
        "--connect", connect, "--upstream-id", "T");
    assertBad("--forwarding must be stream, confirmed or unconfirmed, got maybe", "bridge", "udp", "--port", "0",
        "--key", "GPS", "--forwarding", "maybe", "--connect", connect, "--upstream-id", "T");
    assertBad("--framing must be cobs or slip, got hdlc", "bridge", "serial", "--device", "/dev/null", "--key", "GPS",
        "--framing", "hdlc", "--connect", connect, "--upstream-id", "T");
    assertBad("--baud must be 1..10000000, got 0", "bridge", "serial", "--device", "/dev/null", "--key", "GPS",
        "--baud", "0", "--connect", connect, "--upstream-id", "T");
    assertBad("name the bridge", "bridge");
  }

  @Test
  void aMissingSerialDeviceExitsOneSayingSo() {
    CliRun r = CliRun.of("bridge", "serial", "--device", "/nonexistent/ttyX", "--key", "GPS", "--connect", connect,
        "--upstream-id", "T");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("cannot open serial device /nonexistent/ttyX"), r.toString());
  }

  @Test
  void aUdpBridgePrintsWhereItServesForwardsDatagramsAndPrintsItsCounters() throws Exception {
    StringWriter out = new StringWriter(); // StringBuffer inside: safe to read while the command writes
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
      CommandLine cl = Main.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      return cl.execute("bridge", "udp", "--port", "0", "--bind", "127.0.0.1", "--key", "GPS", "--sensor", "gps_1",
          "--every", "2", "--count", "40", "--connect", connect, "--upstream-id", "T");
    });
    Pattern serving = Pattern.compile("bridging udp 127\\.0\\.0\\.1:(\\d+) to T as GPS \\(stream\\)");
    Await.until("the serving line: " + out, () -> serving.matcher(out.toString()).find());
    Matcher m = serving.matcher(out.toString());
    assertTrue(m.find());
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
    try (DatagramSocket s = new DatagramSocket()) {
      for (int i = 0; i < 40; i++) {
        byte[] p = ("{\"seq\":" + i + "}").getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(p, p.length, to));
      }
    }
    assertEquals(0, run.get(30, TimeUnit.SECONDS), out + "\n" + err);
    Await.equal("samples at T", 20L, samples::get);
    assertTrue(out.toString().contains("udp: received 40, forwarded 20, decimated 20, rate-limited 0, malformed 0"),
        out.toString());
  }
}
