package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.message.MessageCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The liveness bodies as typed values: each written with exactly the keys, order and JSON types
 * stationmq endpoints have always exchanged (golden strings), read back unchanged, read with
 * defaults when fields are missing; and a liveness notice is a valid autopilot message, field for
 * field like a body the Python toolkit itself wrote (PROTOCOL.md 1).
 */
@Timeout(10)
class LivenessProtocolTest {
  private static final Path BODIES = Path.of("..", "message", "src", "test", "resources", "autopilot-wire", "bodies");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String json(Map<String, Object> value) {
    return MessageCodec.toJson(value).toString();
  }

  private static JsonNode parse(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void helloIsWrittenAsBeforeAndReadsBack() throws Exception {
    LivenessProtocol.Hello hello = new LivenessProtocol.Hello(1, "rig", "i-1", "node", "stationmq 0.1.0",
        List.of("DATA", "STOP"), Map.of("host", "bench-pc"));
    String golden = "{\"protocol\":1,\"id\":\"rig\",\"instance\":\"i-1\",\"role\":\"node\","
        + "\"software\":\"stationmq 0.1.0\",\"listens\":[\"DATA\",\"STOP\"],\"meta\":{\"host\":\"bench-pc\"}}";
    assertEquals(golden, json(hello.toValue()));
    assertEquals(hello, LivenessProtocol.Hello.from(parse(golden), "other"));

    LivenessProtocol.Hello bare = LivenessProtocol.Hello.from(parse("{}"), "conn-id");
    assertEquals(new LivenessProtocol.Hello(0, "conn-id", null, "unknown", null, List.of(), Map.of()), bare,
        "a HELLO without fields: the connection's identity, protocol 0, role unknown");
    LivenessProtocol.Hello own = LivenessProtocol.Hello.of("rig", "i-2", "station", List.of());
    assertEquals(LivenessProtocol.PROTOCOL, own.protocol());
    assertEquals(LivenessProtocol.SOFTWARE, own.software());
    assertEquals(List.of("host"), new ArrayList<>(own.meta().keySet()));
  }

  @Test
  void helloRepliesWriteOnlyTheFieldsOfTheirKind() throws Exception {
    LivenessProtocol.HelloReply ok = LivenessProtocol.HelloReply.accepted("T", "boot-1");
    String okGolden = "{\"ok\":true,\"id\":\"T\",\"protocol\":1,\"software\":\"stationmq 0.1.0\",\"boot\":\"boot-1\"}";
    assertEquals(okGolden, json(ok.toValue()));
    LivenessProtocol.HelloReply okRead = LivenessProtocol.HelloReply.from(parse(okGolden));
    assertTrue(okRead.ok());
    assertEquals(List.of("T", 1, "boot-1"), List.of(okRead.id(), okRead.protocol(), okRead.boot()));

    LivenessProtocol.HelloReply no = LivenessProtocol.HelloReply.refused("T", "i-9", "duplicate_id", "taken");
    String noGolden = "{\"ok\":false,\"instance\":\"i-9\",\"id\":\"T\",\"protocol\":1,\"reason\":\"duplicate_id\","
        + "\"message\":\"taken\"}";
    assertEquals(noGolden, json(no.toValue()));
    assertEquals(no, LivenessProtocol.HelloReply.from(parse(noGolden)));

    LivenessProtocol.HelloReply bare = LivenessProtocol.HelloReply.from(parse("{}"));
    assertFalse(bare.ok(), "no ok: not accepted");
    assertEquals(List.of("refused", ""), List.of(bare.reason(), bare.message()));
  }

  @Test
  void heartbeatsCarryTheClockOnlyOnceKnown() throws Exception {
    LivenessProtocol.Heartbeat first = new LivenessProtocol.Heartbeat(0, "i-1", -1, ClockOffset.unknown());
    String golden = "{\"seq\":0,\"instance\":\"i-1\",\"rtt_us\":-1}";
    assertEquals(golden, json(first.toValue()));
    assertEquals(first, LivenessProtocol.Heartbeat.from(parse(golden), 123));

    long received = 1_700_000_000_000_000_000L;
    ClockOffset clock = new ClockOffset(-250_000, 40_000, 1.5, 0.25, 8, WallTime.instant(received));
    LivenessProtocol.Heartbeat later = new LivenessProtocol.Heartbeat(7, "i-1", 180, clock);
    String laterGolden = "{\"seq\":7,\"instance\":\"i-1\",\"rtt_us\":180,\"clock_offset_ns\":-250000,"
        + "\"clock_uncertainty_ns\":40000,\"clock_drift_ppm\":1.5,\"clock_drift_uncertainty_ppm\":0.25,"
        + "\"clock_samples\":8}";
    assertEquals(laterGolden, json(later.toValue()));
    assertEquals(later, LivenessProtocol.Heartbeat.from(parse(laterGolden), received));

    LivenessProtocol.HeartbeatAck ack = new LivenessProtocol.HeartbeatAck(7, "boot-1");
    String ackGolden = "{\"seq\":7,\"boot\":\"boot-1\"}";
    assertEquals(ackGolden, json(ack.toValue()));
    assertEquals(ack, LivenessProtocol.HeartbeatAck.from(parse(ackGolden)));
    assertEquals(-1, LivenessProtocol.HeartbeatAck.from(parse("{\"boot\":\"b\"}")).seq(), "acknowledges nothing sent");
  }

  @Test
  void aLivenessNoticeIsAnAutopilotMessageLikeOnePythonWrote() throws Exception {
    // A NOREPEAT body the Python toolkit serialized itself: same fields, same JSON types.
    JsonNode python = JSON.readTree(Files.readString(BODIES.resolve("flags.json")));
    LivenessProtocol.Hello hello = LivenessProtocol.Hello.of("rig", "i-1", "node", List.of("DATA"));
    JsonNode ours = JSON.readTree(MessageCodec.encode(
        LivenessProtocol.notice("rig_live_0", "rig", "T", LivenessProtocol.HELLO, hello.toValue())));
    for (String field : List.of("id", "to", "sender", "key", "timestamp", "ttl", "flags")) {
      assertTrue(ours.has(field), field);
      assertEquals(python.get(field).getNodeType(), ours.get(field).getNodeType(), field);
    }
    assertTrue(ours.get("ttl").isIntegralNumber());
    assertTrue(ours.path("flags").has("NOREPEAT"), "never confirmed, never repeated");
    assertEquals(python.get("timestamp").asText().length(), ours.get("timestamp").asText().length(),
        "the form datetime.isoformat() writes");
    assertEquals(hello, LivenessProtocol.Hello.from(ours.get("value"), "?"));
  }
}
