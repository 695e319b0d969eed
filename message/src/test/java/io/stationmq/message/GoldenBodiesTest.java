package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The codec against the bodies the Python toolkit itself produced (golden vectors), Python-style
 * hand-written bodies, Builder-made messages, and the small helpers (ids, timestamps).
 */
@Timeout(60)
class GoldenBodiesTest {
  /** Golden bodies, relative to the module directory (Maven's working directory). */
  private static final Path BODIES = Path.of("src", "test", "resources", "autopilot-wire", "bodies");
  private static final Path FRAMES = Path.of("src", "test", "resources", "autopilot-wire", "frames");

  /** A plain mapper: only NaN/Infinity allowed, since Python's json reads and writes them. */
  private static final ObjectMapper PLAIN =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private static final LocalDateTime GOLDEN_TS = LocalDateTime.of(2026, 11, 21, 10, 15, 30, 123_456_000);
  private static final String BLOSC_FILE = "array_blosc_float64.json";
  private static final String UNICODE_FILE = "unicode.json";

  private static final Set<String> ARRAY_DTYPES =
      Set.of("bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64");

  record Trial(int trial_num, boolean correct, double rt) {}

  record Sample(double t, List<Double> v) {}

  record Reading(String name, int count, double mean, List<String> tags, Map<String, Integer> bins) {}

  record Frame(String camera, int index, NdArray data) {}

  // ---------------------------------------------------------------- helpers

  private static byte[] body(String file) throws IOException {
    return Files.readAllBytes(BODIES.resolve(file));
  }

