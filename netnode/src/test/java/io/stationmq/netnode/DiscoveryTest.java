package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Threads;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Discovery and bootstrap addresses over real sockets on loopback. Linux's loopback has no
 * broadcast, so the Stations here send their beacons to 127.0.0.1 (unicast), to the UDP port
 * the node's listener was bound on.
 */
@Timeout(60)
class DiscoveryTest {
  /** Quick loss detection (5 x 200 ms) so a restarted Station is looked for soon. */
  private static final EndpointOptions QUICK = EndpointOptions.builder().heartbeatInterval(Duration.ofMillis(200)).build();

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private static DiscoveryOptions listenOnAnyPort() {
    return DiscoveryOptions.builder().port(0).attemptTime(Duration.ofMillis(500)).build();
  }

  private static Station announcing(String id, String network, int beaconPort, Recorder data) {
    return Station.builder().id(id).bindAddress("127.0.0.1").listen("DATA", data)
        .announce(network, DiscoveryOptions.builder().port(beaconPort).announceAddress("127.0.0.1")
            .interval(Duration.ofMillis(100)).build())
        .build();
  }

  @Test
  void aNodeFindsItsStationByBeaconAndIgnoresAnotherNetwork() throws Exception {
    Recorder atA = new Recorder();
    Recorder atB = new Recorder();
    try (NetNode rig = NetNode.builder().id("rig").discover("labA", "S").discovery(listenOnAnyPort()).options(QUICK)
            .build();
        Station other = announcing("S", "labB", rig.finder().port(), atB);
        Station station = announcing("S", "labA", rig.finder().port(), atA)) {
      assertEquals("labA", station.announcedNetwork());
      assertTrue(rig.awaitConnected(Duration.ofSeconds(20)), "found and connected: " + rig.upstreamState());
      rig.sendConfirmed("S", "DATA", Map.of("trial", 1)).get(10, TimeUnit.SECONDS);
      assertEquals(Map.of("trial", 1), atA.next().value(Map.class));
      BeaconListener heard = rig.finder().listener();
      Await.until("beacons of labB heard and ignored", () -> heard.foreignNetwork.sum() > 0);
      assertEquals(0, atB.count(), "nothing went to the Station of the other network");
      assertEquals(0, heard.bad.sum());
    }
  }

  @Test
  void withoutAStationIdTheFirstBeaconNamesIt() throws Exception {
    Recorder data = new Recorder();
    BeaconListener shared = BeaconListener.acquire(0); // stands for the port a lab would configure
    try (Station station = announcing("T2", "labA", shared.port(), data)) {
      shared.release();
      // The station beacons to the port just released; a node that binds it again hears them.
      DiscoveryOptions opts = DiscoveryOptions.builder().port(shared.port()).attemptTime(Duration.ofMillis(500)).build();
      try (NetNode rig = NetNode.builder().id("rig").discover("labA").discovery(opts).build()) {
        assertEquals("T2", rig.upstreamId());
        assertTrue(rig.awaitConnected(Duration.ofSeconds(20)));
        rig.sendConfirmed("T2", "DATA", Map.of("n", 2)).get(10, TimeUnit.SECONDS);
        data.next();
      }
    }
  }

