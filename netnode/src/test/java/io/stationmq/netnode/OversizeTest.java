package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.RecordingListener;
import io.stationmq.netnode.testing.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bodies over {@link EndpointOptions#maxMessageBytes()} are dropped and counted; the node goes on. */
@Timeout(60)
class OversizeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Recorder data = new Recorder();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private EndpointOptions options() {
    return EndpointOptions.builder().maxMessageBytes(1024).listener(events).build();
  }

  /** A valid Python body of exactly {@code size} bytes (the value is a padding string). */
  private static String bodyOfSize(String id, String to, String sender, int size) {
    String empty = RawPeer.pythonBody(id, to, sender, "DATA", "\"\"", "{}");
    String padded = RawPeer.pythonBody(id, to, sender, "DATA", "\"" + "x".repeat(size - empty.length()) + "\"", "{}");
    assertEquals(size, padded.getBytes(StandardCharsets.UTF_8).length);
    return padded;
  }

  @Test
  void oversizeBodyOnTheRouterIsDroppedCountedAndTheNextIsHandled() {
    try (NetNode node = NetNode.builder().id("rig").routerPort(0).routerAddress("127.0.0.1").listen("DATA", data)
            .options(options()).build();
        RawPeer pilot = RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node)) {
      pilot.send("rig", "rig", bodyOfSize("pilot_1_0", "rig", "pilot_1", 2000));
      pilot.send("rig", "rig", RawPeer.pythonBody("pilot_1_1", "rig", "pilot_1", "DATA", "1", "{}"));

      assertEquals("pilot_1_1", data.next().id());
      assertEquals("pilot_1_1", Bodies.last(pilot.receiveMessage(WAIT)).get("value").asText(),
          "only the normal message is confirmed");
      EndpointStats stats = node.stats();
      assertEquals(1, stats.oversize());
      assertEquals(0, stats.malformed());
      assertEquals(1, stats.dispatched());
      Await.equal("reported", 1, () -> events.malformed().size());
      assertTrue(events.malformed().get(0).reason().contains("2000"), events.malformed().get(0).reason());
    }
  }

  @Test
  void bodyOfExactlyMaxMessageBytesIsAccepted() {
    try (NetNode node = NetNode.builder().id("rig").routerPort(0).routerAddress("127.0.0.1").listen("DATA", data)
            .options(options()).build();
        RawPeer pilot = RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node)) {
      pilot.send("rig", "rig", bodyOfSize("pilot_1_0", "rig", "pilot_1", 1024));
      assertEquals("pilot_1_0", data.next().id());
      assertEquals(0, node.stats().oversize());
    }
  }

  @Test
  void oversizeBodyFromUpstreamIsDroppedCountedAndTheNextIsHandled() {
    try (RawPeer station = RawPeer.router("T");
        NetNode node = NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").listen("DATA", data)
            .options(options()).build()) {
      assertTrue(station.receive(WAIT) != null, "the node's connection ping");
      station.send("rig", bodyOfSize("T_0", "rig", "T", 2000));
      station.send("rig", RawPeer.pythonBody("T_1", "rig", "T", "DATA", "1", "{}"));

      assertEquals("T_1", data.next().id());
      assertEquals(1, node.stats().oversize());
      assertEquals(1, node.stats().dispatched());
    }
  }
}