  private static List<String> bodyFiles() throws IOException {
    try (Stream<Path> files = Files.list(BODIES)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
          .collect(Collectors.toList());
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The frames of a .frames file: one base64 frame per line, an empty line is an empty frame. */
  private static List<byte[]> frames(String file) throws IOException {
    String content = Files.readString(FRAMES.resolve(file), StandardCharsets.US_ASCII);
    List<String> lines = new ArrayList<>(Arrays.asList(content.split("\n", -1)));
    if (content.endsWith("\n")) {
      lines.remove(lines.size() - 1);
    }
    return lines.stream().map(l -> Base64.getDecoder().decode(l.strip())).collect(Collectors.toList());
  }

  /** Fields common to all golden bodies written by pilot_1 at the golden time, ttl 2, to T. */
  private static Message decodeStandard(String file, String key) throws IOException {
    Message m = MessageCodec.decode(body(file));
    assertEquals("pilot_1_7", m.id(), file);
    assertEquals("T", m.to(), file);
    assertEquals(List.of("T"), m.path(), file);
    assertFalse(m.isMultihop(), file);
    assertEquals("pilot_1", m.sender(), file);
    assertEquals(key, m.key(), file);
    assertEquals(GOLDEN_TS, m.timestamp().orElseThrow(), file);
    assertEquals(2, m.ttl(), file);
    return m;
  }

  /** np.arange(24) % 7, minus 3 for signed and float dtypes; bool is (arange % 7) != 0. */
  private static double[] expectedGoldenArray(String dtype) {
    double[] out = new double[24];
    boolean shifted = dtype.startsWith("int") || dtype.startsWith("float");
    for (int i = 0; i < 24; i++) {
      int v = i % 7;
      out[i] = dtype.equals("bool") ? (v != 0 ? 1 : 0) : shifted ? v - 3 : v;
    }
    return out;
  }

  private static void assertRoundTrip(Message m) throws IOException {
    byte[] encoded = MessageCodec.encode(m);
    Message back = MessageCodec.decode(encoded);
    assertEquals(m, back, () -> "decode(encode(m)) differs for " + text(encoded));
    assertEquals(m.hashCode(), back.hashCode(), text(encoded));
    // The protocol's validity rule, checked by a reader that knows nothing of stationmq.
    JsonNode plain = PLAIN.readTree(encoded);
    assertTrue(plain.isObject(), text(encoded));
    for (String field : List.of("id", "to", "sender", "key")) {
      assertTrue(plain.hasNonNull(field), () -> "missing " + field + " in " + text(encoded));
    }
    assertEquals(m.id(), plain.get("id").textValue());
    assertEquals(m.sender(), plain.get("sender").textValue());
    assertEquals(m.key(), plain.get("key").textValue());
    if (m.isMultihop()) {
      assertTrue(plain.get("to").isArray(), text(encoded));
      assertEquals(m.path().size(), plain.get("to").size());
    } else {
      assertEquals(m.to(), plain.get("to").textValue());
    }
    assertTrue(plain.get("ttl").isInt(), text(encoded));
    assertTrue(plain.get("flags").isObject(), text(encoded));
  }

  private static Message.Builder base() {
    return Message.builder().id("pilot_1_0").to("T").sender("pilot_1").key("DATA").timestamp(GOLDEN_TS);
  }

  // ---------------------------------------------------------------- golden bodies: inventory

  @Test
  void everyGoldenBodyFileIsCoveredByThisTest() throws IOException {
    Set<String> known = new TreeSet<>(List.of(
        "simple.json", "null_value.json", "flags.json", "confirm.json", "multihop.json", "extra_fields.json",
        UNICODE_FILE, "nested.json", "ttl_zero.json", "stream_batch.json", "array_scalar_shape.json", BLOSC_FILE));
    for (String dtype : ARRAY_DTYPES) {
      known.add("array_" + dtype + ".json");
    }
    assertEquals(known, new TreeSet<>(bodyFiles()), "golden bodies folder changed: update this test");
  }

  @Test
  void everyGoldenBodyDecodesAndPeeksItsHeader() throws IOException {
    for (String file : bodyFiles()) {
      byte[] bytes = body(file);
      MessageCodec.BodyHeader header = MessageCodec.peekHeader(bytes);
      assertNotNull(header, file);
      Message m = MessageCodec.decode(bytes);
      assertEquals(m.id(), header.id(), file);
      assertEquals(m.sender(), header.sender(), file);
      assertEquals(m.key(), header.key(), file);
      assertEquals(m.hasFlag(Flags.NOREPEAT), MessageCodec.peekFlag(bytes, Flags.NOREPEAT), file);
      assertEquals(m.key().equals("CONFIRM") && m.valueNode().isTextual() ? m.valueNode().textValue() : null,
          MessageCodec.peekConfirm(bytes), file);
      assertFalse(m.extras().containsKey("changed"), () -> file + ": 'changed': false must not be kept");
      assertEquals(file.equals(BLOSC_FILE), m.extras().containsKey("blosc"), () -> file + ": only 'blosc': true is kept");
    }
  }

  @Test
  void encodeOfDecodeIsByteIdenticalToPythonForEveryGoldenBodyButUnicodeAndBlosc() throws IOException {
    int checked = 0;
    for (String file : bodyFiles()) {
      if (file.equals(BLOSC_FILE) || file.equals(UNICODE_FILE)) {
        continue;
      }
      byte[] python = body(file);
      byte[] java = MessageCodec.encode(MessageCodec.decode(python));
      assertEquals(text(python), text(java), file);
      assertArrayEquals(python, java, file);
      checked++;
    }
    assertEquals(21, checked);
  }

  @Test
  void encodeOfDecodeIsByteIdenticalForTheGoldenFrameBodies() throws IOException {
    try (Stream<Path> files = Files.list(FRAMES)) {
      for (Path p : files.sorted().collect(Collectors.toList())) {
        List<byte[]> frames = frames(p.getFileName().toString());
        byte[] last = frames.get(frames.size() - 1);
        if (last.length == 0) {
          continue; // the ping has no body
        }
        assertArrayEquals(last, MessageCodec.encode(MessageCodec.decode(last)), p.toString());
      }
    }
  }

  // ---------------------------------------------------------------- golden bodies: one by one

  @Test
  void simple() throws IOException {
    Message m = decodeStandard("simple.json", "DATA");
    assertEquals(new Trial(3, true, 0.4213), m.value(Trial.class));
    Map<String, Object> map = m.value(new TypeReference<Map<String, Object>>() {});
    assertEquals(List.of("trial_num", "correct", "rt"), new ArrayList<>(map.keySet()));
    assertEquals(3, map.get("trial_num"));
    assertEquals(Boolean.TRUE, map.get("correct"));
    assertEquals(0.4213, map.get("rt"));
    assertTrue(m.flags().isEmpty());
    assertTrue(m.extras().isEmpty());
    assertFalse(m.hasNullValue());
  }

  @Test
  void nullValue() throws IOException {
    Message m = decodeStandard("null_value.json", "STOP");
    assertTrue(m.hasNullValue());
    assertTrue(m.valueNode().isNull());
    assertNull(m.value(Object.class));
    assertNull(m.value(String.class));
    assertTrue(m.flags().isEmpty());
    assertTrue(m.extras().isEmpty());
  }

  @Test
  void flags() throws IOException {
    Message m = decodeStandard("flags.json", "STATE");
    assertEquals("RUNNING", m.value(String.class));
    assertEquals(Set.of(Flags.NOREPEAT, Flags.MINPRINT, Flags.NOLOG), m.flags());
    assertTrue(m.hasFlag(Flags.NOREPEAT));
    assertTrue(m.hasFlag(Flags.MINPRINT));
    assertTrue(m.hasFlag(Flags.NOLOG));
    assertFalse(m.toString().contains("RUNNING"), m.toString());
    assertTrue(m.extras().isEmpty());
  }

  @Test
  void confirm() throws IOException {
    Message m = MessageCodec.decode(body("confirm.json"));
    assertEquals("pilot_1_8", m.id());
    assertEquals("T", m.to());
    assertEquals("pilot_1", m.sender());
    assertEquals("CONFIRM", m.key());
    assertEquals("T_41", m.value(String.class));
    assertEquals(Set.of(Flags.NOREPEAT), m.flags());
    assertEquals(GOLDEN_TS, m.timestamp().orElseThrow());
    assertEquals(2, m.ttl());
    assertTrue(m.extras().isEmpty());
  }

  @Test
  void multihop() throws IOException {
    Message m = MessageCodec.decode(body("multihop.json"));
    assertEquals("node_1_0", m.id());
    assertEquals(List.of("station_1", "station_2", "station_3", "node_3"), m.path());
    assertEquals("node_3", m.to());
    assertTrue(m.isMultihop());
    assertEquals("node_1", m.sender());
    assertEquals("GOTIT", m.key());
    assertEquals(0, m.value(Integer.class));
    assertEquals(GOLDEN_TS, m.timestamp().orElseThrow());
    assertEquals(2, m.ttl());
    assertTrue(m.flags().isEmpty());
  }

  @Test
  void extraFieldsAreKeptInOrder() throws IOException {
    Message m = decodeStandard("extra_fields.json", "CONTINUOUS");
    assertEquals(Map.of("x", 1.5), m.value(new TypeReference<Map<String, Double>>() {}));
    assertEquals(List.of("subject", "pilot", "continuous"), new ArrayList<>(m.extras().keySet()));
    assertEquals("mouse_12", m.extra("subject", String.class).orElseThrow());
    assertEquals("pilot_1", m.extra("pilot", String.class).orElseThrow());
    assertEquals(Boolean.TRUE, m.extra("continuous", Boolean.class).orElseThrow());
    assertTrue(m.extra("absent", String.class).isEmpty());
    assertFalse(m.extras().containsKey("changed"));
    assertFalse(m.extras().containsKey("blosc"));
  }

  @Test
  void unicodeDecodesAndReencodesAsPureAscii() throws IOException {
    Message m = decodeStandard(UNICODE_FILE, "NOTE");
    String expected = "Maus gr\u00f6\u00dfe \u00b5m \u6d4b\u8bd5";
    assertEquals(Map.of("text", expected), m.value(new TypeReference<Map<String, String>>() {}));
    byte[] encoded = MessageCodec.encode(m);
    for (int i = 0; i < encoded.length; i++) {
      int b = encoded[i] & 0xff;
      assertTrue(b >= 0x20 && b < 0x7f, "non-ASCII or control byte " + b + " at " + i + " in " + text(encoded));
    }
    assertEquals(m, MessageCodec.decode(encoded));
    // Python escapes in lower-case hex; the same text either way.
    assertEquals(text(body(UNICODE_FILE)).toLowerCase(java.util.Locale.ROOT), text(encoded).toLowerCase(java.util.Locale.ROOT));
  }

  @Test
  void nested() throws IOException {
    Message m = decodeStandard("nested.json", "PARAM");
    Map<String, Object> v = m.value(new TypeReference<Map<String, Object>>() {});
    List<?> a = (List<?>) v.get("a");
    assertEquals(4, a.size());
    assertEquals(1, ((Number) a.get(0)).intValue());
    assertEquals(2.5, a.get(1));
    assertEquals(-3, ((Number) a.get(2)).intValue());
    assertEquals(12345678901234L, ((Number) a.get(3)).longValue());
    Map<?, ?> b = (Map<?, ?>) v.get("b");
    assertEquals(Arrays.asList(true, false, null), b.get("c"));
    assertEquals("", b.get("d"));
    assertEquals(12345678901234L, m.valueNode().get("a").get(3).longValue());
  }

  @Test
  void ttlZero() throws IOException {
    Message m = MessageCodec.decode(body("ttl_zero.json"));
    assertEquals(0, m.ttl());
    assertEquals(1, m.value(Integer.class));
    assertEquals("DATA", m.key());
    assertEquals(GOLDEN_TS, m.timestamp().orElseThrow());
  }

  @Test
  void streamBatch() throws IOException {
    Message m = MessageCodec.decode(body("stream_batch.json"));
    assertEquals("lick_3", m.id());
    assertEquals("T", m.to());
    assertEquals("pilot_1_lick", m.sender());
    assertEquals("STREAM", m.key());
    assertEquals(Set.of(Flags.NOREPEAT, Flags.MINPRINT), m.flags());
    assertEquals(2, m.ttl());
    assertEquals(GOLDEN_TS, m.timestamp().orElseThrow());
    JsonNode v = m.valueNode();
    assertEquals("CONTINUOUS", v.get("inner_key").textValue());
    Map<String, Object> headers = PLAIN.convertValue(v.get("headers"), new TypeReference<Map<String, Object>>() {});
    assertEquals(Map.of("subject", "mouse_12", "pilot", "pilot_1", "continuous", true), headers);
    JsonNode payload = v.get("payload");
    assertEquals(4, payload.size());
    assertEquals(new Sample(0.001, List.of(0.1, 0.2, 0.3)), PLAIN.convertValue(payload.get(0), Sample.class));
    assertEquals(new Sample(0.002, List.of(0.4, 0.5, 0.6)), PLAIN.convertValue(payload.get(1), Sample.class));
    assertEquals(List.of(1, 2, 3), PLAIN.convertValue(payload.get(2), new TypeReference<List<Integer>>() {}));
    assertEquals(4.5, payload.get(3).doubleValue());
    assertTrue(m.extras().isEmpty());
  }

  @Test
  void everyUncompressedGoldenArrayDecodesToItsValues() throws IOException {
    for (String dtype : ARRAY_DTYPES) {
      String file = "array_" + dtype + ".json";
      Message m = decodeStandard(file, "DATA");
      Map<String, NdArray> value = m.value(new TypeReference<Map<String, NdArray>>() {});
      NdArray a = value.get("frame");
      assertNotNull(a, file);
      assertEquals(dtype, a.dtype().numpyName(), file);
      assertArrayEquals(new int[] {2, 3, 4}, a.shape(), file);
      assertEquals(24, a.size(), file);
      assertArrayEquals(expectedGoldenArray(dtype), a.toDoubleArray(), file);
      assertTrue(m.extras().isEmpty(), file + " 'blosc': false must not be kept");
      assertTrue(m.flags().isEmpty(), file);
    }
  }

  @Test
  void goldenBoolArrayReadsAsBooleans() throws IOException {
    NdArray a = MessageCodec.decode(body("array_bool.json"))
        .value(new TypeReference<Map<String, NdArray>>() {}).get("frame");
    boolean[] bools = a.toBooleanArray();
    for (int i = 0; i < 24; i++) {
      assertEquals(i % 7 != 0, bools[i], "element " + i);
    }
  }

  @Test
  void goldenZeroDimensionalArray() throws IOException {
    Message m = decodeStandard("array_scalar_shape.json", "DATA");
    NdArray x = m.value(new TypeReference<Map<String, NdArray>>() {}).get("x");
    assertEquals(DType.FLOAT64, x.dtype());
    assertEquals(0, x.ndim());
    assertArrayEquals(new int[0], x.shape());
    assertEquals(1, x.size());
    assertArrayEquals(new double[] {2.5}, x.toDoubleArray());
  }

  @Test
  void bloscPackedArrayDecodesAndIsKeptUncompressed() throws IOException {
    Message m = MessageCodec.decode(body(BLOSC_FILE));
    NdArray frame = NdArray.fromJson(m.value(JsonNode.class).get("frame"), "value.frame");
    assertEquals(DType.FLOAT64, frame.dtype());
    assertArrayEquals(new int[] {50}, frame.shape());
    assertEquals(1.0, frame.toDoubleArray()[49]);
    String data = m.value(JsonNode.class).get("frame").get("NUMPY_ARRAY").textValue();
    assertEquals(400, Base64.getDecoder().decode(data).length, "the message holds the raw bytes");
  }

  @Test
  void aBloscPackedArrayThatDoesNotUnpackIsRejectedNamingTheField() throws IOException {
    String body = text(body(BLOSC_FILE));
    int at = body.indexOf("\"NUMPY_ARRAY\": \"") + 16;
    // Its pickle's first opcodes sit in the memcpyed chunk: PROTO 5 becomes PROTO 6.
    byte[] chunk = Base64.getDecoder().decode(body.substring(at, body.indexOf('"', at)));
    chunk[17] = 6;
    String broken = body.substring(0, at) + Base64.getEncoder().encodeToString(chunk)
        + body.substring(body.indexOf('"', at));
    MessageFormatException e = assertThrows(MessageFormatException.class,
        () -> MessageCodec.decode(broken.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("field 'value.frame': blosc-packed array cannot be unpacked"), e.getMessage());
    assertTrue(e.getMessage().contains("protocol 6"), e.getMessage());
  }

  @Test
  void bloscTrueIsKeptAsAnExtraAndWrittenBackInPlace() throws IOException {
    List<byte[]> frames = frames("station_confirm_to_dealer.frames");
    byte[] b = frames.get(frames.size() - 1);
    Message m = MessageCodec.decode(b);
    assertEquals("pilot_1_0", m.id());
    assertEquals("child_node", m.to());
    assertEquals("CONFIRM", m.key());
    assertEquals("child_node_0", m.value(String.class));
    assertEquals(List.of("blosc"), new ArrayList<>(m.extras().keySet()));
    assertEquals(Boolean.TRUE, m.extra("blosc", Boolean.class).orElseThrow());
    assertArrayEquals(b, MessageCodec.encode(m));
  }

  // ---------------------------------------------------------------- hand-written Python-style bodies

  @Test
  void oneElementToListIsUnwrapped() {
    Message m = MessageCodec.decode(utf8(
        "{\"id\": \"a_0\", \"to\": [\"T\"], \"sender\": \"a\", \"key\": \"K\", \"value\": 1, "
            + "\"timestamp\": \"2026-11-21T10:15:30.123456\", \"flags\": {}, \"ttl\": 2}"));
    assertEquals("T", m.to());
    assertEquals(List.of("T"), m.path());
    assertFalse(m.isMultihop());
    assertTrue(text(MessageCodec.encode(m)).contains("\"to\": \"T\","));
  }

  @Test
  void missingTimestampTtlAndFlagsTakeDefaults() throws IOException {
    Message m = MessageCodec.decode(utf8("{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"value\": null}"));
    assertTrue(m.timestamp().isEmpty());
    assertEquals(2, m.ttl());
    assertEquals(Message.DEFAULT_TTL, m.ttl());
    assertTrue(m.flags().isEmpty());
    assertTrue(m.extras().isEmpty());
    assertTrue(m.hasNullValue());
    byte[] encoded = MessageCodec.encode(m);
    assertEquals("{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"value\": null, "
        + "\"changed\": false, \"flags\": {}, \"blosc\": false, \"ttl\": 2}", text(encoded));
    assertRoundTrip(m);

    Message noValue = MessageCodec.decode(utf8("{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\"}"));
    assertTrue(noValue.hasNullValue());
    assertEquals(m, noValue);
  }

  @Test
  void nanAndInfinityValuesAsPythonWritesThem() throws IOException {
    String json = "{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", "
        + "\"value\": {\"a\": NaN, \"b\": Infinity, \"c\": -Infinity, \"d\": [NaN, 1.0]}, "
        + "\"timestamp\": \"2026-11-21T10:15:30.123456\", \"changed\": false, \"flags\": {}, \"blosc\": false, \"ttl\": 2}";
    Message m = MessageCodec.decode(utf8(json));
    Map<String, Object> v = m.value(new TypeReference<Map<String, Object>>() {});
    assertTrue(Double.isNaN((Double) v.get("a")));
    assertEquals(Double.POSITIVE_INFINITY, v.get("b"));
    assertEquals(Double.NEGATIVE_INFINITY, v.get("c"));
    assertEquals(json, text(MessageCodec.encode(m)), "NaN/Infinity must be written bare, as Python does");
    assertEquals(m, MessageCodec.decode(MessageCodec.encode(m)));

    Message built = base().value(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)).build();
    String enc = text(MessageCodec.encode(built));
    assertTrue(enc.contains("\"value\": [NaN, Infinity, -Infinity]"), enc);
    assertRoundTrip(built);
  }

  @Test
  void streamBodyWithInnerKeyHeadersAndPayload() throws IOException {
    String json = "{\"id\": \"pilot_1_lick_0\", \"to\": \"T\", \"sender\": \"pilot_1_lick\", \"key\": \"STREAM\", "
        + "\"value\": {\"inner_key\": \"CONTINUOUS\", \"headers\": {\"subject\": \"m1\", \"pilot\": \"pilot_1\", "
        + "\"continuous\": true}, \"payload\": [{\"lick\": 1}, {\"lick\": 0}, \"END\"]}, "
        + "\"timestamp\": \"2026-11-21T10:15:30.000001\", \"changed\": false, "
        + "\"flags\": {\"NOREPEAT\": true, \"MINPRINT\": true}, \"blosc\": false, \"ttl\": 2}";
    Message m = MessageCodec.decode(utf8(json));
    assertEquals("STREAM", m.key());
    assertEquals(Set.of(Flags.NOREPEAT, Flags.MINPRINT), m.flags());
    assertEquals(LocalDateTime.of(2026, 11, 21, 10, 15, 30, 1_000), m.timestamp().orElseThrow());
    JsonNode v = m.valueNode();
    assertEquals("CONTINUOUS", v.get("inner_key").textValue());
    assertEquals("m1", v.get("headers").get("subject").textValue());
    assertTrue(v.get("headers").get("continuous").booleanValue());
    assertEquals(3, v.get("payload").size());
    assertEquals(1, v.get("payload").get(0).get("lick").intValue());
    assertEquals("END", v.get("payload").get(2).textValue());
    assertEquals(json, text(MessageCodec.encode(m)));
  }

  @Test
  void unknownExtraFieldsAreKeptInOrderAndWrittenBackAfterTtl() throws IOException {
    String json = "{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"value\": 1, "
        + "\"timestamp\": \"2026-11-21T10:15:30.123456\", \"changed\": false, \"flags\": {}, \"blosc\": false, "
        + "\"ttl\": 2, \"zeta\": 1, \"alpha\": {\"b\": [1, 2]}, \"mid\": null, \"aa\": \"s\"}";
    Message m = MessageCodec.decode(utf8(json));
    assertEquals(List.of("zeta", "alpha", "mid", "aa"), new ArrayList<>(m.extras().keySet()));
    assertEquals(1, m.extra("zeta", Integer.class).orElseThrow());
    assertEquals(2, m.extras().get("alpha").get("b").get(1).intValue());
    assertTrue(m.extras().get("mid").isNull());
    assertEquals(json, text(MessageCodec.encode(m)));

    // Extras placed before the protocol fields are still kept, and in order.
    Message early = MessageCodec.decode(utf8(
        "{\"x2\": 2, \"id\": \"a_0\", \"x1\": 1, \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"changed\": true}"));
    assertEquals(List.of("x2", "x1", "changed"), new ArrayList<>(early.extras().keySet()));
    assertRoundTrip(early);
  }

  @Test
  void flagValuesAreIgnoredOnlyPresenceCounts() {
    Message m = MessageCodec.decode(utf8(
        "{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"flags\": {\"NOREPEAT\": false, \"CUSTOM\": 1}}"));
    assertEquals(Set.of("NOREPEAT", "CUSTOM"), m.flags());
    assertTrue(text(MessageCodec.encode(m)).contains("\"flags\": {\"NOREPEAT\": true, \"CUSTOM\": true}"));
  }

  // ---------------------------------------------------------------- Builder-made messages

  private static List<Message> builtMessages() {
    List<Message> out = new ArrayList<>();
    out.add(base().key("STOP").value(null).build());
    out.add(base().value(new Trial(3, true, 0.4213)).build());
    out.add(base().value(new Reading("lick", 12, 0.25, List.of("a", "b"), new TreeMap<>(Map.of("x", 1, "y", 2)))).build());
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("int", 1);
    nested.put("big", 12345678901234L);
    nested.put("huge", new java.math.BigInteger("123456789012345678901234567890"));
    nested.put("neg", -7);
    nested.put("dbl", 2.5);
    nested.put("str", "text \"quoted\" \\ / \n\t");
    nested.put("unicode", "gr\u00f6\u00dfe \u6d4b\u8bd5 \uD83D\uDE00");
    nested.put("null", null);
    nested.put("list", Arrays.asList(1, "two", 3.0, null, List.of(), Map.of()));
    nested.put("bool", false);
    out.add(base().value(nested).build());
    out.add(base().value(List.of(1, 2, 3)).build());
    out.add(base().value(List.of()).build());
    out.add(base().value("").build());
    out.add(base().value(0).ttl(0).build());
    out.add(base().value(Integer.MAX_VALUE).ttl(Integer.MAX_VALUE).build());
    out.add(base().value(List.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e-7, 1e300)).build());
    // NdArray values of several dtypes
    out.add(base().value(NdArray.of(new double[] {1.5, -2, 3, Double.NaN, 0, 6}, 2, 3)).build());
    out.add(base().value(NdArray.of(new float[] {1.5f, -2f, 3f, 4f})).build());
    out.add(base().value(NdArray.of(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 2)).build());
    out.add(base().value(NdArray.of(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, 3, 1)).build());
    out.add(base().value(NdArray.of(new short[] {-1, 2})).build());
    out.add(base().value(NdArray.of(new byte[] {-128, 0, 127})).build());
    out.add(base().value(NdArray.of(new boolean[] {true, false, true, true}, 2, 2)).build());
    out.add(base().value(NdArray.ofUnsigned(DType.UINT8, new long[] {0, 255})).build());
    out.add(base().value(NdArray.ofUnsigned(DType.UINT16, new long[] {0, 65535})).build());
    out.add(base().value(NdArray.ofUnsigned(DType.UINT32, new long[] {0, 4294967295L})).build());
    out.add(base().value(NdArray.ofUnsigned(DType.UINT64, new long[] {0, -1L})).build());
    out.add(base().value(NdArray.fromLittleEndianBytes(DType.FLOAT64, new byte[8])).build());
    out.add(base().value(NdArray.of(new double[0], 0, 5)).build());
    out.add(base().value(new Frame("cam0", 7, NdArray.of(new int[] {1, 2, 3, 4, 5, 6}, 2, 3))).build());
    out.add(base().value(List.of(NdArray.of(new double[] {1}), NdArray.of(new boolean[] {false}))).build());
    // multihop paths
    out.add(base().path("station_1", "node_3").build());
    out.add(base().path(List.of("station_1", "station_2", "station_3", "node_3")).value(0).build());
    out.add(base().path("a", "a", "b").build());
    // flags
    out.add(base().flag(Flags.NOREPEAT).flag(Flags.MINPRINT).flag(Flags.NOLOG).value("x").build());
    out.add(base().key("CONFIRM").flag(Flags.NOREPEAT).value("T_41").build());
    out.add(base().flag("CUSTOM_FLAG").build());
    // extras
    out.add(base().extra("subject", "mouse_12").extra("pilot", "pilot_1").extra("continuous", true).build());
    out.add(base().extra("changed", true).extra("blosc", true).extra("z", 1).extra("a", List.of(1, 2)).build());
    out.add(base().extra("img", NdArray.of(new float[] {1f, 2f})).extra("meta", Map.of("k", "v")).build());
    out.add(base().extra("nothing", null).build());
    // timestamps: none, now (default), odd values
    out.add(base().timestamp(null).build());
    out.add(Message.builder().id("x_1").to("y").sender("x").key("K").build());
    out.add(base().timestamp(LocalDateTime.of(1999, 1, 2, 3, 4, 5)).build());
    out.add(base().timestamp(LocalDateTime.of(2026, 12, 31, 23, 59, 59, 999_999_000)).build());
    // non-ASCII ids and keys
    out.add(Message.builder().id("n\u00f6de_0").to("st\u00e4tion").sender("n\u00f6de").key("K\u00c9Y").value("\u00e9").build());
    // derived copies
    Message original = base().value(Map.of("n", 1)).flag(Flags.NOREPEAT).extra("e", 1).build();
    out.add(original.newBuilder().id("pilot_1_1").clearFlag(Flags.NOREPEAT).removeExtra("e").ttl(1).build());
    return out;
  }

  @Test
  void everyBuilderMadeMessageRoundTripsAndIsValidToAPlainReader() throws IOException {
    List<Message> messages = builtMessages();
    assertTrue(messages.size() >= 40, "messages: " + messages.size());
    for (Message m : messages) {
      assertRoundTrip(m);
    }
  }

  @Test
  void builderMadeValuesReadBackTyped() {
    Trial t = new Trial(3, true, 0.4213);
    assertEquals(t, MessageCodec.decode(MessageCodec.encode(base().value(t).build())).value(Trial.class));

    Frame f = new Frame("cam0", 7, NdArray.of(new int[] {1, 2, 3, 4, 5, 6}, 2, 3));
    Frame back = MessageCodec.decode(MessageCodec.encode(base().value(f).build())).value(Frame.class);
    assertEquals(f, back);
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, back.data().toIntArray());

    for (NdArray a : List.of(
        NdArray.of(new double[] {1.5, -2}), NdArray.of(new long[] {Long.MIN_VALUE}),
        NdArray.ofUnsigned(DType.UINT64, new long[] {-1L}), NdArray.of(new boolean[] {true, false}, 1, 2))) {
      Message m = MessageCodec.decode(MessageCodec.encode(base().value(a).extra("copy", a).build()));
      assertEquals(a, m.value(NdArray.class));
      assertEquals(a, m.extra("copy", NdArray.class).orElseThrow());
    }

    List<Double> list = List.of(1.0, 2.5);
    assertEquals(list, MessageCodec.decode(MessageCodec.encode(base().value(list).build()))
        .value(new TypeReference<List<Double>>() {}));
  }