  @Test
  void withoutAStationIdAndNoBeaconBuildingFailsClearly() {
    DiscoveryOptions opts = DiscoveryOptions.builder().port(0).firstBeaconWait(Duration.ofMillis(300)).build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NetNode.builder().id("rig").discover("labA").discovery(opts).build());
    assertTrue(e.getMessage().contains("no Station announced itself on network 'labA'"), e.getMessage());
  }

  @Test
  void aRestartedStationOnANewPortIsFoundAgain() throws Exception {
    Recorder data = new Recorder();
    List<String> back = new CopyOnWriteArrayList<>();
    EndpointOptions options = QUICK.toBuilder().listener(new EndpointListener() {
      @Override
      public void upstreamBack(String upstreamId, String reason) {
        back.add(reason);
      }
    }).build();
    try (NetNode rig = NetNode.builder().id("rig").discover("labA", "S").discovery(listenOnAnyPort()).options(options)
        .build()) {
      int firstPort;
      try (Station first = announcing("S", "labA", rig.finder().port(), data)) {
        firstPort = first.port();
        assertTrue(rig.awaitConnected(Duration.ofSeconds(20)));
      }
      Await.until("the node notices its Station is gone", () -> rig.upstreamState() != UpstreamState.CONNECTED);
      try (Station second = announcing("S", "labA", rig.finder().port(), data)) {
        assertNotEquals(firstPort, second.port());
        Await.until("found again at " + second.endpoint(), Duration.ofSeconds(30),
            () -> rig.upstreamState() == UpstreamState.CONNECTED);
        rig.sendConfirmed("S", "DATA", Map.of("after", "restart")).get(10, TimeUnit.SECONDS);
        assertEquals(Map.of("after", "restart"), data.next().value(Map.class));
        Await.until("upstreamBack reported", () -> !back.isEmpty());
      }
    }
  }

  @Test
  void bootstrapAddressesAreTriedInOrder() throws Exception {
    Recorder data = new Recorder();
    try (Station station = Station.builder().id("S").bindAddress("127.0.0.1").listen("DATA", data).build();
        NetNode rig = NetNode.builder().id("rig")
            .upstreams(List.of("127.0.0.1:" + deadPort(), station.endpoint()), "S")
            .discovery(DiscoveryOptions.builder().attemptTime(Duration.ofMillis(300)).build()).build()) {
      assertTrue(rig.awaitConnected(Duration.ofSeconds(20)));
      rig.sendConfirmed("S", "DATA", Map.of("via", "second")).get(10, TimeUnit.SECONDS);
      data.next();
    }
  }

  @Test
  void aBootstrapAddressMayBeAPythonStation() throws Exception {
    try (RawPeer python = RawPeer.router("T");
        NetNode rig = NetNode.builder().id("rig").upstreams(List.of("127.0.0.1:" + deadPort(), "127.0.0.1:" + python.port()), "T")
            .options(EndpointOptions.builder().helloTimeout(Duration.ofMillis(300)).build())
            .discovery(DiscoveryOptions.builder().attemptTime(Duration.ofSeconds(2)).build()).build()) {
      List<byte[]> ping = python.receive(Duration.ofSeconds(20));
      while (ping != null && ping.get(ping.size() - 1).length != 0) { // a Python station echoes the connection ping
        ping = python.receive(Duration.ofSeconds(20));
      }
      python.send(ping.toArray());
      assertTrue(rig.awaitConnected(Duration.ofSeconds(20)));
      assertEquals(UpstreamState.LEGACY, rig.upstreamState());
    }
  }

  @Test
  void whenEveryAddressFailsOneAlert() throws Exception {
    List<String> notFound = new CopyOnWriteArrayList<>();
    EndpointOptions options = EndpointOptions.builder().listener(new EndpointListener() {
      @Override
      public void upstreamNotFound(String upstreamId, String reason) {
        notFound.add(upstreamId + ": " + reason);
      }
    }).build();
    String a = "127.0.0.1:" + deadPort();
    String b = "127.0.0.1:" + deadPort();
    try (NetNode rig = NetNode.builder().id("rig").upstreams(List.of(a, b), "S").options(options)
        .discovery(DiscoveryOptions.builder().attemptTime(Duration.ofMillis(200)).build()).build()) {
      Await.until("the alert", () -> !notFound.isEmpty());
      assertTrue(notFound.get(0).startsWith("S: none of [tcp://" + a + ", tcp://" + b + "]"), notFound.get(0));
      assertEquals(UpstreamState.CONNECTING, rig.upstreamState());
    }
  }

  @Test
  void badCombinationsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> NetNode.builder().id("rig").discover("lab A", "S"));
    assertThrows(IllegalArgumentException.class, () -> NetNode.builder().id("rig").upstreams(List.of("nohost"), "S"));
    assertThrows(IllegalArgumentException.class, () -> NetNode.builder().id("rig").upstreams(List.of(), "S"));
    assertThrows(IllegalArgumentException.class, () -> NetNode.builder().id("rig").upstream("127.0.0.1", 1, "S")
        .upstreams(List.of("127.0.0.1:2"), "S").build());
  }

  /** A port nothing listens on (bound, then closed: a connection there is refused). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
