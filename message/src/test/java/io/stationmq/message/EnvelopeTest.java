package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frame layouts (PROTOCOL.md sections 3 and 4): the frames the Python toolkit put on the wire,
 * every outbound layout, round trips through a simulated ROUTER, multihop forwarding, pings and
 * malformed frame lists.
 */
@Timeout(60)
class EnvelopeTest {
  /** Golden frames, relative to the module directory (Maven's working directory). */
  private static final Path FRAMES = Path.of("src", "test", "resources", "autopilot-wire", "frames");
  private static final byte[] B = utf8("{\"id\": \"node_1_0\", \"to\": \"node_3\", \"sender\": \"node_1\", \"key\": \"K\"}");

  // ---------------------------------------------------------------- helpers

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** One base64 frame per line; an empty line is an empty frame. */
  private static List<byte[]> frames(String file) throws IOException {
    String content = Files.readString(FRAMES.resolve(file), StandardCharsets.US_ASCII);
    List<String> lines = new ArrayList<>(Arrays.asList(content.split("\n", -1)));
    if (content.endsWith("\n")) {
      lines.remove(lines.size() - 1);
    }
    return lines.stream().map(l -> Base64.getDecoder().decode(l.strip())).collect(Collectors.toList());
  }

  private static List<byte[]> frameList(String... frames) {
    return Arrays.stream(frames).map(EnvelopeTest::utf8).collect(Collectors.toList());
  }

  private static List<byte[]> withBody(List<byte[]> routing, byte[] body) {
    List<byte[]> out = new ArrayList<>(routing);
    out.add(body);
    return out;
  }

  /** What a ROUTER hands the application: the peer identity prepended. */
  private static List<byte[]> receivedOnRouter(String senderIdentity, List<byte[]> sentByDealer) {
    List<byte[]> out = new ArrayList<>(sentByDealer.size() + 1);
    out.add(utf8(senderIdentity));
    out.addAll(sentByDealer);
    return out;
  }

  /** What a ROUTER puts on the wire: its first frame is consumed as the destination identity. */
  private static List<byte[]> receivedOnDealer(List<byte[]> sentByRouter) {
    return new ArrayList<>(sentByRouter.subList(1, sentByRouter.size()));
  }

  private static List<String> texts(List<byte[]> frames) {
    return frames.stream().map(EnvelopeTest::text).collect(Collectors.toList());
  }

