package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.DType;
import io.stationmq.message.Message;
import io.stationmq.message.NdArray;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.FakeTicker;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A raw socket plays a Python autopilot peer exactly as PROTOCOL.md describes (frames and JSON
 * bodies with {@code changed}/{@code blosc}, {@code flags: {}} for a confirmed message) and
 * exchanges confirmed messages with a NetNode both ways.
 */
@Timeout(60)
class PythonPeerTest {
  /** Time stands still: nothing is repeated, so every confirmed message is sent exactly once. */
  private static final EndpointOptions NO_REPEATS = EndpointOptions.builder().ticker(new FakeTicker()).build();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Path BODIES = Path.of("..", "message", "src", "test", "resources", "autopilot-wire", "bodies");
  private static final Path FRAMES = Path.of("..", "message", "src", "test", "resources", "autopilot-wire", "frames");
  private static final Pattern PYTHON_TIMESTAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  /** Checks what a Python peer needs of a body: the section 1 fields with their types. */
  private static void assertPythonReadable(JsonNode body) {
    assertTrue(body.isObject());
    for (String field : List.of("id", "to", "sender", "key", "timestamp")) {
      assertTrue(body.get(field) != null && body.get(field).isTextual(), field + " is a string in " + body);
    }
    assertTrue(body.has("value"), "value present");
    assertTrue(PYTHON_TIMESTAMP.matcher(body.get("timestamp").asText()).matches(), body.get("timestamp").asText());
    assertTrue(body.get("ttl").isInt(), "ttl is an int");
    assertTrue(body.get("flags").isObject(), "flags is an object");
  }

