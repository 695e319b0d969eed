package io.stationmq.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.Recorder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A UDP bridge in front of a NetNode connected to a Station, all on loopback with real sockets:
 * datagrams from a test socket arrive at the Station's listen, and every one the bridge read is
 * accounted for in its counters.
 */
@Timeout(120)
class UdpBridgeTest {
  private static final String KEY = "GPS";

  private final Closer closer = new Closer();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong markers = new AtomicLong();
  private final Set<Long> seqs = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> lastSample = new ConcurrentHashMap<>();
  private Station station;
  private DatagramSocket sender;

  @BeforeEach
  void start() throws IOException {
    station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    station.onSamples(KEY, JsonNode.class, s -> {
      lastSample.put("last", s);
      if (s.path("value").asText().equals("end")) {
        markers.incrementAndGet();
        return;
      }
      JsonNode seq = s.path("value").path("seq");
      if (seq.isNumber()) {
        seqs.add(seq.asLong());
      }
      samples.incrementAndGet();
    });
    sender = new DatagramSocket();
  }

  @AfterEach
  void closeAll() throws Exception {
    sender.close();
    closer.closeAllAndCheckThreads();
  }

  private NetNode node(String id) throws InterruptedException {
    NetNode n = closer.track(NetNode.builder().id(id).upstream("127.0.0.1", station.port(), "T").build());
    assertTrue(n.awaitConnected(Duration.ofSeconds(10)), "node connected");
    return n;
  }

  private UdpBridge bridge(BridgeOptions options, UdpBridge.Builder more) throws Exception {
    return closer.track(more.node(node("gps_bridge"), false).sensor("gps_1").options(options).start());
  }

  private void send(InetSocketAddress to, byte[] payload) throws IOException {
    sender.send(new DatagramPacket(payload, payload.length, to));
  }

  private static byte[] json(long seq) {
    return ("{\"seq\": " + seq + ", \"lat\": 52.52, \"lon\": 13.40}").getBytes(StandardCharsets.UTF_8);
  }

  /** Sends {@code n} datagrams in bursts of {@code burst}, each burst once the bridge read the last. */
  private void sendPaced(UdpBridge bridge, InetSocketAddress to, int n, int burst) throws IOException {
    long before = bridge.stats().handled();
    for (int i = 0; i < n; i += burst) {
      for (int j = i; j < Math.min(n, i + burst); j++) {
        send(to, json(j));
      }
      long expected = before + Math.min(n, i + burst);
      Await.until("bridge handled " + expected, () -> bridge.stats().handled() >= expected);
    }
  }

