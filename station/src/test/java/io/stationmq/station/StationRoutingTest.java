package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.UnreachableException;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StationRoutingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    Threads.assertNoneLeft();
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  private Station station(String id) {
    return track(Station.builder().id(id).bindAddress("127.0.0.1").build());
  }

  private Station station(String id, Station parent) {
    Station s = track(Station.builder().id(id).bindAddress("127.0.0.1").upstream("127.0.0.1", parent.port(), parent.id()).build());
    Await.registered(parent, id);
    return s;
  }

  private NetNode node(String id, Station upstream, Recorder recorder) {
    NetNode.Builder b = NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id());
    if (recorder != null) {
      b.fallback(recorder::add);
    }
    NetNode n = track(b.build());
    Await.registered(upstream, id);
    return n;
  }

  /** Records every message a listen receives. */
  static final class Recorder {
    final List<Message> messages = new CopyOnWriteArrayList<>();

    void add(Message m) {
      messages.add(m);
    }

    Message awaitOne(String key) {
      Await.until("a " + key + " message", () -> messages.stream().anyMatch(m -> m.key().equals(key)));
      return messages.stream().filter(m -> m.key().equals(key)).findFirst().orElseThrow();
    }

    long count(String key) {
      return messages.stream().filter(m -> m.key().equals(key)).count();
    }
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void nodeToNodeThroughStationConfirmedBothWays() throws Exception {
    Station s = station("S");
    Recorder atA = new Recorder();
    Recorder atB = new Recorder();
    NetNode a = node("node_a", s, atA);
    NetNode b = node("node_b", s, atB);

    DeliveryReceipt r = get(a.sendConfirmed("node_b", "DATA", Map.of("n", 1)));
    assertEquals("node_b", r.recipient());
    assertEquals(1, atB.awaitOne("DATA").value(Map.class).get("n"));
    get(b.sendConfirmed("node_a", "DATA", Map.of("n", 2)));
    assertEquals(2, atA.awaitOne("DATA").value(Map.class).get("n"));
    assertEquals(1, atB.count("DATA"));
    // The station counts a forward after its write returns, which can be after the receiver has it.
    Await.until("two messages and two confirmations forwarded", () -> s.stats().forwarded() >= 4);
  }

  @Test
  void nodeToStationListenAndStationToNode() throws Exception {
    Recorder atStation = new Recorder();
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").listen("DATA", atStation::add).build());
    Recorder atNode = new Recorder();
    NetNode n = node("node_1", s, atNode);

    get(n.sendConfirmed("S", "DATA", "to the station"));
    Message m = atStation.awaitOne("DATA");
    assertEquals("node_1", m.sender());
    assertEquals("to the station", m.value(String.class));

    get(n.sendConfirmed("_S", "DATA", "to the station's alias"));
    Await.until("alias delivered", () -> atStation.count("DATA") == 2);

    get(s.sendConfirmed("node_1", "START", Map.of("trial", 1)));
    assertEquals(1, atNode.awaitOne("START").value(Map.class).get("trial"));
  }

  @Test
  void stationToUpstreamStationToItsNode() throws Exception {
    Recorder atTerminal = new Recorder();
    Station t = track(Station.builder().id("T").bindAddress("127.0.0.1").fallback(atTerminal::add).build());
    Station rig = station("rig", t);
    Recorder atNode = new Recorder();
    node("node_t", t, atNode);

    get(rig.push("T", "STATE", "RUNNING"));
    assertEquals("RUNNING", atTerminal.awaitOne("STATE").value(String.class));
    get(rig.sendConfirmed("node_t", "PARAM", Map.of("volume", 3)));
    assertEquals("rig", atNode.awaitOne("PARAM").sender());
  }

  /** The Python toolkit's own multihop scenario, with the confirmation coming back. */
  @Test
  void multihopThroughThreeStationsIsHandledOnceAndConfirmed() throws Exception {
    Station s1 = station("station_1");
    Station s2 = station("station_2", s1);
    Station s3 = station("station_3", s2);
    NetNode n1 = node("node_1", s1, null);
    Recorder atN3 = new Recorder();
    node("node_3", s3, atN3);

    Message m = n1.message("node_3", "GOTIT", 0).path("station_1", "station_2", "station_3", "node_3").build();
    DeliveryReceipt r = get(n1.sendConfirmed(m));
    assertEquals(1, r.attempts());
    Message got = atN3.awaitOne("GOTIT");
    assertEquals("node_1", got.sender());
    assertEquals("node_3", got.to());
    assertEquals(1, atN3.count("GOTIT"));
    assertEquals(0, n1.stats().repeated());
  }

  @Test
  void nodeUnderOneRigReachesNodeUnderAnotherThroughTheCentralStation() throws Exception {
    Recorder atCentral = new Recorder();
    Station central = track(Station.builder().id("T").bindAddress("127.0.0.1").fallback(atCentral::add).build());
    Station rigA = station("rig_a", central);
    Station rigB = station("rig_b", central);
    NetNode nodeA = node("node_a", rigA, null);
    Recorder atB = new Recorder();
    NetNode nodeB = node("node_b", rigB, atB);

    // An explicit path works with no prior traffic.
    Message viaPath = nodeA.message("node_b", "CMD", 1).path("rig_a", "T", "rig_b", "node_b").build();
    get(nodeA.sendConfirmed(viaPath));
    assertEquals(1, atB.awaitOne("CMD").value(Integer.class));

    // Once node_b has spoken upstream, the central station has learned its route.
    get(nodeB.sendConfirmed("T", "HELLO", null));
    atCentral.awaitOne("HELLO");
    get(nodeA.sendConfirmed("node_b", "CMD2", 2));
    assertEquals(2, atB.awaitOne("CMD2").value(Integer.class));
  }

  @Test
  void forwardingPassesBodyBytesThroughUnchanged() throws Exception {
    Station s = station("S");
    try (RawPeer sender = RawPeer.dealer("raw_1", s.endpoint()); RawPeer receiver = RawPeer.dealer("raw_2", s.endpoint())) {
      // A ping registers raw_2 at the station; a fresh JeroMQ connection sometimes loses its
      // first message, and a raw socket does not repeat it, so ping until the echo comes back.
      List<byte[]> echo = null;
      for (int attempt = 0; attempt < 20 && echo == null; attempt++) {
        receiver.send("");
        echo = receiver.receive(Duration.ofMillis(500));
      }
      assertEquals(1, echo == null ? 0 : echo.size(), "ping echoed");
      byte[] body = {'n', 'o', 't', ' ', 'j', 's', 'o', 'n', 0, (byte) 0xff, (byte) 0xc3};
      sender.send("S", "raw_2", body);
      List<byte[]> got = receiver.receiveMessage(WAIT);
      assertEquals(1, got.size());
      assertArrayEquals(body, got.get(0));
    }
    Await.equal("one forward counted", 1L, () -> s.stats().forwarded());
  }

  @Test
  void unreachableRecipientFailsTheSendersFutureFastAndTheStationKeepsServing() throws Exception {
    Recorder atStation = new Recorder();
    // No reconnect grace: a recipient the Station has never heard of fails at once.
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1")
        .options(EndpointOptions.builder().reconnectGrace(Duration.ZERO).build()).listen("DATA", atStation::add).build());
    NetNode n = node("node_1", s, null);

    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> get(n.sendConfirmed("ghost", "DATA", 1)));
    UnreachableException u = assertInstanceOf(UnreachableException.class, e.getCause());
    assertEquals("ghost", u.recipient());
    assertEquals("S", u.reportedBy());
    assertEquals(1, s.stats().unreachable());
    assertEquals(0, n.stats().repeated(), "failed fast, before any repeat");

    get(n.sendConfirmed("S", "DATA", 2));
    assertEquals(2, atStation.awaitOne("DATA").value(Integer.class));
  }

  @Test
  void pingIsEchoedUnchanged() {
    Station s = station("S");
    try (RawPeer p = RawPeer.dealer("pilot_1", s.endpoint())) {
      p.send("pilot_1", "");
      List<byte[]> echo = p.receive(WAIT);
      assertEquals(2, echo.size());
      assertEquals("pilot_1", RawPeer.text(echo.get(0)));
      assertEquals(0, echo.get(1).length);
    }
  }

  @Test
  void killFromAnAdminStopsTheStation() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").admins(List.of("node_1")).build());
    NetNode n = node("node_1", s, null);
    n.send("S", "KILL", null);
    assertTrue(s.awaitClosed(WAIT), "station closed after KILL");
    assertTrue(s.isClosed());
  }

  /** A Python NetNode (raw frames and body) sends through a Java Station to a Java NetNode. */
  @Test
  void pythonPeerThroughJavaStationToJavaNodeGetsItsConfirmation() throws Exception {
    Station s = station("T");
    Recorder atJava = new Recorder();
    node("java_node", s, atJava);
    try (RawPeer py = RawPeer.registeredDealer("pilot_1", s.endpoint(), s)) {
      String body = RawPeer.pythonBody("pilot_1_0", "java_node", "pilot_1", "DATA", "{\"n\": 1}", "{}");
      py.send("T", "java_node", body);
      Message m = atJava.awaitOne("DATA");
      assertEquals("pilot_1_0", m.id());
      List<byte[]> confirm = py.receiveMessage(WAIT);
      assertEquals(1, confirm.size(), "a DEALER receives the body alone");
      JsonNode c = new ObjectMapper().readTree(new String(confirm.get(0), StandardCharsets.UTF_8));
      assertEquals("CONFIRM", c.get("key").asText());
      assertEquals("pilot_1_0", c.get("value").asText());
      assertEquals("pilot_1", c.get("to").asText());
      assertEquals("java_node", c.get("sender").asText());
    }
  }

  @Test
  void streamBatchFromPythonIsUnpackedPerItemWithHeadersMerged() throws Exception {
    Recorder atStation = new Recorder();
    Station s = track(Station.builder().id("T").bindAddress("127.0.0.1").fallback(atStation::add).build());
    try (RawPeer py = RawPeer.registeredDealer("pilot_1_lick", s.endpoint(), s)) {
      String value = "{\"inner_key\": \"CONTINUOUS\", \"headers\": {\"subject\": \"mouse_12\", \"pilot\": \"pilot_1\", "
          + "\"continuous\": true}, \"payload\": [{\"t\": 0.001}, {\"t\": 0.002}, [1, 2, 3], 4.5]}";
      py.send("T", "T", RawPeer.pythonBody("lick_3", "T", "pilot_1_lick", "STREAM", value, "{\"NOREPEAT\": true, \"MINPRINT\": true}"));
      Await.equal("four samples", 4L, () -> atStation.count("CONTINUOUS"));
    }
    List<Message> samples = atStation.messages;
    assertEquals(0.001, samples.get(0).value(Map.class).get("t"));
    assertEquals("mouse_12", samples.get(0).value(Map.class).get("subject"));
    assertEquals(0.002, samples.get(1).value(Map.class).get("t"));
    assertEquals(List.of(1, 2, 3), samples.get(2).value(List.class));
    assertEquals(4.5, samples.get(3).value(Double.class));
    assertEquals(0, s.stats().confirmsSent(), "NOREPEAT stream batches are not confirmed");
  }
}
