package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Discovery across a real link: two network namespaces joined by a veth pair, a process with
 * two Stations in one (announcing "labA" and "labB" by broadcast on the default port), and a
 * NetNode in the other that discovers "labA", sends a confirmed message, and hears the "labB"
 * beacons without using them. Needs root (CAP_NET_ADMIN) and {@code ip}; skipped otherwise.
 */
@Timeout(120)
class DiscoveryNetnsTest {
  private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100_000);
  private static final String NS_STATION = "smq-disc-s-" + TAG;
  private static final String NS_NODE = "smq-disc-n-" + TAG;
  private static final List<Process> children = new ArrayList<>();

  @BeforeAll
  static void namespaces() throws Exception {
    run("ip", "netns", "del", NS_STATION); // left by an earlier run of a process with the same pid, if any
    run("ip", "netns", "del", NS_NODE);
    String probe = run("ip", "netns", "add", NS_STATION);
    Assumptions.assumeTrue(probe == null, "network namespaces are not allowed here (needs root with CAP_NET_ADMIN "
        + "and iproute2): " + probe);
    require(run("ip", "netns", "add", NS_NODE));
    String vs = "smqs" + TAG;
    String vn = "smqn" + TAG;
    require(run("ip", "link", "add", vs, "netns", NS_STATION, "type", "veth", "peer", "name", vn, "netns", NS_NODE));
    require(run("ip", "-n", NS_STATION, "addr", "add", "10.231.7.1/24", "brd", "+", "dev", vs));
    require(run("ip", "-n", NS_NODE, "addr", "add", "10.231.7.2/24", "brd", "+", "dev", vn));
    for (String[] ns : new String[][] {{NS_STATION, vs}, {NS_NODE, vn}}) {
      require(run("ip", "-n", ns[0], "link", "set", "lo", "up"));
      require(run("ip", "-n", ns[0], "link", "set", ns[1], "up"));
    }
  }

  @AfterAll
  static void cleanUp() throws Exception {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    run("ip", "netns", "del", NS_NODE); // deleting a namespace deletes its end of the veth pair, and so the pair
    run("ip", "netns", "del", NS_STATION);
  }

  @Test
  void aNodeInOneNamespaceFindsTheStationOfItsNetworkInTheOther() throws Exception {
    Process stations = child(NS_STATION, "station", "S:labA", "X:labB");
    BlockingQueue<String> stationLines = lines(stations);
    assertEquals("READY", stationLines.poll(60, TimeUnit.SECONDS), "the Stations start");
    Process node = child(NS_NODE, "node", "labA", "S");
    BlockingQueue<String> nodeLines = lines(node);
    String result = nodeLines.poll(90, TimeUnit.SECONDS);
    assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exits");
    assertEquals(0, node.exitValue(), "node: " + result);
    String[] parts = result.split(" ");
    assertEquals("CONFIRMED", parts[0], result);
    assertTrue(parts[1].startsWith("tcp://10.231.7.1:"), "the Station's address on the link: " + result);
    assertTrue(Long.parseLong(parts[2]) > 0, "labB's beacons were heard and ignored: " + result);
    assertEquals("GOT S DATA", stationLines.poll(30, TimeUnit.SECONDS));
    assertEquals(null, stationLines.poll(200, TimeUnit.MILLISECONDS), "nothing reached the Station of labB");
    stations.getOutputStream().close();
    assertTrue(stations.waitFor(30, TimeUnit.SECONDS), "the Stations close when told");
  }

  private static Process child(String namespace, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
        ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
        NetnsPeerMain.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    children.add(p);
    return p;
  }

  /** The lines a child prints, read on a thread of their own. */
  private static BlockingQueue<String> lines(Process p) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          q.add(line);
        }
      } catch (IOException e) {
        q.add("read failed: " + e);
      }
    }, "netns-test-child-output");
    t.setDaemon(true);
    t.start();
    return q;
  }

  private static void require(String failure) {
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  /** Runs a command; null when it succeeded, else what it said. */
  private static String run(String... cmd) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? null : String.join(" ", cmd) + ": " + out;
    } catch (IOException e) {
      return String.join(" ", cmd) + ": " + e.getMessage();
    }
  }
}
