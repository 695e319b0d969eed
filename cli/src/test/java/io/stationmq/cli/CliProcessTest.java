package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.netnode.testing.Ports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code station}, {@code listen} and {@code send} as real child processes talking to each
 * other, with the logging a user gets: none from the library unless {@code -v}.
 */
@Tag("process")
@Timeout(90)
class CliProcessTest {
  private static final Pattern LISTENING = Pattern.compile("listening on tcp://[^:]+:(\\d+) as (\\S+)");
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    processes.add(p);
    return p;
  }

  /** One line of {@code r}, waiting at most 30 s. */
  static String readLine(BufferedReader r) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return r.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static BufferedReader stdout(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Runs a command to completion; returns its exit code and output. */
  private record Result(int code, String stdout, String stderr) {}

  private Result run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    processes.add(p);
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "command finished: " + args[0]);
    return new Result(p.exitValue(), out, new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
  }

  /**
   * {@code station --announce}, a second {@code station --discover} under it and {@code nodes
   * --discover}: beacons go to each interface's broadcast address, so this needs an IPv4
   * interface with one (loopback has none).
   */
  @Test
  void stationsAnnounceAndDiscoverAndNodesFindsThem() throws Exception {
    Assumptions.assumeTrue(hasBroadcastInterface(), "no IPv4 interface with a broadcast address is up here: "
        + "discovery by broadcast cannot be tried");
    String beaconPort;
    try (DatagramSocket free = new DatagramSocket(0)) {
      beaconPort = Integer.toString(free.getLocalPort());
    }
    Process top = start("station", "--id", "D", "--port", "0", "--announce", "labA", "--discovery-port", beaconPort);
    assertTrue(LISTENING.matcher(String.valueOf(readLine(stdout(top)))).matches(), "the station starts");
    Process under = start("station", "--id", "R", "--port", "0", "--bind", "127.0.0.1", "--discover", "labA",
        "--upstream-id", "D", "--discovery-port", beaconPort);
    BufferedReader underOut = stdout(under);
    assertTrue(LISTENING.matcher(String.valueOf(readLine(underOut))).matches(), "the second station starts");
    String line = "";
    while (!line.contains("upstream D CONNECTED")) {
      line = String.valueOf(readLine(underOut));
    }
    Result nodes = run("nodes", "--discover", "labA", "--discovery-port", beaconPort, "--connect-timeout", "20");
    assertEquals(0, nodes.code(), nodes.stderr());
    assertTrue(nodes.stdout().lines().anyMatch(l -> l.matches("D +station .*")), nodes.stdout());
    assertTrue(nodes.stdout().lines().anyMatch(l -> l.matches("  R +station +ALIVE .*")), nodes.stdout());
  }

  private static boolean hasBroadcastInterface() throws SocketException {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (ni.isUp() && !ni.isLoopback() && ni.getInterfaceAddresses().stream().anyMatch(a -> a.getBroadcast() != null)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void sendArrivesOnListenAsJsonAndUnreachableSendFailsWithItsReason() throws Exception {
    Process station = start("station", "--id", "T", "--port", "0", "--bind", "127.0.0.1");
    BufferedReader stationOut = stdout(station);
    Matcher m = LISTENING.matcher(String.valueOf(readLine(stationOut)));
    assertTrue(m.matches(), "station announces itself");
    String connect = "127.0.0.1:" + m.group(1);

    Process listen = start("listen", "--connect", connect, "--upstream-id", "T", "--id", "watcher");
    BufferedReader listenOut = stdout(listen);
    String joined = readLine(stationOut);
    assertTrue(joined.matches("\\d\\d:\\d\\d:\\d\\d joined watcher from 127\\.0\\.0\\.1:\\d+ \\(node, stationmq \\S+\\)"),
        joined);

    // The listener registers with the station when it connects; retry the first send until it does.
    Result sent = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      sent = run("send", "--connect", connect, "--upstream-id", "T", "--to", "watcher", "--key", "DATA",
          "--value", "{\"trial\": 3}", "--confirm", "--id", "sender_" + attempt, "--timeout", "5");
      if (sent.code() == 0) {
        break;
      }
    }
    assertEquals(0, sent.code(), "send --confirm exits 0: " + sent.stderr());
    assertTrue(sent.stdout().startsWith("confirmed "), sent.stdout());

    JsonNode line = new ObjectMapper().readTree(readLine(listenOut));
    assertEquals("DATA", line.get("key").asText());
    assertEquals(3, line.get("value").get("trial").asInt());
    assertEquals("watcher", line.get("to").asText());

    Result unreachable = run("send", "--connect", connect, "--upstream-id", "T", "--to", "nobody", "--key", "DATA",
        "--confirm", "--timeout", "5");
    assertEquals(Main.UNREACHABLE, unreachable.code(), unreachable.stderr());
    assertTrue(unreachable.stderr().contains("'nobody' is unreachable from 'T'"), unreachable.stderr());

    Result badJson = run("send", "--connect", connect, "--upstream-id", "T", "--to", "x", "--key", "K", "--value", "{oops");
    assertEquals(2, badJson.code());
    assertTrue(badJson.stderr().contains("--value is not valid JSON"), badJson.stderr());

    // The senders came and went: one line each when they joined, and when they left.
    listen.destroy();
    assertTrue(listen.waitFor(10, TimeUnit.SECONDS));
    String left = null;
    for (int i = 0; i < 100 && left == null; i++) {
      String event = readLine(stationOut);
      assertTrue(event.matches("\\d\\d:\\d\\d:\\d\\d (joined|left) \\S+.*"), "only joins and leaves: " + event);
      left = event.contains(" left watcher: silent for ") ? event : null;
    }
    assertTrue(left != null, "the station said that watcher left");
  }

  @Test
  void libraryLogLinesAppearOnlyWithVerbose() throws Exception {
    String nowhere = "127.0.0.1:" + Ports.free();
    Result quiet = run("send", "--connect", nowhere, "--upstream-id", "T", "--to", "x", "--key", "K",
        "--connect-timeout", "2");
    assertEquals(Main.NOT_CONNECTED, quiet.code());
    assertEquals("stationmq send: nothing answers at " + nowhere + " within 2 s (is a Station running there? "
        + "--connect-timeout waits longer)", quiet.stderr().strip(), "the result, nothing else");
    Result verbose = run("send", "-v", "--connect", nowhere, "--upstream-id", "T", "--to", "x", "--key", "K",
        "--connect-timeout", "2");
    assertEquals(Main.NOT_CONNECTED, verbose.code());
    assertTrue(verbose.stderr().contains("INFO io.stationmq.netnode.UpstreamLink - cli_")
        && verbose.stderr().contains(": nothing answers at tcp://" + nowhere + " (upstream 'T') yet; still trying"),
        verbose.stderr());
  }

  @Test
  void helpAndAShortDemoSucceed() throws Exception {
    Result help = run("--help");
    assertEquals(0, help.code());
    assertTrue(help.stdout().contains("demo") && help.stdout().contains("listen"), help.stdout());
    Result demo = run("demo", "--duration", "3", "--rate", "200", "--web-port", "0");
    assertEquals(0, demo.code(), demo.stdout() + demo.stderr());
    assertTrue(demo.stdout().contains("result: OK, nothing lost"), demo.stdout());
    assertTrue(demo.stdout().contains("stationmq demo: web view at http://127.0.0.1:"), demo.stdout());
  }
}