  @Test
  void valueOfTheWrongTypeThrowsMessageFormatException() {
    Message m = base().value(Map.of("a", "b")).build();
    assertThrows(MessageFormatException.class, () -> m.value(Integer.class));
    assertThrows(MessageFormatException.class, () -> m.value(new TypeReference<List<String>>() {}));
    assertThrows(MessageFormatException.class, () -> m.value(NdArray.class));
  }

  @Test
  void messagesAreImmutableAgainstTheirInputs() {
    List<String> path = new ArrayList<>(List.of("a", "b"));
    Map<String, Object> value = new LinkedHashMap<>(Map.of("k", 1));
    ObjectNode tree = JsonNodeFactory.instance.objectNode().put("t", 1);
    Message m = base().path(path).value(value).extra("tree", tree).build();
    path.add("c");
    value.put("k2", 2);
    tree.put("t2", 2);
    assertEquals(List.of("a", "b"), m.path());
    assertEquals(1, m.valueNode().size());
    assertEquals(1, m.extras().get("tree").size());
    ((ObjectNode) m.valueNode()).put("mutated", true);
    assertFalse(m.valueNode().has("mutated"));
    assertThrows(UnsupportedOperationException.class, () -> m.flags().add("X"));
    assertThrows(UnsupportedOperationException.class, () -> m.path().add("X"));
  }

