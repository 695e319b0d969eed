package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.Station;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The commands that look at a running network, in process against real Stations on loopback:
 * a terminal {@code T}, a rig Station {@code rig_A} under it, and a controller {@code ctl_1}
 * under the rig that listens to {@code VALVE}.
 */
@Timeout(90)
class CliNetworkTest {
  private final Closer closer = new Closer();
  private final Recorder valve = new Recorder();
  private Station t;
  private Station rigA;
  private List<String> connectT;
  private NetNode ctl1;

  @BeforeEach
  void startTree() {
    t = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    rigA = closer.track(Station.builder().id("rig_A").bindAddress("127.0.0.1").upstream("127.0.0.1", t.port(), "T")
        .build());
    ctl1 = closer.track(NetNode.builder().id("ctl_1").upstream("127.0.0.1", rigA.port(), "rig_A").listen("VALVE", valve)
        .build());
    awaitAlive(t, "rig_A");
    awaitAlive(rigA, "ctl_1");
    connectT = List.of("--connect", "127.0.0.1:" + t.port(), "--upstream-id", "T");
  }

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private static void awaitAlive(Station station, String id) {
    Await.until(id + " ALIVE at " + station.id(), () -> station.directory().stream()
        .anyMatch(e -> e.id().equals(id) && e.status() == PeerStatus.ALIVE && e.instance() != null));
  }

