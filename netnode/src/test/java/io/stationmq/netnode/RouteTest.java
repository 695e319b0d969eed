package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.FakeTicker;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.RecordingListener;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames a node's DEALER writes for each {@link Route}: the node believes its upstream is
 * "T", but its DEALER is connected to a raw ROUTER whose identity is "peer_x".
 */
@Timeout(60)
class RouteTest {
  /** Time stands still: nothing is repeated, so every confirmed message is sent exactly once. */
  /** No repeats (time stands still) and no reconnect grace: an unknown peer fails at once. */
  private static final EndpointOptions NO_REPEATS = EndpointOptions.builder().ticker(new FakeTicker())
      .reconnectGrace(Duration.ZERO).build();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private static NetNode node(RawPeer peer) {
    return NetNode.builder().id("pilot_1").upstream("127.0.0.1", peer.port(), "T").options(NO_REPEATS).build();
  }

  @Test
  void directRouteAddressesTheRecipientItselfLikePythonForceTo() {
    try (RawPeer peerX = RawPeer.router("peer_x"); NetNode node = node(peerX)) {
      node.send(node.message("peer_x", "DATA", Map.of("n", 3)).build(), Route.DIRECT);

      List<byte[]> frames = peerX.receiveMessage(WAIT);
      // frames/node_send_force_to.frames: [pilot_1, peer_x, peer_x, body]
      assertEquals(List.of("pilot_1", "peer_x", "peer_x"), Bodies.texts(frames.subList(0, frames.size() - 1)));
      JsonNode body = Bodies.last(frames);
      assertEquals("peer_x", body.get("to").asText());
      assertEquals("DATA", body.get("key").asText());
      assertEquals(3, body.get("value").get("n").asInt());
      assertEquals(true, body.get("flags").get("NOREPEAT").asBoolean());
    }
  }

  @Test
  void directRouteConfirmedMessageCompletesOnConfirmFromThePeer() throws Exception {
    try (RawPeer peerX = RawPeer.router("peer_x"); NetNode node = node(peerX)) {
      CompletableFuture<DeliveryReceipt> f = node.sendConfirmed(node.message("peer_x", "DATA", 1).build(), Route.DIRECT);
      List<byte[]> frames = peerX.receiveMessage(WAIT);
      assertEquals(List.of("pilot_1", "peer_x", "peer_x"), Bodies.texts(frames.subList(0, frames.size() - 1)));
      String id = Bodies.last(frames).get("id").asText();
      peerX.send("pilot_1", RawPeer.pythonBody("peer_x_0", "pilot_1", "peer_x", "CONFIRM", "\"" + id + "\"", "{\"NOREPEAT\": true}"));
      assertEquals(1, f.get(10, TimeUnit.SECONDS).attempts());
    }
  }

  @Test
  void autoRouteAddressesTheUpstream() {
    try (RawPeer peerX = RawPeer.router("peer_x"); NetNode node = node(peerX)) {
      node.send("other_node", "DATA", Map.of("n", 2));

      List<byte[]> frames = peerX.receiveMessage(WAIT);
      // frames/node_send_other.frames: [pilot_1, T, other_node, body]
      assertEquals(List.of("pilot_1", "T", "other_node"), Bodies.texts(frames.subList(0, frames.size() - 1)));
    }
  }

  @Test
  void confirmedMessageToUnknownPeerOfRouterOnlyNodeFailsUnreachable() throws Exception {
    RecordingListener events = new RecordingListener();
    try (NetNode hub = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1")
        .options(NO_REPEATS.toBuilder().listener(events).build()).build()) {
      CompletableFuture<DeliveryReceipt> f = hub.sendConfirmed("nobody", "DATA", 1);

      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      UnreachableException u = assertInstanceOf(UnreachableException.class, e.getCause());
      assertEquals("nobody", u.recipient());
      assertEquals("hub", u.reportedBy());
      assertEquals(1, hub.stats().unreachable());
      assertEquals(0, hub.stats().inFlight());
      Await.equal("deliveryFailed events", 1, () -> events.deliveryFailures().size());
    }
  }

  @Test
  void unconfirmedMessageToUnknownPeerOfRouterOnlyNodeIsReportedUnreachable() {
    RecordingListener events = new RecordingListener();
    try (NetNode hub = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1")
        .options(NO_REPEATS.toBuilder().listener(events).build()).build()) {
      hub.send("nobody", "DATA", 1);

      Await.equal("unreachable events", 1, () -> events.unreachable().size());
      assertEquals("nobody", events.unreachable().get(0).recipient());
      assertEquals(1, hub.stats().unreachable());
    }
  }

  @Test
  void unreachableNoticeFromTheUpstreamStationFailsTheFuture() throws Exception {
    try (RawPeer station = RawPeer.router("T"); NetNode node = node(station)) {
      CompletableFuture<DeliveryReceipt> f = node.sendConfirmed("far_away", "DATA", 1);
      List<byte[]> frames = station.receiveMessage(WAIT);
      assertEquals(List.of("pilot_1", "T", "far_away"), Bodies.texts(frames.subList(0, frames.size() - 1)));
      String id = Bodies.last(frames).get("id").asText();

      station.send("pilot_1", RawPeer.pythonBody("T_0", "pilot_1", "T", "SMQ_UNREACHABLE",
          "{\"id\": \"" + id + "\", \"to\": \"far_away\", \"station\": \"T\", \"reason\": \"no route\"}",
          "{\"NOREPEAT\": true}"));

      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      UnreachableException u = assertInstanceOf(UnreachableException.class, e.getCause());
      assertEquals("T", u.reportedBy());
      assertEquals("far_away", u.recipient());
      assertEquals(id, u.messageId());
      assertEquals(0, node.stats().inFlight());
      assertEquals(0, node.stats().confirmsSent(), "the notice is not confirmed");
    }
  }

  @Test
  void directRouteWithoutUpstreamIsRefused() {
    try (NetNode node = NetNode.builder().id("n").routerPort(0).routerAddress("127.0.0.1").build()) {
      assertThrows(IllegalStateException.class, () -> node.send(node.message("x", "DATA", 1).build(), Route.DIRECT));
    }
  }
}