  /**
   * A message whose value holds a Java {@code long} (that fits an int), a {@code float} or a
   * {@code BigDecimal} is not equal to itself after a wire round trip.
   */
  @Test
  void builderValuesOfLongFloatAndBigDecimalRoundTripToAnEqualMessage() throws IOException {
    record Counter(long count, float gain) {}
    assertRoundTrip(base().value(5L).build());
    assertRoundTrip(base().value(1.5f).build());
    assertRoundTrip(base().value(new java.math.BigDecimal("1.25")).build());
    assertRoundTrip(base().value(new Counter(5, 0.5f)).build());
  }

  @Test
  void builderTimestampWithNanosecondsRoundTrips() throws IOException {
    assertRoundTrip(base().timestamp(LocalDateTime.of(2026, 1, 1, 0, 0, 0, 123_456_789)).build());
  }

  // ---------------------------------------------------------------- Builder validation

  @Test
  void builderRejectsMissingOrEmptyRequiredFieldsNamingTheField() {
    assertBuildFails(Message.builder().to("T").sender("s").key("K"), "id");
    assertBuildFails(Message.builder().id("").to("T").sender("s").key("K"), "id");
    assertBuildFails(Message.builder().id("s_0").sender("s").key("K"), "to");
    assertBuildFails(Message.builder().id("s_0").to("").sender("s").key("K"), "to");
    assertBuildFails(Message.builder().id("s_0").to(null).sender("s").key("K"), "to");
    assertBuildFails(Message.builder().id("s_0").path(List.of()).sender("s").key("K"), "to");
    assertBuildFails(Message.builder().id("s_0").path("a", "", "b").sender("s").key("K"), "to");
    assertBuildFails(Message.builder().id("s_0").to("T").key("K"), "sender");
    assertBuildFails(Message.builder().id("s_0").to("T").sender("").key("K"), "sender");
    assertBuildFails(Message.builder().id("s_0").to("T").sender("s"), "key");
    assertBuildFails(Message.builder().id("s_0").to("T").sender("s").key(""), "key");
    assertBuildFails(Message.builder().id("s_0").to("T").sender("s").key("K").ttl(-1), "ttl");
    assertBuildFails(Message.builder().id("s_0").to("T").sender("s").key("K").ttl(Integer.MIN_VALUE), "ttl");
  }