  private CliRun run(String command, String... more) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(connectT);
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(new String[0]));
  }

  @Test
  void nodesListsTheTreeIndentedWithRoleStatusAddressAndVersion() throws Exception {
    CliRun r = run("nodes");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.outLines();
    assertTrue(lines.get(0).matches("ID +ROLE +STATUS +ADDRESS +LAST HEARD +RTT +CLOCK +VERSION"), r.toString());
    assertTrue(lines.get(1).matches("T +station +- +127\\.0\\.0\\.1:" + t.port() + " +- +- +- +stationmq \\S+"), r.toString());
    assertTrue(lines.get(2).matches("  rig_A +station +ALIVE +127\\.0\\.0\\.1:\\d+ +\\d+\\.\\d s ago +.+ +stationmq \\S+"),
        r.toString());
    assertTrue(lines.get(3).matches("    ctl_1 +node +ALIVE +127\\.0\\.0\\.1:\\d+ +\\d+\\.\\d s ago +.+ +stationmq \\S+"),
        r.toString());
    assertEquals(4, lines.size(), "the command's own node is left out: " + r);

    CliRun json = run("nodes", "--json");
    assertEquals(0, json.code(), json.toString());
    Map<String, JsonNode> byId = new HashMap<>();
    for (String line : json.outLines()) {
      JsonNode n = new ObjectMapper().readTree(line);
      byId.put(n.get("id").asText(), n);
    }
    assertEquals("[\"rig_A\",\"ctl_1\"]", byId.get("ctl_1").get("path").toString());
    assertEquals(2, byId.get("ctl_1").get("depth").asInt());
    assertEquals("ALIVE", byId.get("ctl_1").get("status").asText());
  }

  @Test
  void keysListsWhatEachEndpointListensTo() {
    CliRun r = run("keys");
    assertEquals(0, r.code(), r.toString());
    assertTrue(Pattern.compile("(?m)^T +KILL$").matcher(r.out()).find(), r.toString());
    assertTrue(Pattern.compile("(?m)^  rig_A +KILL$").matcher(r.out()).find(), r.toString());
    assertTrue(Pattern.compile("(?m)^    ctl_1 +VALVE$").matcher(r.out()).find(), r.toString());
  }

  @Test
  void topicsListsTheTopicsDeclaredInTheTree() {
    NetNode thermo = closer.track(NetNode.builder().id("thermo").upstream("127.0.0.1", rigA.port(), "rig_A").build());
    thermo.topics().declare("rig.temp", "float", "bath temperature");
    Await.until("declared at T", () -> !t.topics().declared().isEmpty());
    CliRun r = run("topics");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.outLines().get(0).matches("TOPIC +TYPE +DECLARED BY +SUBSCRIBERS +DESCRIPTION"), r.toString());
    assertTrue(r.outLines().get(1).matches("rig\\.temp +float +thermo +0 +bath temperature"), r.toString());
  }

  @Test
  void pingFindsANodeUnderAChildStationAndStatsReadsItsCounters() throws Exception {
    CliRun ping = run("ping", "ctl_1", "--count", "2", "--interval", "0.05");
    assertEquals(0, ping.code(), ping.toString());
    assertTrue(ping.out().startsWith("PING ctl_1 via rig_A,ctl_1\n"), ping.toString());
    assertTrue(Pattern.compile("(?m)^reply from ctl_1: seq=2 time=\\d+\\.\\d\\d ms$").matcher(ping.out()).find(),
        ping.toString());
    assertTrue(ping.out().contains("2 sent, 2 answered, round trip min/avg/max "), ping.toString());

    CliRun nobody = run("ping", "nobody");
    assertEquals(Main.UNREACHABLE, nobody.code(), nobody.toString());
    assertTrue(nobody.err().contains("'nobody' is not in the tree below 'T'"), nobody.toString());

    CliRun stats = run("stats", "rig_A");
    assertEquals(0, stats.code(), stats.toString());
    assertTrue(stats.out().startsWith("rig_A (station, stationmq "), stats.toString());
    assertTrue(Pattern.compile("(?m)^forwarded +\\d+$").matcher(stats.out()).find(), stats.toString());
    CliRun json = run("stats", "--json");
    assertEquals("T", new ObjectMapper().readTree(json.out()).get("id").asText(), json.toString());
  }

  @Test
  void statePrintsANodesReplicatedStateFromTheTopStationsCache() throws Exception {
    // A first change, awaited at T: changes made before the links up to T had answered HELLO
    // reach T as one snapshot when they do (its history then starts there), so the changes
    // whose history is checked come after it.
    ctl1.state().put("ready", true);
    Await.until("T holds ctl_1's first change", () -> t.state("ctl_1").seq() == 1);
    ctl1.state().put("valve", Map.of("open", true));
    ctl1.state().put("temp", 21.5);
    ctl1.state().put("temp", 22.0);
    Await.until("T holds ctl_1's state", () -> t.state("ctl_1").seq() == 4);
    CliRun r = run("state", "ctl_1", "--history", "5");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("ctl_1 (seq 4)\n"), r.toString());
    assertTrue(Pattern.compile("(?m)^  temp +22\\.0 +4 +\\d+\\.\\d s ago$").matcher(r.out()).find(), r.toString());
    assertTrue(Pattern.compile("(?m)^  valve +\\{\"open\":true\\} +2 ").matcher(r.out()).find(), r.toString());
    assertTrue(Pattern.compile("(?m)^    \\S+Z +21\\.5 +3 *$").matcher(r.out()).find(), "history: " + r);

    CliRun nobody = run("state", "nobody");
    assertEquals(Main.FAILURE, nobody.code(), nobody.toString());
    assertTrue(nobody.err().contains("'T' holds no state of 'nobody'"), nobody.toString());
    CliRun json = run("state", "*", "--json");
    assertEquals(22.0, new ObjectMapper().readTree(json.out()).at("/owners/ctl_1/keys/temp/value").asDouble(), json.toString());
  }

  @Test
  void sendAlongAPathReachesANodeUnderAChildStation() {
    CliRun r = run("send", "--path", "rig_A,ctl_1", "--key", "VALVE", "--value", "{\"open_ms\": 50}", "--confirm");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("confirmed ") && r.out().contains(" by ctl_1 "), r.toString());
    Message m = valve.next();
    assertEquals(50, m.valueNode().get("open_ms").asInt());
    assertEquals(List.of("ctl_1"), m.path(), "delivered as for ctl_1");
  }

  @Test
  void aWrongUpstreamIdIsAnsweredWithTheIdTheStationHas() {
    CliRun r = CliRun.of("send", "--connect", "127.0.0.1:" + t.port(), "--upstream-id", "X", "--to", "ctl_1",
        "--key", "VALVE", "--confirm");
    assertEquals(Main.NOT_CONNECTED, r.code(), r.toString());
    assertEquals("stationmq send: the Station at 127.0.0.1:" + t.port() + " is 'T', not 'X': use --upstream-id T",
        r.err().strip());
  }

  @Test
  void echoPrintsMessagesAndStreamSamplesSentToItsId() throws Exception {
    CompletableFuture<CliRun> echo = CompletableFuture.supplyAsync(() -> run("echo", "DATA", "--id", "mon", "--count", "3"));
    Await.registered(t, "mon");
    Await.until("mon said HELLO", () -> t.directory().stream().anyMatch(e -> e.id().equals("mon") && e.instance() != null));
    NetNode ctl = closer.track(NetNode.builder().id("ctl_2").upstream("127.0.0.1", t.port(), "T").build());
    ctl.sendConfirmed("mon", "DATA", Map.of("trial", 3)).get(10, TimeUnit.SECONDS);
    SampleStream s = ctl.getStream("lick", "DATA", StreamOptions.builder().to("mon").build());
    s.push(1);
    s.push(2);
    s.close();
    CliRun r = echo.get(30, TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.outLines();
    assertEquals(3, lines.size(), r.toString());
    assertTrue(lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ctl_2 DATA \\{\"trial\":3\\}"), r.toString());
    assertTrue(lines.get(1).endsWith(" DATA 1") && lines.get(2).endsWith(" DATA 2"), r.toString());
  }

  @Test
  void echoWithTopicSubscribesAnywhereInTheTree() throws Exception {
    CompletableFuture<CliRun> echo = CompletableFuture.supplyAsync(
        () -> run("echo", "rig.*", "--topic", "--id", "mon_t", "--count", "2"));
    Await.until("mon_t subscribed at T", () -> t.topics().subscribers("rig.temp") == 1);
    NetNode thermo = closer.track(NetNode.builder().id("thermo_2").upstream("127.0.0.1", rigA.port(), "rig_A").build());
    Await.until("rig_A knows of the subscription above it", () -> {
      thermo.topics().publish("rig.temp", 20.5).join();
      return echo.isDone() || rigA.topics().stats().sentUp() > 0;
    });
    thermo.topics().publish("rig.temp", 21.5).join();
    CliRun r = echo.get(30, TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.outLines();
    assertEquals(2, lines.size(), r.toString());
    assertTrue(lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} thermo_2 rig\\.temp \\d+\\.5"), r.toString());
  }

  @Test
  void hzCountsWhatArrivesUnderItsKey() throws Exception {
    CompletableFuture<CliRun> hz = CompletableFuture.supplyAsync(
        () -> run("hz", "DATA", "--id", "meter", "--window", "0.2", "--count", "50"));
    Await.until("meter said HELLO", () -> t.directory().stream().anyMatch(e -> e.id().equals("meter") && e.instance() != null));
    NetNode ctl = closer.track(NetNode.builder().id("ctl_3").upstream("127.0.0.1", t.port(), "T").build());
    for (int i = 0; i < 50; i++) {
      ctl.sendConfirmed("meter", "DATA", i).get(10, TimeUnit.SECONDS); // confirmed: all 50 have arrived
    }
    CliRun r = hz.get(30, TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.outLines();
    assertTrue(lines.size() >= 2, "a window or more, and a summary: " + r);
    assertTrue(lines.stream().allMatch(l -> l.startsWith("DATA: ")), r.toString());
    assertTrue(lines.get(lines.size() - 1).matches("DATA: 50 messages in \\d+\\.\\d s, \\d+\\.\\d per second; 0 stream batches lost"),
        r.toString());
  }

  @Test
  void hzWithTopicMeasuresATopicPublishedAnywhereInTheTree() throws Exception {
    CompletableFuture<CliRun> hz = CompletableFuture.supplyAsync(
        () -> run("hz", "lab.wheel", "--topic", "--id", "meter_t", "--window", "0.2", "--count", "20"));
    Await.until("meter_t subscribed at T", () -> t.topics().subscribers("lab.wheel") == 1);
    NetNode wheel = closer.track(NetNode.builder().id("wheel_1").upstream("127.0.0.1", rigA.port(), "rig_A").build());
    Await.until("rig_A knows of the subscription above it", () -> {
      wheel.topics().publish("lab.wheel", -1).join();
      return hz.isDone() || rigA.topics().stats().sentUp() > 0;
    });
    for (int i = 0; i < 20 && !hz.isDone(); i++) {
      wheel.topics().publish("lab.wheel", i).get(10, TimeUnit.SECONDS);
    }
    CliRun r = hz.get(30, TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.outLines();
    // At least the 20 it waited for (and a probe or two that arrived with them).
    assertTrue(lines.get(lines.size() - 1).matches("lab\\.wheel: \\d+ messages in \\d+\\.\\d s, \\d+\\.\\d per second; 0 stream batches lost"),
        r.toString());
  }
}