  @Test
  void pythonDealerSendsConfirmedMessageAndNodeHandlesAndConfirmsIt() {
    Recorder data = new Recorder();
    try (NetNode node = NetNode.builder().id("T").routerPort(0).routerAddress("127.0.0.1").listen("DATA", data).build();
        RawPeer pilot = RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node)) {
      // Net_Node.send(to="T", key="DATA", value={...}, repeat=True): [upstream, to, body], flags {}.
      pilot.send("T", "T", RawPeer.pythonBody("pilot_1_7", "T", "pilot_1", "DATA",
          "{\"trial_num\": 3, \"correct\": true, \"rt\": 0.4213}", "{}"));

      Message m = data.next();
      assertEquals("pilot_1_7", m.id());
      assertEquals("pilot_1", m.sender());
      assertEquals("T", m.to());
      assertEquals(Map.of("trial_num", 3, "correct", true, "rt", 0.4213), m.value(Map.class));
      assertEquals(LocalDateTime.of(2026, 11, 21, 10, 15, 30, 123_456_000), m.timestamp().orElseThrow());
      assertEquals(2, m.ttl());
      assertTrue(m.flags().isEmpty());
      assertTrue(m.extras().isEmpty(), "changed/blosc false are the defaults, not extras: " + m.extras());

      List<byte[]> frames = pilot.receiveMessage(WAIT);
      JsonNode confirm = Bodies.last(frames);
      assertPythonReadable(confirm);
      assertEquals("CONFIRM", confirm.get("key").asText());
      assertEquals("pilot_1_7", confirm.get("value").asText());
      assertEquals("pilot_1", confirm.get("to").asText());
      assertEquals("T", confirm.get("sender").asText());
      assertTrue(confirm.get("flags").has("NOREPEAT"));
      Await.equal("confirms sent", 1L, () -> node.stats().confirmsSent());
    }
  }

  @Test
  void aPythonPeersBloscPackedArraysArriveAsNdArrays() throws IOException {
    Path packed = Path.of("..", "message", "src", "test", "resources", "packed-arrays");
    Recorder data = new Recorder();
    try (NetNode node = NetNode.builder().id("T").routerPort(0).routerAddress("127.0.0.1").listen("DATA", data).build();
        RawPeer pilot = RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node)) {
      for (String set : List.of("blosc1", "blosc2")) {
        // A camera frame as Python's Message(..., blosc=True) sends it, packed by python-blosc / python-blosc2.
        // Both bodies carry the same id: give each its own, or the second is a repeat.
        String body = Files.readString(packed.resolve(set).resolve("camera_frame.json"))
            .replace("\"pilot_1_camera_frame\"", "\"pilot_1_" + set + "\"");
        pilot.send("T", "T", body);
        Message m = data.next();
        assertEquals("pilot_1_" + set, m.id());
        NdArray frame = NdArray.fromJson(m.value(JsonNode.class).get("frame"), "value.frame");
        assertEquals(DType.UINT8, frame.dtype(), set);
        assertArrayEquals(new int[] {48, 64, 3}, frame.shape(), set);
        JsonNode cases = Bodies.parse(Files.readAllBytes(packed.resolve(set).resolve("cases.json"))).get("cases");
        String expected = null;
        for (JsonNode c : cases) {
          if (c.get("name").asText().equals("camera_frame")) {
            expected = c.get("sha256").asText();
          }
        }
        assertEquals(expected, sha256(frame.toLittleEndianBytes()), set + ": the frame Python packed");
      }
      assertEquals(0L, node.stats().malformed());
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void nodeSendsConfirmedMessageToPythonRouterAndCompletesOnItsConfirm() throws Exception {
    try (RawPeer station = RawPeer.router("T");
        NetNode node = NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").options(NO_REPEATS).build()) {
      CompletableFuture<DeliveryReceipt> future = node.sendConfirmed("T", "DATA", Map.of("n", 1));

      List<byte[]> frames = station.receiveMessage(WAIT);
      assertEquals(List.of("rig", "T", "T"), Bodies.texts(frames.subList(0, frames.size() - 1)),
          "[nodeId, upstreamId, to, body]");
      JsonNode body = Bodies.last(frames);
      assertPythonReadable(body);
      assertEquals(List.of("id", "to", "sender", "key", "value", "timestamp", "changed", "flags", "blosc", "ttl"),
          Bodies.fieldNames(body), "Python's field order");
      String id = body.get("id").asText();
      assertEquals("rig_0", id, "ids are {sender}_{n} from 0");
      assertEquals("T", body.get("to").asText());
      assertEquals("rig", body.get("sender").asText());
      assertEquals("DATA", body.get("key").asText());
      assertEquals(1, body.get("value").get("n").asInt());
      assertEquals(2, body.get("ttl").asInt());
      assertEquals(0, body.get("flags").size(), "a confirmed message has no flags: {}");
      assertFalse(body.get("changed").asBoolean());
      assertFalse(body.get("blosc").asBoolean());

      // Station's listener confirms through its ROUTER: [rig, body].
      station.send("rig", RawPeer.pythonBody("T_0", "rig", "T", "CONFIRM", "\"" + id + "\"", "{\"NOREPEAT\": true}"));
      DeliveryReceipt receipt = future.get(10, TimeUnit.SECONDS);
      assertEquals(1, receipt.attempts());
      assertEquals(id, receipt.messageId());
    }
  }

  @Test
  void stationStyleConfirmWithoutNoRepeatCompletesAndIsNotConfirmedBack() throws Exception {
    // A Python Station's CONFIRM has flags {} and blosc true (frames/station_confirm_to_dealer.frames).
    try (RawPeer station = RawPeer.router("T");
        NetNode node = NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").options(NO_REPEATS).build()) {
      CompletableFuture<DeliveryReceipt> future = node.sendConfirmed("T", "DATA", 1);
      String id = Bodies.last(station.receiveMessage(WAIT)).get("id").asText();
      String confirm = RawPeer.pythonBody("T_0", "rig", "T", "CONFIRM", "\"" + id + "\"", "{}")
          .replace("\"blosc\": false", "\"blosc\": true");
      station.send("rig", confirm);
      future.get(10, TimeUnit.SECONDS);

      node.send("T", "AFTER", 2);
      JsonNode next = Bodies.last(station.receiveMessage(WAIT));
      assertEquals("AFTER", next.get("key").asText(), "the CONFIRM was not itself confirmed");
      assertEquals(0, node.stats().confirmsSent());
    }
  }

  @Test
  void pythonRouterSendsConfirmedMessageToNodeDealerAndGetsConfirm() {
    Recorder start = new Recorder();
    try (RawPeer station = RawPeer.router("T");
        NetNode node = NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T").options(NO_REPEATS)
            .listen("START", start).build()) {
      assertTrue(station.receive(WAIT) != null, "the node's connection ping");
      // Station.send(to="rig", ...) to a directly connected peer: [to, body].
      station.send("rig", RawPeer.pythonBody("T_3", "rig", "T", "START", "{\"trial\": 1}", "{}"));

      assertEquals(1, start.next().value(Map.class).get("trial"));
      List<byte[]> frames = station.receiveMessage(WAIT);
      assertEquals(List.of("rig", "T", "T"), Bodies.texts(frames.subList(0, frames.size() - 1)),
          "the node confirms upstream like Python's Net_Node: [T, T, body] (frames/node_confirm.frames)");
      JsonNode confirm = Bodies.last(frames);
      assertPythonReadable(confirm);
      assertEquals("CONFIRM", confirm.get("key").asText());
      assertEquals("T_3", confirm.get("value").asText());
      assertEquals("T", confirm.get("to").asText());
      Await.equal("confirms sent", 1L, () -> node.stats().confirmsSent());
    }
  }

  @Test
  void capturedPythonNodeSendIsHandledAndConfirmed() throws IOException {
    // frames/node_send_upstream.frames: Net_Node.send(to=upstream, repeat=True) as received on the upstream ROUTER.
    List<byte[]> captured = readFrames("node_send_upstream.frames");
    String identity = RawPeer.text(captured.get(0));
    JsonNode capturedBody = Bodies.last(captured);
    Recorder data = new Recorder();
    try (NetNode node = NetNode.builder().id("T").routerPort(0).routerAddress("127.0.0.1").listen("DATA", data).build();
        RawPeer pilot = RawPeer.registeredDealer(identity, "tcp://127.0.0.1:" + node.routerPort(), node)) {
      pilot.send(captured.subList(1, captured.size()).toArray());

      Message m = data.next();
      assertEquals(capturedBody.get("id").asText(), m.id());
      assertEquals(capturedBody.get("sender").asText(), m.sender());
      assertEquals(1, m.value(Map.class).get("n"));
      JsonNode confirm = Bodies.last(pilot.receiveMessage(WAIT));
      assertEquals(capturedBody.get("id").asText(), confirm.get("value").asText());
      assertEquals(identity, confirm.get("to").asText());
    }
  }

  @Test
  void capturedPythonStreamBatchCallsInnerKeyListenOncePerItemInOrder() throws IOException {
    // bodies/stream_batch.json: what Net_Node.get_stream sends with min_size > 1, frames [upstream, upstream, body].
    String batch = Files.readString(BODIES.resolve("stream_batch.json")).strip();
    Recorder samples = new Recorder();
    try (NetNode node = NetNode.builder().id("T").routerPort(0).routerAddress("127.0.0.1").listen("CONTINUOUS", samples).build();
        RawPeer stream = RawPeer.registeredDealer("pilot_1_lick", "tcp://127.0.0.1:" + node.routerPort(), node)) {
      stream.send("T", "T", batch);
      stream.send("T", "T", RawPeer.pythonBody("pilot_1_lick_9", "T", "pilot_1_lick", "CONTINUOUS", "\"after\"", "{\"NOREPEAT\": true}"));

      List<Message> got = List.of(samples.next(), samples.next(), samples.next(), samples.next(), samples.next());
      assertEquals(List.of(0.001, 0.002), List.of(got.get(0).value(Map.class).get("t"), got.get(1).value(Map.class).get("t")));
      assertEquals(List.of(1, 2, 3), got.get(2).value(List.class));
      assertEquals(4.5, got.get(3).value(Double.class));
      assertEquals("after", got.get(4).value(String.class));
      for (Message m : got.subList(0, 4)) {
        assertEquals("CONTINUOUS", m.key());
        assertEquals("pilot_1_lick", m.sender());
      }
      assertEquals(0, node.stats().confirmsSent(), "a NOREPEAT stream batch is not confirmed");
      assertEquals(0, node.stats().malformed());
    }
  }

  private static List<byte[]> readFrames(String name) throws IOException {
    List<byte[]> frames = new ArrayList<>();
    for (String line : Files.readAllLines(FRAMES.resolve(name))) {
      frames.add(Base64.getDecoder().decode(line.trim()));
    }
    return frames;
  }
}