  private static InetSocketAddress loopback(UdpBridge b) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port());
  }

  @Test
  void tenThousandDatagramsAtAModestRateAllArriveAtTheStation() throws Exception {
    UdpBridge b = bridge(BridgeOptions.builder().key(KEY).build(), UdpBridge.builder().bindAddress("127.0.0.1"));
    assertTrue(b.port() > 0);
    sendPaced(b, loopback(b), 10_000, 200);
    Await.equal("samples at the Station", 10_000L, samples::get);
    assertEquals(10_000, seqs.size(), "each datagram once");
    BridgeStats s = b.stats();
    assertEquals(new BridgeStats(10_000, 0, 0, 0, 0, 0, 10_000, 0, 0), s, s.summary());
    JsonNode last = (JsonNode) lastSample.get("last");
    assertEquals("gps_1", last.get("sensor").asText());
    assertTrue(last.get("from").asText().startsWith("127.0.0.1:"), last.toString());
    double captured = last.get("captured").asDouble();
    assertTrue(Math.abs(captured - System.currentTimeMillis() / 1e3) < 60, "captured is epoch seconds: " + captured);
    assertEquals(52.52, last.path("value").path("lat").asDouble());
  }

  @ParameterizedTest(name = "receive buffer {0} bytes")
  @ValueSource(ints = {64 * 1024, 4 << 20})
  void atAHighRateWhatTheBridgeReadIsAllAccountedForAndWhatUdpLostIsReported(int receiveBuffer) throws Exception {
    UdpBridge b = bridge(BridgeOptions.builder().key(KEY).build(),
        UdpBridge.builder().bindAddress("127.0.0.1").receiveBufferSize(receiveBuffer));
    InetSocketAddress to = loopback(b);
    int sent = 10_000;
    for (int i = 0; i < sent; i++) {
      send(to, json(i));
    }
    // UDP says nothing about what it lost. The socket's queue is first in, first out: once an end
    // marker is through, everything before it that survived is too. Markers may be lost as well,
    // so one more goes with every look.
    byte[] marker = "\"end\"".getBytes(StandardCharsets.UTF_8);
    AtomicLong markersSent = new AtomicLong();
    Await.until("an end marker through the bridge", Duration.ofSeconds(30), () -> {
      try {
        send(to, marker);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      markersSent.incrementAndGet();
      return markers.get() > 0;
    });
    // A last marker may still be on its way: wait until what the bridge forwarded is all at the Station.
    Await.until("the bridge idle and its samples at the Station", () -> {
      BridgeStats now = b.stats();
      return now.handled() == now.received() && now.forwarded() == samples.get() + markers.get();
    });
    BridgeStats s = b.stats();
    assertEquals(s.received(), s.forwarded() + s.dropped(), s.summary());
    long read = samples.get();
    assertEquals(read, seqs.size(), "each datagram at most once");
    OptionalLong systemDrops = b.systemDrops();
    System.out.printf("UDP high rate, receive buffer %d asked: sent %d, read by the bridge and at the Station %d, lost in the socket %d (%.1f%%);"
        + " markers %d sent, %d through; system drops %s; %s%n", receiveBuffer, sent, read, sent - read,
        100.0 * (sent - read) / sent, markersSent.get(), markers.get(), systemDrops, s.summary());
    if (systemDrops.isPresent()) {
      // Markers still on their way when the loop ended may yet arrive: they are neither read nor dropped.
      long lostIncludingMarkers = sent + markersSent.get() - s.received();
      assertTrue(systemDrops.getAsLong() <= lostIncludingMarkers
          && systemDrops.getAsLong() >= sent - read, "the system counted every datagram the bridge never read: "
          + systemDrops.getAsLong() + " of " + (sent - read) + ".." + lostIncludingMarkers);
    }
  }

  @Test
  void ipv6LoopbackWorks() throws Exception {
    InetAddress v6;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      v6 = probe.getLocalAddress();
    } catch (IOException e) {
      Assumptions.abort("IPv6 loopback (::1) is not available here: " + e.getMessage());
      return;
    }
    UdpBridge b = bridge(BridgeOptions.builder().key(KEY).build(), UdpBridge.builder().bindAddress("::1"));
    sendPaced(b, new InetSocketAddress(v6, b.port()), 100, 50);
    Await.equal("samples at the Station", 100L, samples::get);
    String from = ((JsonNode) lastSample.get("last")).get("from").asText();
    assertTrue(from.startsWith("0:0:0:0:0:0:0:1") || from.startsWith("::1"), from);
  }

  @Test
  void decimationAndTheRateLimitAreCountedExactly() throws Exception {
    // A clock that stands still: the bucket holds its first 50 tokens and never refills.
    BridgeOptions o = BridgeOptions.builder().key(KEY).every(10).maxRate(50).nanoClock(() -> 0L).build();
    UdpBridge b = bridge(o, UdpBridge.builder().bindAddress("127.0.0.1"));
    sendPaced(b, loopback(b), 1_000, 100);
    Await.equal("samples at the Station", 50L, samples::get);
    assertEquals(new BridgeStats(1_000, 0, 0, 900, 50, 0, 50, 0, 0), b.stats(), b.stats().summary());
    // every 10th is kept: seq 9, 19, ... (the first 50 of them pass the limit)
    assertTrue(seqs.stream().allMatch(q -> q % 10 == 9 && q < 500), seqs.toString());
  }

  @Test
  void malformedAndOversizeDatagramsAreCountedAndTheBridgeGoesOn() throws Exception {
    UdpBridge b = bridge(BridgeOptions.builder().key(KEY).build(),
        UdpBridge.builder().bindAddress("127.0.0.1").decoder(PayloadDecoder.json()).maxDatagramSize(512));
    InetSocketAddress to = loopback(b);
    for (int i = 0; i < 100; i++) {
      send(to, json(i));
      send(to, ("not json " + i).getBytes(StandardCharsets.UTF_8));
      if (i % 10 == 0) {
        send(to, new byte[600]);
      }
      long expected = 2L * (i + 1) + i / 10 + 1;
      Await.until("bridge handled " + expected, () -> b.stats().handled() >= expected);
    }
    Await.equal("samples at the Station", 100L, samples::get);
    assertEquals(new BridgeStats(210, 110, 0, 0, 0, 0, 100, 0, 0), b.stats(), b.stats().summary());
  }

  @Test
  void theDefaultDecoderForwardsNonJsonAsBase64() throws Exception {
    UdpBridge b = bridge(BridgeOptions.builder().key(KEY).build(), UdpBridge.builder().bindAddress("127.0.0.1"));
    send(loopback(b), new byte[] {(byte) 0xFF, 0x00, 0x01});
    Await.equal("samples at the Station", 1L, samples::get);
    assertEquals("/wAB", ((JsonNode) lastSample.get("last")).path("value").path("base64").asText());
  }

  @Test
  void confirmedForwardingDeliversEachEventAsAConfirmedMessage() throws Exception {
    Recorder events = new Recorder();
    station.on("DOOR", events);
    UdpBridge b = bridge(BridgeOptions.builder().key("DOOR").forwarding(Forwarding.CONFIRMED).build(),
        UdpBridge.builder().bindAddress("127.0.0.1"));
    sendPaced(b, loopback(b), 50, 10);
    for (int i = 0; i < 50; i++) {
      assertEquals("gps_1", events.next().value(JsonNode.class).get("sensor").asText());
    }
    Await.equal("confirmations", 50L, () -> b.stats().confirmed());
    assertEquals(new BridgeStats(50, 0, 0, 0, 0, 0, 50, 50, 0), b.stats());
  }

  @Test
  void aPortInUseFailsAtStartAndClosesAnOwnedNode() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      NetNode n = NetNode.builder().id("owned").upstream("127.0.0.1", station.port(), "T").build();
      IOException e = assertThrows(IOException.class, () -> UdpBridge.builder().node(n, true).bindAddress("127.0.0.1")
          .port(taken.getLocalPort()).options(BridgeOptions.builder().key(KEY).build()).start());
      assertTrue(e.getMessage().contains("cannot bind UDP"), e.getMessage());
      assertTrue(n.isClosed(), "owned node closed");
    }
  }

  @Test
  void badOptionsAreRefusedByName() {
    assertThrows(IllegalArgumentException.class, () -> BridgeOptions.builder().key(KEY).every(0).build());
    assertThrows(IllegalArgumentException.class, () -> BridgeOptions.builder().key(KEY).maxRate(-1).build());
    assertThrows(IllegalArgumentException.class, () -> BridgeOptions.builder().build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UdpBridge.builder().port(70_000).start());
    assertTrue(e.getMessage().contains("required"), e.getMessage());
  }
}