  /** Compares frame lists byte for byte, with a readable message. */
  private static void assertFrames(List<byte[]> expected, List<byte[]> actual) {
    assertEquals(texts(expected), texts(actual));
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
    }
  }

  private static void assertEnvelope(Envelope e, String senderId, String recipient, List<String> hops, String nextHop,
      byte[] body) {
    assertEquals(senderId, e.senderId(), "senderId");
    assertEquals(recipient, e.recipient(), "recipient");
    assertEquals(hops, e.hops(), "hops");
    assertEquals(!hops.isEmpty(), e.isMultihop(), "isMultihop");
    assertEquals(nextHop, e.nextHop(), "nextHop");
    assertFalse(e.isPing(), "isPing");
    assertArrayEquals(body, e.body(), "body");
  }

  private static byte[] last(List<byte[]> frames) {
    return frames.get(frames.size() - 1);
  }

  // ---------------------------------------------------------------- the Python toolkit's frames

  @Test
  void everyGoldenFramesFileIsCoveredByThisTest() throws IOException {
    try (Stream<Path> files = Files.list(FRAMES)) {
      assertEquals(
          new TreeSet<>(Set.of("node_confirm.frames", "node_send_force_to.frames", "node_send_multihop.frames",
              "node_send_other.frames", "node_send_upstream.frames", "station_confirm_to_dealer.frames",
              "station_forward_upstream.frames", "station_ping_echo.frames")),
          files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
          "golden frames folder changed: update this test");
    }
  }

  @Test
  void nodeSendUpstreamOnTheRouter() throws IOException {
    List<byte[]> f = frames("node_send_upstream.frames");
    assertEquals(List.of("pilot_1", "T", "T"), texts(f.subList(0, 3)));
    Envelope e = Envelope.fromRouter(f);
    assertEnvelope(e, "pilot_1", "T", List.of(), "T", last(f));
    assertArrayEquals(utf8("pilot_1"), e.senderIdentity());
    assertSame(f, e.frames());
    assertEquals("pilot_1_0", MessageCodec.decode(e.body()).id());
    assertFrames(f.subList(1, f.size()), Envelope.toUpstream("T", "T", last(f)));
  }

  @Test
  void nodeSendOtherOnTheRouter() throws IOException {
    List<byte[]> f = frames("node_send_other.frames");
    Envelope e = Envelope.fromRouter(f);
    assertEnvelope(e, "pilot_1", "other_node", List.of(), "other_node", last(f));
    assertEquals("other_node", MessageCodec.decode(e.body()).to());
    assertFrames(f.subList(1, f.size()), Envelope.toUpstream("T", "other_node", last(f)));
    // A Station forwards it to a connected peer as [to, B].
    assertFrames(List.of(utf8("other_node"), last(f)), e.forwardViaRouter());
  }

  @Test
  void nodeSendMultihopOnTheRouter() throws IOException {
    List<byte[]> f = frames("node_send_multihop.frames");
    assertEquals(List.of("pilot_1", "T", "station_2", "node_3", "node_3"), texts(f.subList(0, 5)));
    Envelope e = Envelope.fromRouter(f);
    assertEnvelope(e, "pilot_1", "node_3", List.of("station_2"), "station_2", last(f));
    assertEquals("node_3", MessageCodec.decode(e.body()).to());
    assertFrames(f.subList(1, f.size()), Envelope.multihop(List.of("T", "station_2", "node_3"), last(f)));
    // Python forwards frames from index 2 on.
    assertFrames(f.subList(2, f.size()), e.forwardViaRouter());
  }

  @Test
  void nodeSendForceToOnTheRouter() throws IOException {
    List<byte[]> f = frames("node_send_force_to.frames");
    Envelope e = Envelope.fromRouter(f);
    assertEnvelope(e, "pilot_1", "peer_x", List.of(), "peer_x", last(f));
    assertFrames(f.subList(1, f.size()), Envelope.toPeer("peer_x", last(f)));
  }

  @Test
  void nodeConfirmOnTheRouter() throws IOException {
    List<byte[]> f = frames("node_confirm.frames");
    Envelope e = Envelope.fromRouter(f);
    assertEnvelope(e, "pilot_1", "T", List.of(), "T", last(f));
    Message confirm = MessageCodec.decode(e.body());
    assertEquals("CONFIRM", confirm.key());
    assertEquals("T_0", confirm.value(String.class));
    assertFrames(f.subList(1, f.size()), Envelope.toUpstream("T", "T", last(f)));
  }

  @Test
  void stationConfirmAsTheDealerReceivesIt() throws IOException {
    List<byte[]> f = frames("station_confirm_to_dealer.frames");
    assertEquals(1, f.size());
    Envelope e = Envelope.fromDealer(f);
    assertEnvelope(e, null, null, List.of(), null, f.get(0));
    assertNull(e.senderIdentity());
    assertEquals("child_node", MessageCodec.decode(e.body()).to());
    // The Station sent [child_node, B] through its ROUTER.
    assertFrames(f, receivedOnDealer(Envelope.toConnected("child_node", f.get(0))));
  }

  @Test
  void stationForwardUpstreamOnTheRouter() throws IOException {
    List<byte[]> f = frames("station_forward_upstream.frames");
    Envelope e = Envelope.fromRouter(f);
    assertEnvelope(e, "pilot_1", "T", List.of(), "T", last(f));
    assertEquals("child_node_1", MessageCodec.decode(e.body()).id());
    // The Station's pusher sent [push_id, to, B].
    assertFrames(f.subList(1, f.size()), Envelope.toUpstream("T", "T", last(f)));
  }

  @Test
  void stationPingEchoIsAPingOnBothParsers() throws IOException {
    List<byte[]> f = frames("station_ping_echo.frames");
    assertEquals(List.of("pilot_1", ""), texts(f));

    Envelope onRouter = Envelope.fromRouter(f);
    assertTrue(onRouter.isPing());
    assertEquals("pilot_1", onRouter.senderId());
    assertNull(onRouter.recipient());
    assertEquals(List.of(), onRouter.hops());
    assertFalse(onRouter.isMultihop());
    assertEquals(0, onRouter.body().length);
    assertFrames(f, onRouter.echo());

    Envelope onDealer = Envelope.fromDealer(f);
    assertTrue(onDealer.isPing());
    assertNull(onDealer.senderId());
    assertNull(onDealer.recipient());
    assertEquals(0, onDealer.body().length);
    assertFrames(f, onDealer.echo());

    // The echo sent back through the ROUTER reaches the DEALER without its first frame: still a ping.
    Envelope echoed = Envelope.fromDealer(receivedOnDealer(onRouter.echo()));
    assertTrue(echoed.isPing());
  }

  // ---------------------------------------------------------------- outbound layouts (section 3)

  @Test
  void toUpstreamIsUpstreamToBody() {
    assertFrames(frameList("T", "other", text(B)), Envelope.toUpstream("T", "other", B));
    assertSame(B, last(Envelope.toUpstream("T", "other", B)), "the body is not copied");
  }

  @Test
  void toPeerIsToToBody() {
    assertFrames(frameList("peer_x", "peer_x", text(B)), Envelope.toPeer("peer_x", B));
  }

  @Test
  void multihopRepeatsTheLastHop() {
    assertFrames(frameList("h1", "h1", text(B)), Envelope.multihop(List.of("h1"), B));
    assertFrames(frameList("h1", "h2", "h2", text(B)), Envelope.multihop(List.of("h1", "h2"), B));
    assertFrames(frameList("s1", "s2", "s3", "n3", "n3", text(B)),
        Envelope.multihop(List.of("s1", "s2", "s3", "n3"), B));
  }

  @Test
  void toConnectedIsToBody() {
    assertFrames(frameList("child", text(B)), Envelope.toConnected("child", B));
  }

  @Test
  void stationPushIsPushIdToBody() {
    assertFrames(frameList("upstream", "T", text(B)), Envelope.toUpstream("upstream", "T", B));
  }

  @Test
  void builderArgumentsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> Envelope.toUpstream("", "T", B));
    assertThrows(IllegalArgumentException.class, () -> Envelope.toUpstream("T", "", B));
    assertThrows(IllegalArgumentException.class, () -> Envelope.toPeer("", B));
    assertThrows(IllegalArgumentException.class, () -> Envelope.toConnected(null, B));
    assertThrows(IllegalArgumentException.class, () -> Envelope.multihop(List.of(), B));
    assertThrows(IllegalArgumentException.class, () -> Envelope.multihop(List.of("a", ""), B));
  }

  // ---------------------------------------------------------------- round trips through a simulated ROUTER

  @Test
  void framesADealerSendsParseBackOnTheRouter() {
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("node_1", Envelope.toUpstream("T", "T", B))),
        "node_1", "T", List.of(), "T", B);
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("node_1", Envelope.toUpstream("T", "other", B))),
        "node_1", "other", List.of(), "other", B);
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("node_1", Envelope.toPeer("peer_x", B))),
        "node_1", "peer_x", List.of(), "peer_x", B);
    // multihop: the first hop is the ROUTER itself; the rest of the path remains.
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("node_1", Envelope.multihop(List.of("h1"), B))),
        "node_1", "h1", List.of(), "h1", B);
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("node_1", Envelope.multihop(List.of("h1", "h2"), B))),
        "node_1", "h2", List.of(), "h2", B);
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("node_1", Envelope.multihop(List.of("h1", "h2", "h3"), B))),
        "node_1", "h3", List.of("h2"), "h2", B);
    assertEnvelope(Envelope.fromRouter(
            receivedOnRouter("node_1", Envelope.multihop(List.of("h1", "h2", "h3", "h4", "h5"), B))),
        "node_1", "h5", List.of("h2", "h3", "h4"), "h2", B);
  }

  @Test
  void framesARouterSendsParseBackOnTheDealer() {
    assertEnvelope(Envelope.fromDealer(receivedOnDealer(Envelope.toConnected("child", B))),
        null, null, List.of(), null, B);
    assertEnvelope(Envelope.fromDealer(receivedOnDealer(Envelope.toPeer("peer_x", B))),
        null, "peer_x", List.of(), "peer_x", B);
    assertEnvelope(Envelope.fromDealer(receivedOnDealer(Envelope.throughRouter("station_2", "node_3", B))),
        null, "node_3", List.of(), "node_3", B);
    assertEnvelope(Envelope.fromDealer(receivedOnDealer(Envelope.multihop(List.of("h1"), B))),
        null, "h1", List.of(), "h1", B);
    assertEnvelope(Envelope.fromDealer(receivedOnDealer(Envelope.multihop(List.of("h1", "h2"), B))),
        null, "h2", List.of(), "h2", B);
    assertEnvelope(Envelope.fromDealer(receivedOnDealer(Envelope.multihop(List.of("h1", "h2", "h3", "h4"), B))),
        null, "h4", List.of("h2", "h3"), "h2", B);
  }

  @Test
  void forwardViaRouterOfARouterEnvelopeParsesBackOnTheNextDealer() {
    Envelope e = Envelope.fromRouter(receivedOnRouter("a", Envelope.toUpstream("T", "child", B)));
    assertFrames(List.of(utf8("child"), B), e.forwardViaRouter());
    Envelope delivered = Envelope.fromDealer(receivedOnDealer(e.forwardViaRouter()));
    assertNull(delivered.recipient(), "a single body frame is for the receiver");
    assertSame(B, delivered.body());
  }

  // ---------------------------------------------------------------- multihop across three stations (section 4)

  @Test
  void multihopAcrossThreeStationsReachesTheFinalRecipientWithTheSameBody() {
    byte[] body = B.clone();
    List<byte[]> sent = Envelope.multihop(List.of("station_1", "station_2", "station_3", "node_3"), body);
    assertEquals(List.of("station_1", "station_2", "station_3", "node_3", "node_3"), texts(sent.subList(0, 5)));

    // station_1's ROUTER receives it from node_1's DEALER.
    Envelope atStation1 = Envelope.fromRouter(receivedOnRouter("node_1", sent));
    assertEnvelope(atStation1, "node_1", "node_3", List.of("station_2", "station_3"), "station_2", body);
    List<byte[]> out1 = atStation1.forwardViaRouter();
    assertEquals("station_2", text(out1.get(0)), "station_1's ROUTER addresses station_2");

    // station_2's DEALER (connected to station_1's ROUTER) receives it.
    Envelope atStation2 = Envelope.fromDealer(receivedOnDealer(out1));
    assertEnvelope(atStation2, null, "node_3", List.of("station_3"), "station_3", body);
    List<byte[]> out2 = atStation2.forwardViaRouter();
    assertEquals("station_3", text(out2.get(0)), "station_2's ROUTER addresses station_3");

    // station_3's DEALER receives it; no hops remain.
    Envelope atStation3 = Envelope.fromDealer(receivedOnDealer(out2));
    assertEnvelope(atStation3, null, "node_3", List.of(), "node_3", body);
    List<byte[]> out3 = atStation3.forwardViaRouter();
    assertFrames(List.of(utf8("node_3"), body), out3);
    assertEquals("node_3", text(out3.get(0)), "station_3's ROUTER addresses node_3");

    // node_3's DEALER receives the body alone: for itself.
    Envelope atNode3 = Envelope.fromDealer(receivedOnDealer(out3));
    assertNull(atNode3.recipient());
    assertArrayEquals(body, atNode3.body());
    assertSame(body, atNode3.body(), "the body travels untouched");
    assertArrayEquals(B, atNode3.body());
  }

  @Test
  void multihopAcrossThreeStationsWhenTheLastStationReceivesOnItsRouter() {
    // Variant: each station forwards to the next one's ROUTER through its pusher DEALER.
    List<byte[]> sent = Envelope.multihop(List.of("station_1", "station_2", "station_3", "node_3"), B);
    Envelope atStation1 = Envelope.fromRouter(receivedOnRouter("node_1", sent));
    List<byte[]> push1 = atStation1.forwardViaPusher("station_2");
    Envelope atStation2 = Envelope.fromRouter(receivedOnRouter("station_1", push1));
    assertEnvelope(atStation2, "station_1", "node_3", List.of("station_3"), "station_3", B);
    List<byte[]> push2 = atStation2.forwardViaPusher("station_3");
    Envelope atStation3 = Envelope.fromRouter(receivedOnRouter("station_2", push2));
    assertEnvelope(atStation3, "station_2", "node_3", List.of(), "node_3", B);
    Envelope atNode3 = Envelope.fromDealer(receivedOnDealer(atStation3.forwardViaRouter()));
    assertSame(B, atNode3.body());
  }

  // ---------------------------------------------------------------- forwardViaPusher

  @Test
  void forwardViaPusherOfANonMultihopMessageIsUpstreamToBody() {
    Envelope e = Envelope.fromRouter(receivedOnRouter("child", Envelope.toUpstream("me", "far_away", B)));
    assertFrames(List.of(utf8("upstream"), utf8("far_away"), B), e.forwardViaPusher("upstream"));
    Envelope up = Envelope.fromRouter(receivedOnRouter("me", e.forwardViaPusher("upstream")));
    assertEnvelope(up, "me", "far_away", List.of(), "far_away", B);
  }

  @Test
  void forwardViaPusherOfAMultihopMessageKeepsTheRemainingHops() {
    Envelope e = Envelope.fromRouter(receivedOnRouter("node_1",
        Envelope.multihop(List.of("station_1", "station_2", "station_3", "node_3"), B)));
    assertEquals(List.of("station_2", "station_3"), e.hops());

    // The upstream is not the next hop: the whole remaining path follows it.
    List<byte[]> other = e.forwardViaPusher("upstream");
    assertFrames(List.of(utf8("upstream"), utf8("station_2"), utf8("station_3"), utf8("node_3"), utf8("node_3"), B),
        other);
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("station_1", other)),
        "station_1", "node_3", List.of("station_2", "station_3"), "station_2", B);

    // The upstream is the next hop: it is not repeated.
    List<byte[]> next = e.forwardViaPusher("station_2");
    assertFrames(List.of(utf8("station_2"), utf8("station_3"), utf8("node_3"), utf8("node_3"), B), next);
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("station_1", next)),
        "station_1", "node_3", List.of("station_3"), "station_3", B);

    // One hop left, and it is the upstream: [upstream, to, B].
    Envelope oneHop = Envelope.fromRouter(receivedOnRouter("node_1", Envelope.multihop(List.of("s1", "s2", "n3"), B)));
    assertEquals(List.of("s2"), oneHop.hops());
    assertFrames(List.of(utf8("s2"), utf8("n3"), B), oneHop.forwardViaPusher("s2"));
    assertEnvelope(Envelope.fromRouter(receivedOnRouter("s1", oneHop.forwardViaPusher("s2"))),
        "s1", "n3", List.of(), "n3", B);
  }

  // ---------------------------------------------------------------- pings

  @Test
  void aRouterListEndingInAnEmptyFrameIsAPingEchoedUnchanged() {
    for (List<byte[]> ping : List.of(frameList("node_1", ""), frameList("node_1", "x", ""),
        frameList("node_1", "T", "T", ""), frameList("node_1", "a", "", "b", ""))) {
      Envelope e = Envelope.fromRouter(ping);
      assertTrue(e.isPing(), texts(ping).toString());
      assertEquals("node_1", e.senderId());
      assertNull(e.recipient());
      assertFalse(e.isMultihop());
      assertSame(ping, e.echo());
      assertFrames(ping, e.echo());
      assertTrue(e.toString().contains("ping"), e.toString());
    }
  }

  @Test
  void aDealerListEndingInAnEmptyFrameIsAPing() {
    for (List<byte[]> ping : List.of(frameList(""), frameList("x", ""), frameList("", ""))) {
      Envelope e = Envelope.fromDealer(ping);
      assertTrue(e.isPing(), texts(ping).toString());
      assertFrames(ping, e.echo());
    }
  }

  // ---------------------------------------------------------------- malformed frame lists

  @Test
  void malformedFrameListsThrowMessageFormatException() {
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(List.of()));
    assertThrows(MessageFormatException.class, () -> Envelope.fromDealer(List.of()));
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(null));
    assertThrows(MessageFormatException.class, () -> Envelope.fromDealer(null));
    // ROUTER with 1 or 2 non-ping frames
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(frameList("node_1")));
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(withBody(frameList("node_1"), B)));
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(frameList("node_1", "T")));
    // empty identity, with or without a ping
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(withBody(frameList("", "T", "T"), B)));
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(frameList("", "")));
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(frameList("")));
    // empty routing frames: recipient and hops
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(withBody(frameList("node_1", ""), B)));
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(withBody(frameList("node_1", "T", ""), B)));
    assertThrows(MessageFormatException.class,
        () -> Envelope.fromRouter(withBody(frameList("node_1", "T", "", "n3"), B)));
    assertThrows(MessageFormatException.class,
        () -> Envelope.fromRouter(withBody(frameList("node_1", "T", "s2", "", "n3", "n3"), B)));
    assertThrows(MessageFormatException.class, () -> Envelope.fromDealer(withBody(frameList(""), B)));
    assertThrows(MessageFormatException.class, () -> Envelope.fromDealer(withBody(frameList("", "n3"), B)));
    assertThrows(MessageFormatException.class, () -> Envelope.fromDealer(withBody(frameList("h", "", "n3"), B)));
  }

  @Test
  void anEmptyAddressedFrameOnTheRouterIsRejected() {
    assertThrows(MessageFormatException.class, () -> Envelope.fromRouter(withBody(frameList("node_1", "", "T"), B)));
    assertThrows(MessageFormatException.class,
        () -> Envelope.fromRouter(withBody(frameList("node_1", "", "s2", "n3", "n3"), B)));
  }

  @Test
  void toStringNamesTheRoutingButNotTheBody() {
    Envelope e = Envelope.fromRouter(receivedOnRouter("node_1", Envelope.multihop(List.of("h1", "h2", "h3"), B)));
    String s = e.toString();
    assertTrue(s.contains("node_1") && s.contains("h3") && s.contains("h2"), s);
    assertFalse(s.contains("node_1_0"), "body content must not be printed: " + s);
  }
}