  private static void assertBuildFails(Message.Builder b, String field) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build, field);
    assertTrue(e.getMessage().contains("'" + field + "'"), () -> "message should name '" + field + "': " + e.getMessage());
  }

  @Test
  void builderRejectsProtocolFieldNamesAsExtrasAndEmptyNames() {
    for (String field : List.of("id", "to", "sender", "key", "value", "timestamp", "ttl", "flags")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> base().extra(field, 1), field);
      assertTrue(e.getMessage().contains(field), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> base().extra("", 1));
    assertThrows(IllegalArgumentException.class, () -> base().extra(null, 1));
    assertThrows(IllegalArgumentException.class, () -> base().flag(""));
    assertThrows(IllegalArgumentException.class, () -> base().flag(null));
  }

  @Test
  void builderCanBuildRepeatedlyAndDefaults() {
    Message.Builder b = Message.builder().id("s_0").to("T").sender("s").key("K");
    Message first = b.build();
    assertEquals(first, b.build());
    assertEquals(Message.DEFAULT_TTL, first.ttl());
    assertTrue(first.hasNullValue());
    assertTrue(first.timestamp().isPresent());
    assertEquals(0, first.timestamp().get().getNano() % 1000, "default timestamp is truncated to micros");
  }

  // ---------------------------------------------------------------- toString

  @Test
  void toStringNeverContainsALongValue() {
    String big = "v".repeat(10_000);
    Message m = base().value(big).build();
    assertTrue(m.toString().length() < 400, () -> "toString length " + m.toString().length());
    Message inMap = base().value(Map.of("text", big)).build();
    assertTrue(inMap.toString().length() < 400, () -> "toString length " + inMap.toString().length());
    Message longList = base().value(java.util.Collections.nCopies(10_000, 123456)).build();
    assertTrue(longList.toString().length() < 400, () -> "toString length " + longList.toString().length());
    Message array = base().value(NdArray.of(new double[100_000])).build();
    assertTrue(array.toString().length() < 400, () -> "toString length " + array.toString().length());
  }

  @Test
  void toStringNeverContainsALongObjectKey() {
    Message m = base().value(Map.of("k".repeat(10_000), 1)).build();
    assertTrue(m.toString().length() < 400, () -> "toString length " + m.toString().length());
  }

  @Test
  void toStringUnderMinprintShowsNoPartOfTheValue() {
    Message m = base().flag(Flags.MINPRINT).value(Map.of("secretkey", "SECRETVALUE".repeat(100))).build();
    String s = m.toString();
    assertFalse(s.contains("SECRET"), s);
    assertFalse(s.contains("secretkey"), s);
    assertTrue(s.contains("pilot_1_0"), s);
    assertTrue(s.length() < 400, s);
  }

  // ---------------------------------------------------------------- MessageIds

  @Test
  void messageIdsCountFromZeroPerGenerator() {
    MessageIds ids = new MessageIds("pilot_1");
    assertEquals("pilot_1_0", ids.next());
    assertEquals("pilot_1_1", ids.next());
    assertEquals("pilot_1_2", ids.next());
    assertEquals("other_0", new MessageIds("other").next());
    assertThrows(IllegalArgumentException.class, () -> new MessageIds(""));
    assertThrows(IllegalArgumentException.class, () -> new MessageIds(null));
  }

  @Test
  void messageIdsCanStartPastTheIdsOfAnEarlierRun() {
    MessageIds ids = new MessageIds("rig", 42);
    assertEquals("rig_42", ids.next());
    assertEquals("rig_43", ids.next());
    assertThrows(IllegalArgumentException.class, () -> new MessageIds("rig", -1));
  }

  @Test
  void messageIdsAreUniqueAcrossThreads() throws Exception {
    MessageIds ids = new MessageIds("node");
    int threads = 4;
    int perThread = 10_000;
    Set<String> seen = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          int duplicates = 0;
          for (int i = 0; i < perThread; i++) {
            if (!seen.add(ids.next())) {
              duplicates++;
            }
          }
          return duplicates;
        }));
      }
      start.countDown();
      for (Future<Integer> r : results) {
        assertEquals(0, r.get(30, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
    assertEquals(threads * perThread, seen.size());
    for (int i = 0; i < threads * perThread; i++) {
      assertTrue(seen.contains("node_" + i), "node_" + i);
    }
    assertEquals("node_" + threads * perThread, ids.next());
  }

  // ---------------------------------------------------------------- Timestamps

  @Test
  void timestampsFormatWithSixDigitMicroseconds() {
    assertEquals("2026-11-21T10:15:30.123456", Timestamps.format(GOLDEN_TS));
    assertEquals("2026-11-21T10:15:30.000000", Timestamps.format(LocalDateTime.of(2026, 11, 21, 10, 15, 30)));
    assertEquals("2026-01-02T03:04:05.000007", Timestamps.format(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 7_000)));
    assertEquals(GOLDEN_TS, Timestamps.parse(Timestamps.format(GOLDEN_TS)));
    LocalDateTime now = Timestamps.now();
    assertEquals(0, now.getNano() % 1000);
    assertEquals(now, Timestamps.parse(Timestamps.format(now)));
  }

  @Test
  void timestampsParseTheFormsPythonAndOthersWrite() {
    assertEquals(LocalDateTime.of(2026, 11, 21, 10, 15, 30), Timestamps.parse("2026-11-21T10:15:30"));
    assertEquals(LocalDateTime.of(2026, 11, 21, 10, 15, 30, 123_000_000), Timestamps.parse("2026-11-21T10:15:30.123"));
    assertEquals(GOLDEN_TS, Timestamps.parse("2026-11-21T10:15:30.123456"));
    assertEquals(GOLDEN_TS, Timestamps.parse("2026-11-21 10:15:30.123456"));
    assertEquals(LocalDateTime.of(2026, 11, 21, 10, 15, 30), Timestamps.parse("2026-11-21 10:15:30"));
    LocalDateTime utc = OffsetDateTime.of(2026, 11, 21, 10, 15, 30, 0, ZoneOffset.UTC)
        .atZoneSameInstant(ZoneId.systemDefault()).toLocalDateTime();
    assertEquals(utc, Timestamps.parse("2026-11-21T10:15:30Z"));
    LocalDateTime plus2 = OffsetDateTime.of(2026, 11, 21, 10, 15, 30, 500_000_000, ZoneOffset.ofHours(2))
        .atZoneSameInstant(ZoneId.systemDefault()).toLocalDateTime();
    assertEquals(plus2, Timestamps.parse("2026-11-21T10:15:30.5+02:00"));
    assertEquals(utc.minusHours(2), Timestamps.parse("2026-11-21T10:15:30+02:00"));
  }

  @Test
  void timestampsRejectGarbageWithMessageFormatException() {
    for (String bad : List.of("", "garbage", "2026", "2026-11-21", "2026-11-21T", "2026-13-01T00:00:00",
        "2026-11-31T00:00:00", "2026-11-21T25:00:00", "21/11/2026 10:15", "2026-11-21T10:15:30.123456 extra",
        "2026-11-21T10:15:30+25:00", "1732184130", "2026-11-21X10:15:30", "          ",
        "2026-11-21T10:15:30[Nowhere/Nope]")) {
      assertThrows(MessageFormatException.class, () -> Timestamps.parse(bad), "'" + bad + "'");
    }
  }

  @Test
  void timestampGarbageInABodyIsAMessageFormatExceptionNamingTheField() {
    MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageCodec.decode(utf8(
        "{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"timestamp\": \"yesterday\"}")));
    assertTrue(e.getMessage().contains("timestamp"), e.getMessage());
    assertThrows(MessageFormatException.class, () -> MessageCodec.decode(utf8(
        "{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"timestamp\": 1732184130}")));
  }

  @Test
  void nonObjectBodiesAreRejected() {
    for (String s : List.of("[]", "1", "\"s\"", "null", "true", " ", "")) {
      assertThrows(MessageFormatException.class, () -> MessageCodec.decode(utf8(s)), s);
    }
    assertThrows(MessageFormatException.class, () -> MessageCodec.decode(null));
    assertNull(MessageCodec.peekHeader(null));
    assertNull(MessageCodec.peekHeader(new byte[0]));
    assertFalse(MessageCodec.peekFlag(null, Flags.NOREPEAT));
    assertNull(MessageCodec.peekConfirm(utf8("{\"id\": \"a_1\", \"sender\": \"a\", \"key\": \"CONFIRM\", \"value\": 3}")),
        "a CONFIRM whose value is not a string is left to decode");
    assertNull(MessageCodec.peekConfirm(utf8("{\"id\": \"\", \"sender\": \"a\", \"key\": \"CONFIRM\", \"value\": \"x\"}")));
    assertNull(MessageCodec.peekConfirm(utf8("{\"id\": \"a_1\", \"sender\": \"a\", \"key\": \"CON")), "truncated");
    assertFalse(MessageCodec.peekFlag(utf8("{\"flags\": {\"NOREPEAT\": "), Flags.NOREPEAT), "truncated");
    assertFalse(MessageCodec.peekFlag(utf8("{\"flags\": {\"NOREPEAT\": false}}"), Flags.NOREPEAT));
    assertTrue(MessageCodec.peekFlag(utf8("{\"value\": {\"flags\": 1}, \"flags\": {\"X\": [1], \"NOREPEAT\": true}}"),
        Flags.NOREPEAT), "the top-level flags, past a nested one");
  }

  @Test
  void peekHeaderReadsIdSenderAndKeyWithoutDecodingTheRest() {
    MessageCodec.BodyHeader h = MessageCodec.peekHeader(utf8(
        "{\"id\": \"a_0\", \"value\": {\"deep\": [1, {\"x\": NaN}]}, \"sender\": \"a\", \"key\": \"K\", \"ttl\": 2}"));
    assertNotNull(h);
    assertEquals("a_0", h.id());
    assertEquals("a", h.sender());
    assertEquals("K", h.key());
    MessageCodec.BodyHeader noKey = MessageCodec.peekHeader(utf8("{\"id\": \"a_0\", \"sender\": \"a\"}"));
    assertNotNull(noKey);
    assertNull(noKey.key());
    assertNull(MessageCodec.peekHeader(utf8("{\"id\": \"a_0\", \"to\": \"T\"}")));
    assertNull(MessageCodec.peekHeader(utf8("{\"id\": 5, \"sender\": \"a\"}")));
    assertNull(MessageCodec.peekHeader(utf8("[\"id\", \"sender\"]")));
  }

}
