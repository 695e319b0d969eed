package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream codec against the tree path it replaces: the same bytes for the same batch (the
 * Python-made golden batch included), the same message and samples back from a deferred decode.
 */
@Timeout(60)
class StreamCodecTest {
  private static final Path BODIES = Path.of("src", "test", "resources", "autopilot-wire", "bodies");

  record Sample(double t, List<Double> v) {}

  record Small(long t, double ch0, double ch1, double ch2) {}

  record Odd(float f, Float boxed, BigDecimal d, BigInteger big, short s, long l, double nan, String text) {}

  record Frame(long t, NdArray data) {}

  record WithSubject(double t, String subject) {}

  private static byte[] golden() throws IOException {
    return Files.readAllBytes(BODIES.resolve("stream_batch.json"));
  }

  private static Map<String, Object> headers(Object subject, Object pilot) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("subject", subject);
    h.put("pilot", pilot);
    h.put("continuous", true);
    return h;
  }

  private static Message envelope(String id) {
    return Message.builder().id(id).to("T").sender("rig_s").key("STREAM").flag(Flags.NOREPEAT).flag(Flags.MINPRINT)
        .build();
  }

  /** The batch as SampleStream built it before: a tree per sample, the whole value encoded from its tree. */
  private static byte[] treeBatch(Message envelope, String innerKey, Map<String, Object> headers, List<?> samples) {
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    value.put("inner_key", innerKey);
    value.set("headers", MessageCodec.toJson(headers));
    var payload = value.putArray("payload");
    samples.forEach(s -> payload.add(MessageCodec.toJson(s)));
    return MessageCodec.encode(envelope.newBuilder().valueTree(value).build());
  }

  private static void assertSameBytes(byte[] expected, byte[] actual) {
    assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
  }

  @Test
  void encodesThePythonGoldenBatchByteForByte() throws IOException {
    Message m = MessageCodec.decode(golden());
    Map<String, Object> first = new LinkedHashMap<>();
    first.put("t", 0.001);
    first.put("v", List.of(0.1, 0.2, 0.3));
    List<Object> samples = List.of(first, new Sample(0.002, List.of(0.4, 0.5, 0.6)), List.of(1, 2, 3), 4.5);
    assertSameBytes(golden(), StreamCodec.encodeBatch(m, "CONTINUOUS", headers("mouse_12", "pilot_1"), samples));
  }

  @Test
  void encodesEveryKindOfSampleAsTheTreePathDoes() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", "µs – ü \u2028 \"q\"");
    map.put("nested", List.of(Map.of("k", 1), List.of(), Double.POSITIVE_INFINITY));
    ObjectNode tree = JsonNodeFactory.instance.objectNode().put("a", 1.5).put("b", "x");
    List<Object> samples = new ArrayList<>(List.of(
        new Small(1_700_000_000_123L, 0.1, -2.5e-7, 1e300),
        new Odd(0.1f, 1.0e10f, new BigDecimal("0.10"), new BigInteger("123456789012345678901234567890"), (short) 7,
            5L, Double.NaN, "ascii"),
        new Odd(3.4028235e38f, 1.0e-5f, new BigDecimal("1e400"), BigInteger.TWO, (short) -1, Long.MIN_VALUE,
            Double.NEGATIVE_INFINITY, ""),
        new Frame(3, NdArray.of(new double[] {0.5, -1.25, 3})),
        map, tree, List.of(1, 2L, 3.0f), "END", 42, true));
    samples.add(null);
    Message env = envelope("s_0");
    assertSameBytes(treeBatch(env, "SENSOR", headers(null, null), samples),
        StreamCodec.encodeBatch(env, "SENSOR", headers(null, null), samples));
  }

  @Test
  void aSampleThatCannotBeWrittenIsAnIllegalArgument() {
    Object opaque = new Object();
    assertThrows(IllegalArgumentException.class,
        () -> StreamCodec.encodeBatch(envelope("s_1"), "SENSOR", headers(null, null), List.of(1, opaque)));
  }

  @Test
  void decodesAPythonBatchWithItsPayloadDeferred() throws IOException {
    Message whole = MessageCodec.decode(golden());
    Message deferred = StreamCodec.decodeDeferred(golden());
    JsonNode payload = deferred.rawValue().get("payload");
    assertTrue(StreamCodec.isDeferred(payload));
    assertEquals(4, StreamCodec.payloadSize(payload));
    assertEquals(whole.rawValue().get("payload"), StreamCodec.payloadTree(payload));
    assertEquals(whole.id(), deferred.id());
    assertEquals(whole.sender(), deferred.sender());
    assertEquals(whole.flags(), deferred.flags());
    assertEquals(whole.timestamp(), deferred.timestamp());
    assertEquals(whole.rawValue().get("headers"), deferred.rawValue().get("headers"));
    assertSameBytes(golden(), MessageCodec.encode(deferred)); // the payload re-encodes as it came
    List<Object> items = StreamCodec.decodeSamples(golden(), Object.class);
    assertEquals(List.of(Map.of("t", 0.001, "v", List.of(0.1, 0.2, 0.3)), Map.of("t", 0.002, "v", List.of(0.4, 0.5, 0.6)),
        List.of(1, 2, 3), 4.5), items);
  }

  @Test
  void decodesPythonSamplesStraightToARecord() {
    String json = "{\"id\": \"lick_0\", \"to\": \"T\", \"sender\": \"pilot_1_lick\", \"key\": \"STREAM\", "
        + "\"value\": {\"inner_key\": \"CONTINUOUS\", \"headers\": {\"subject\": \"m1\", \"pilot\": \"pilot_1\", "
        + "\"continuous\": true}, \"payload\": [{\"t\": 0.001, \"v\": [0.1, 0.2]}, {\"t\": 0.002, \"v\": [NaN]}, "
        + "{\"v\": [], \"t\": 1e-05, \"extra\": {\"x\": [1]}}]}, \"timestamp\": \"2026-11-21T10:15:30.000001\", "
        + "\"changed\": false, \"flags\": {\"NOREPEAT\": true, \"MINPRINT\": true}, \"blosc\": false, \"ttl\": 2}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    List<Sample> expected = List.of(new Sample(0.001, List.of(0.1, 0.2)), new Sample(0.002, List.of(Double.NaN)),
        new Sample(1e-5, List.of()));
    assertEquals(expected, StreamCodec.decodeSamples(body, Sample.class));
    JsonNode payload = StreamCodec.decodeDeferred(body).rawValue().get("payload");
    List<Sample> viaTrees = new ArrayList<>();
    StreamCodec.payloadTree(payload).forEach(item -> viaTrees.add(MessageCodec.convert(item, Sample.class)));
    assertEquals(expected, viaTrees);
  }

  @Test
  void mergedHeadersReachTheTypesThatHaveSuchAProperty() throws IOException {
    JsonNode payload = StreamCodec.decodeDeferred(golden()).rawValue().get("payload");
    ObjectNode merged = JsonNodeFactory.instance.objectNode().put("subject", "mouse_12").put("continuous", true);
    JsonNode firstTwo = JsonNodeFactory.instance.arrayNode().add(StreamCodec.payloadTree(payload).get(0))
        .add(StreamCodec.payloadTree(payload).get(1));
    assertEquals(List.of(new WithSubject(0.001, "mouse_12"), new WithSubject(0.002, "mouse_12")),
        StreamCodec.payloadSamples(firstTwo, merged, WithSubject.class));
    List<JsonNode> nodes = StreamCodec.payloadSamples(payload, merged, JsonNode.class);
    assertEquals("mouse_12", nodes.get(0).get("subject").textValue());
    assertEquals(List.of(1, 2, 3), MessageCodec.convert(nodes.get(2), List.class)); // not an object: as it came
    MessageFormatException e = assertThrows(MessageFormatException.class,
        () -> StreamCodec.payloadSamples(payload, merged, Sample.class));
    assertTrue(e.getMessage().contains("payload[2]"), e.getMessage());
  }

  @Test
  void thePayloadSpanSkipsBracketsCommasAndQuotesInsideStrings() {
    String json = "{\"id\": \"s_0\", \"to\": \"T\", \"sender\": \"s\", \"key\": \"STREAM\", "
        + "\"value\": {\"inner_key\": \"K\", \"headers\": {\"payload\": [9]}, \"payload\": "
        + "[\"a],[{\\\"b,\", {\"x\": [1, {\"y\": \"]\"}]}, [], {}, \"\\\\\", -0.5e3 ], \"after\": [2]}, "
        + "\"flags\": {\"NOREPEAT\": true}, \"ttl\": 0}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Message whole = MessageCodec.decode(body);
    Message deferred = StreamCodec.decodeDeferred(body);
    JsonNode payload = deferred.rawValue().get("payload");
    assertTrue(StreamCodec.isDeferred(payload));
    assertEquals(6, StreamCodec.payloadSize(payload));
    assertEquals(whole.rawValue().get("payload"), StreamCodec.payloadTree(payload));
    assertEquals(whole, StreamCodec.undeferred(deferred));
    assertSameBytes(MessageCodec.encode(whole), MessageCodec.encode(StreamCodec.undeferred(deferred)));
    assertTrue(new String(MessageCodec.encode(deferred), StandardCharsets.UTF_8).contains("-0.5e3 ]"),
        "a deferred payload is written back as it came");
    byte[] empty = json.replaceFirst("\\[\"a.*-0\\.5e3 \\]", "[ ]").getBytes(StandardCharsets.UTF_8);
    assertEquals(0, StreamCodec.payloadSize(StreamCodec.decodeDeferred(empty).rawValue().get("payload")));
  }

  @Test
  void aBodyWithArraysIsDecodedWholeAndItsArraysChecked() {
    List<Frame> frames = List.of(new Frame(1, NdArray.of(new double[] {1, 2})), new Frame(2, NdArray.of(new double[] {3})));
    byte[] body = StreamCodec.encodeBatch(envelope("s_2"), "SENSOR", headers(null, null), frames);
    assertFalse(StreamCodec.isDeferred(StreamCodec.decodeDeferred(body).rawValue().get("payload")));
    List<Frame> back = StreamCodec.decodeSamples(body, Frame.class);
    assertEquals(2, back.size());
    assertArrayEquals(new double[] {1, 2}, back.get(0).data().toDoubleArray());
    assertEquals(2, back.get(1).t());
  }

  @Test
  void otherBodiesDecodeAsBeforeAndBadOnesFailTheSameWay() throws IOException {
    for (String file : List.of("simple.json", "nested.json", "unicode.json", "extra_fields.json", "multihop.json")) {
      byte[] body = Files.readAllBytes(BODIES.resolve(file));
      assertEquals(MessageCodec.decode(body), StreamCodec.decodeDeferred(body), file);
    }
    byte[] valueFirst = ("{\"id\": \"a_1\", \"to\": \"T\", \"sender\": \"a\", \"value\": {\"inner_key\": \"K\", "
        + "\"payload\": [1]}, \"key\": \"STREAM\"}").getBytes(StandardCharsets.UTF_8);
    assertFalse(StreamCodec.isDeferred(StreamCodec.decodeDeferred(valueFirst).rawValue().get("payload")));
    byte[] trailing = ("{\"id\": \"a_1\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"STREAM\", "
        + "\"value\": {\"payload\": [1]}} x").getBytes(StandardCharsets.UTF_8);
    assertEquals(MessageCodec.decode(trailing), StreamCodec.undeferred(StreamCodec.decodeDeferred(trailing))); // as decode
    for (String bad : List.of("{\"id\": \"a_1\", \"key\": \"STREAM\", \"value\": {\"payload\": [1,}}", "[1]", "{}",
        "{\"id\": \"a_1\", \"sender\": \"a\", \"key\": \"STREAM\", \"value\": {\"payload\": [1]}}")) {
      byte[] body = bad.getBytes(StandardCharsets.UTF_8);
      String expected = assertThrows(MessageFormatException.class, () -> MessageCodec.decode(body)).getMessage();
      assertEquals(expected, assertThrows(MessageFormatException.class, () -> StreamCodec.decodeDeferred(body)).getMessage(),
          bad);
    }
    assertThrows(MessageFormatException.class, () -> StreamCodec.decodeSamples(
        Files.readAllBytes(BODIES.resolve("simple.json")), Sample.class));
  }

  @Test
  void onlyABodyThatHoldsTheStreamKeyTakesTheDeferredPath() {
    for (String yes : List.of("\"STREAM\"", "{\"key\": \"STREAM\"}", "xx\"STREAM\"", "\"STREAM\"yy",
        "{\"id\": \"a_STREAM_1\", \"key\": \"STREAM\", \"value\": {}}")) {
      assertTrue(StreamCodec.mentionsStream(yes.getBytes(StandardCharsets.UTF_8)), yes);
    }
    for (String no : List.of("", "\"STREAM", "STREAM\"", "\"STREAMS\"", "\"XSTREAM\"", "{\"key\": \"DATA\"}",
        "\"STRE\"STREAM", "{\"key\": \"SMQ_STREAMER\"}")) {
      assertFalse(StreamCodec.mentionsStream(no.getBytes(StandardCharsets.UTF_8)), no);
    }
    // Every position of the token in a longer body, against a plain scan.
    byte[] token = "\"STREAM\"".getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < 40; at++) {
      byte[] body = "{\"id\": \"S_1\", \"sender\": \"SSTRE\", \"to\": \"T\", \"x\": 1}".getBytes(StandardCharsets.UTF_8);
      byte[] with = new byte[body.length + token.length];
      System.arraycopy(body, 0, with, 0, at);
      System.arraycopy(token, 0, with, at, token.length);
      System.arraycopy(body, at, with, at + token.length, body.length - at);
      assertTrue(StreamCodec.mentionsStream(with), "token at " + at);
      assertFalse(StreamCodec.mentionsStream(body));
    }
  }
}
