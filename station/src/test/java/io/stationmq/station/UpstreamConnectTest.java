package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.UpstreamRefusedException;
import io.stationmq.netnode.UpstreamState;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.Ports;
import io.stationmq.netnode.testing.RawPeer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node's standing with its upstream over loopback TCP: {@code awaitConnected}, the {@code
 * upstreamChanged} events, and what a Station answers a HELLO that names another id (directly,
 * and through a child Station).
 */
@Timeout(60)
class UpstreamConnectTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  /** Records upstream changes and refusals as text. Thread-safe. */
  private static final class Changes implements EndpointListener {
    final List<String> upstream = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();

    @Override
    public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
      upstream.add(state + " " + upstreamId + ": " + reason);
    }

    @Override
    public void peerRefused(String peerId, String reason) {
      refused.add(peerId + ": " + reason);
    }
  }

  private Station station(String id, Station parent, EndpointListener listener) {
    Station.Builder b = Station.builder().id(id).bindAddress("127.0.0.1")
        .options(EndpointOptions.builder().listener(listener).build());
    if (parent != null) {
      b.upstream("127.0.0.1", parent.port(), parent.id());
    }
    return closer.track(b.build());
  }

  /**
   * A node whose HELLO timeout is the whole wait: on a loaded machine a Station can take longer
   * than the default second to answer, and the node would take it for a Python station.
   */
  private NetNode node(String id, int port, String upstreamId, EndpointListener listener) {
    return closer.track(NetNode.builder().id(id).upstream("127.0.0.1", port, upstreamId)
        .options(EndpointOptions.builder().listener(listener).helloTimeout(WAIT).build()).build());
  }

  @Test
  void aNodeAwaitsItsStationAndHearsItComeAndGo() throws Exception {
    Station t = station("T", null, EndpointListener.NONE);
    Changes changes = new Changes();
    NetNode rig = node("rig", t.port(), "T", changes);
    assertTrue(rig.awaitConnected(WAIT));
    assertEquals(UpstreamState.CONNECTED, rig.upstreamState());
    Await.until("the CONNECTED event", () -> changes.upstream.contains("CONNECTED T: answered HELLO"));
    Await.until("the node's address in the directory", () -> t.directory().stream()
        .anyMatch(e -> e.id().equals("rig") && e.address() != null && e.address().startsWith("127.0.0.1:")));
  }

  @Test
  void nothingListeningIsNotConnectedWithinTheTimeout() throws Exception {
    Changes changes = new Changes();
    NetNode rig = node("rig", Ports.free(), "T", changes);
    assertFalse(rig.awaitConnected(Duration.ofMillis(1500)), "nothing answers");
    assertEquals(UpstreamState.CONNECTING, rig.upstreamState(), "not taken for a Python station: nothing answered");
    assertEquals(List.of(), changes.upstream);
  }

  @Test
  void aStationAnswersAHelloForAnotherIdWithItsOwnId() throws Exception {
    Changes stationEvents = new Changes();
    Station t = station("T", null, stationEvents);
    Changes changes = new Changes();
    NetNode rig = node("rig", t.port(), "WRONG", changes);
    UpstreamRefusedException e = assertThrows(UpstreamRefusedException.class, () -> rig.awaitConnected(WAIT));
    assertEquals("T", e.actualId());
    assertEquals(UpstreamState.WRONG_ID, e.state());
    assertEquals("WRONG", e.upstreamId());
    assertTrue(e.getMessage().contains("is 'T', not 'WRONG'"), e.getMessage());
    assertEquals(UpstreamState.WRONG_ID, rig.upstreamState());
    Await.until("the station reports it", () -> stationEvents.refused.stream()
        .anyMatch(r -> r.startsWith("rig: wrong_upstream_id") && r.contains("names its upstream 'WRONG', but this is 'T'")));
    Await.until("the node's event", () -> changes.upstream.stream().anyMatch(c -> c.startsWith("WRONG_ID WRONG: ")));
  }

  @Test
  void aChildStationDoesNotPassAHelloForItsParentOn() throws Exception {
    Changes parentEvents = new Changes();
    Station t = station("T", null, parentEvents);
    Station rigA = station("rig_A", t, EndpointListener.NONE);
    // The node connects to rig_A but names T, the parent, as its upstream.
    NetNode ctl = node("ctl", rigA.port(), "T", EndpointListener.NONE);
    UpstreamRefusedException e = assertThrows(UpstreamRefusedException.class, () -> ctl.awaitConnected(WAIT));
    assertEquals("rig_A", e.actualId());
    // The parent never took the node's HELLO for one of rig_A's: no "two endpoints claim rig_A".
    Await.until("rig_A stays alive at T", () -> t.directory().stream()
        .anyMatch(d -> d.id().equals("rig_A") && d.instance() != null));
    assertEquals(List.of(), parentEvents.refused);
  }

  @Test
  void anUpstreamThatEchoesPingsButSaysNoHelloIsLegacy() throws Exception {
    RawPeer python = closer.track(RawPeer.router("T"));
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", python.port(), "T")
        .options(EndpointOptions.builder().helloTimeout(Duration.ofMillis(300)).build()).build());
    List<byte[]> ping = python.receive(WAIT);
    while (ping != null && ping.get(ping.size() - 1).length != 0) { // a Python station echoes the connection ping
      ping = python.receive(WAIT);
    }
    assertNotNull(ping, "the node pings on connect");
    python.send(ping.toArray());
    assertTrue(rig.awaitConnected(WAIT));
    assertEquals(UpstreamState.LEGACY, rig.upstreamState());
  }
}
