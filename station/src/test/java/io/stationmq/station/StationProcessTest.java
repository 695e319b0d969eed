package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.testing.Threads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs {@link StationMain} as a real child process. */
@Tag("process")
@Timeout(60)
class StationProcessTest {
  private static final Pattern LISTENING = Pattern.compile("listening on tcp://([^:]+):(\\d+) as (\\S+)");
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    processes.forEach(Process::destroyForcibly);
    Threads.assertNoneLeft();
  }

  /** A started station process and the port it reported. */
  private record Child(Process process, int port, BufferedReader stdout) {}

  private Child start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add(StationMain.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    processes.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    String first = line.orTimeout(30, TimeUnit.SECONDS).join();
    Matcher m = LISTENING.matcher(first == null ? "" : first);
    assertTrue(m.matches(), "first line announces the station: " + first);
    assertEquals(args[1], m.group(3));
    return new Child(p, Integer.parseInt(m.group(2)), out);
  }

  private static NetNode nodeFor(Child c, String stationId) {
    return NetNode.builder().id("probe").upstream("127.0.0.1", c.port(), stationId).build();
  }

  @Test
  void exchangesMessagesAndStopsOnSigtermWithStatusZero() throws Exception {
    Child c = start("--id", "T", "--port", "0", "--bind", "127.0.0.1");
    try (NetNode node = nodeFor(c, "T")) {
      // ttl 10 (about 30 s of repeats): a cold Station JVM on a loaded machine may take seconds.
      DeliveryReceipt r = node.sendConfirmed(node.message("T", "DATA", 1).ttl(10).build()).get(45, TimeUnit.SECONDS);
      assertEquals("T", r.recipient());
    }
    c.process().destroy(); // SIGTERM
    assertTrue(c.process().waitFor(5, TimeUnit.SECONDS), "exits within 5 s of SIGTERM");
    assertEquals(0, c.process().exitValue());
  }

  @Test
  void stopsOnKillMessageWithStatusZero() throws Exception {
    Child c = start("--id", "T2", "--port", "0", "--bind", "127.0.0.1", "--admin", "probe");
    try (NetNode node = nodeFor(c, "T2")) {
      node.sendConfirmed(node.message("T2", "KILL", null).ttl(10).build()).get(45, TimeUnit.SECONDS);
      assertTrue(c.process().waitFor(5, TimeUnit.SECONDS), "exits within 5 s of KILL");
    }
    assertEquals(0, c.process().exitValue());
  }

  @Test
  void badArgumentsExitTwoWithAReason() throws Exception {
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), StationMain.class.getName(), "--port", "x");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    processes.add(p);
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    assertTrue(output.contains("--port must be a port number"), output);
  }
}
