package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of {@link MessageCodec#decode}, {@link MessageCodec#peekHeader} and the {@link
 * Envelope} parsers: malformed input must give a valid result or a {@link MessageFormatException},
 * never any other throwable; inputs that are certainly invalid must give a {@link
 * MessageFormatException}.
 *
 * <p>The seed is fixed by default; run with {@code -Dstationmq.fuzz.seed=N} to try another. Every
 * failure names the seed, the category, the case index and the input.
 */
@Timeout(60)
class MalformedInputTest {
  private static final long DEFAULT_SEED = 0x5EED_2026_1121L;
  private static final long SEED = Long.getLong("stationmq.fuzz.seed", DEFAULT_SEED);
  private static final AtomicLong BODIES_CHECKED = new AtomicLong();
  private static final AtomicLong FRAME_LISTS_CHECKED = new AtomicLong();

  private static final Path BODIES = Path.of("src", "test", "resources", "autopilot-wire", "bodies");
  private static final Path FRAMES = Path.of("src", "test", "resources", "autopilot-wire", "frames");
  /** A plain reader for building variants of the bases (they may hold NaN, as Python writes it). */
  private static final ObjectMapper PLAIN =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  /** Every golden body. */
  private static List<byte[]> allBodies;
  /** Bodies that decode: the golden ones, the frame bodies, and some Builder-made ones. */
  private static List<byte[]> validBodies;
  /** Valid bodies whose value holds no array. */
  private static List<byte[]> plainBodies;

  private enum Expect {
    /** Certainly invalid: must be a MessageFormatException. */
    REJECT,
    /** Certainly valid: must decode. */
    ACCEPT,
    /** Either a valid message or a MessageFormatException. */
    EITHER
  }

  @BeforeAll
  static void loadBodies() throws IOException {
    List<byte[]> all = new ArrayList<>();
    List<byte[]> valid = new ArrayList<>();
    try (Stream<Path> files = Files.list(BODIES)) {
      for (Path p : files.sorted().collect(Collectors.toList())) {
        byte[] b = Files.readAllBytes(p);
        all.add(b);
        valid.add(b);
      }
    }
    try (Stream<Path> files = Files.list(FRAMES)) {
      for (Path p : files.sorted().collect(Collectors.toList())) {
        List<String> lines = Files.readAllLines(p, StandardCharsets.US_ASCII);
        byte[] last = Base64.getDecoder().decode(lines.get(lines.size() - 1).strip());
        if (last.length > 0) {
          valid.add(last);
        }
      }
    }
    valid.add(MessageCodec.encode(Message.builder().id("n_0").path("s1", "s2", "n3").sender("n").key("K")
        .value(Map.of("x", List.of(1.5, Double.NaN))).flag(Flags.NOREPEAT).extra("subject", "m")
        .extra("img", NdArray.of(new int[] {1, 2, 3})).build()));
    valid.add(MessageCodec.encode(Message.builder().id("n_1").to("T").sender("n").key("K").timestamp(null)
        .value("gr\u00f6\u00dfe").build()));
    // A valid body with raw (unescaped) UTF-8, which Python never writes but any JSON reader accepts.
    valid.add(utf8("{\"id\": \"n_2\", \"to\": \"T\", \"sender\": \"n\", \"key\": \"K\", "
        + "\"value\": \"gr\u00f6\u00dfe \u6d4b\u8bd5 \uD83D\uDE00\", \"ttl\": 1}"));
    for (byte[] b : valid) {
      MessageCodec.decode(b); // the bases themselves must be valid
    }
    allBodies = List.copyOf(all);
    validBodies = List.copyOf(valid);
    plainBodies = valid.stream().filter(b -> !text(b).contains("NUMPY_ARRAY")).collect(Collectors.toUnmodifiableList());
  }

  @AfterAll
  static void report() {
    System.out.println("MalformedInputTest: " + BODIES_CHECKED.get() + " bodies, " + FRAME_LISTS_CHECKED.get()
        + " frame lists, seed=" + SEED + " (override with -Dstationmq.fuzz.seed=N)");
  }

  // ---------------------------------------------------------------- checking

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The input with non-printable bytes as \xNN, shortened to a readable length. */
  private static String printable(byte[] input) {
    StringBuilder sb = new StringBuilder();
    int shown = Math.min(input.length, 400);
    for (int i = 0; i < shown; i++) {
      int b = input[i] & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        sb.append((char) b);
      } else {
        sb.append(String.format("\\x%02x", b));
      }
    }
    if (shown < input.length) {
      sb.append("...(").append(input.length).append(" bytes)");
    }
    return sb.toString();
  }

  private static String context(String category, int index, byte[] input) {
    return "seed=" + SEED + " (-Dstationmq.fuzz.seed=" + SEED + "), category=" + category + ", case=" + index
        + ", input=" + printable(input);
  }

  /**
   * Decodes {@code input}: any throwable but MessageFormatException fails; {@code expect} says
   * which outcomes are allowed. An accepted message must be valid, printable, and survive a
   * re-encoding. peekHeader must never throw. Returns true when the input was accepted.
   */
  private static boolean check(String category, int index, byte[] input, Expect expect) {
    BODIES_CHECKED.incrementAndGet();
    try {
      MessageCodec.peekHeader(input);
    } catch (Throwable t) {
      throw new AssertionError("peekHeader threw " + t + "; " + context(category, index, input), t);
    }
    Message m;
    try {
      m = MessageCodec.decode(input);
    } catch (MessageFormatException e) {
      if (expect == Expect.ACCEPT) {
        throw new AssertionError("rejected a valid body: " + e.getMessage() + "; " + context(category, index, input), e);
      }
      if (e.getMessage() == null || e.getMessage().isEmpty()) {
        fail("MessageFormatException without a reason; " + context(category, index, input));
      }
      return false;
    } catch (Throwable t) {
      throw new AssertionError("decode threw " + t + " (only MessageFormatException is allowed); "
          + context(category, index, input), t);
    }
    if (expect == Expect.REJECT) {
      fail("accepted a certainly invalid body as " + m + "; " + context(category, index, input));
    }
    try {
      assertValid(m);
      // A message that decoded re-encodes to a body that decodes to the same message
      // (timestamps travel with microseconds).
      Message expected = m;
      if (m.timestamp().isPresent() && m.timestamp().get().getNano() % 1000 != 0) {
        expected = m.newBuilder().timestamp(m.timestamp().get().truncatedTo(ChronoUnit.MICROS)).build();
      }
      Message back = MessageCodec.decode(MessageCodec.encode(m));
      assertEquals(expected, back);
      try {
        m.value(Object.class);
      } catch (MessageFormatException e) {
        // allowed: a value that does not convert
      }
    } catch (Throwable t) {
      throw new AssertionError("accepted message is not usable: " + t + "; " + context(category, index, input), t);
    }
    return true;
  }

  private static void assertValid(Message m) {
    assertNotNull(m.id());
    assertFalse(m.id().isEmpty());
    assertFalse(m.sender().isEmpty());
    assertFalse(m.key().isEmpty());
    assertFalse(m.path().isEmpty());
    for (String hop : m.path()) {
      assertFalse(hop.isEmpty());
    }
    assertTrue(m.ttl() >= 0);
    assertNotNull(m.toString());
    assertTrue(m.equals(m));
    m.hashCode();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static <T> T pick(Random r, List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  private static <T> T pick(Random r, T[] array) {
    return array[r.nextInt(array.length)];
  }

  /** A valid base parsed with a plain mapper, keeping field order. */
  private static ObjectNode tree(byte[] body) {
    try {
      return (ObjectNode) PLAIN.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String HOLE = "@@HOLE@@";

  /** {@code base} with top-level {@code field} replaced by the raw JSON {@code rawValue} (null: removed). */
  private static byte[] replaceField(byte[] base, String field, String rawValue) {
    ObjectNode t = tree(base);
    if (rawValue == null) {
      t.remove(field);
      return utf8(t.toString());
    }
    t.put(field, HOLE);
    return utf8(t.toString().replace("\"" + HOLE + "\"", rawValue));
  }

  /**
   * Found by the live fuzzer: a body with an empty sender passed peekHeader, and a Station that
   * could not route it built its notice to that empty sender, which threw on its socket thread.
   */
  @Test
  void peekHeaderTreatsAnEmptyIdOrSenderAsMissingAndAnEmptyKeyAsNone() {
    assertEquals(null, MessageCodec.peekHeader(utf8("{\"id\": \"a_1\", \"to\": \"x\", \"sender\": \"\", \"key\": \"K\"}")));
    assertEquals(null, MessageCodec.peekHeader(utf8("{\"id\": \"\", \"to\": \"x\", \"sender\": \"a\", \"key\": \"K\"}")));
    assertEquals(new MessageCodec.BodyHeader("a_1", "a", null),
        MessageCodec.peekHeader(utf8("{\"id\": \"a_1\", \"to\": \"x\", \"sender\": \"a\", \"key\": \"\"}")));
  }

  // ---------------------------------------------------------------- random bytes

  @Test
  void randomBytesNotStartingWithABraceAreRejected() {
    Random r = new Random(SEED ^ 0x01);
    int cases = 15_000;
    for (int i = 0; i < cases; i++) {
      byte[] input = new byte[r.nextInt(257)];
      r.nextBytes(input);
      if (input.length > 0) {
        while (input[0] == '{' || input[0] == ' ' || input[0] == '\t' || input[0] == '\n' || input[0] == '\r') {
          input[0] = (byte) r.nextInt(256);
        }
      }
      check("random-bytes", i, input, Expect.REJECT);
    }
  }

  private static final String[] TOKENS = {
    "{", "}", "[", "]", ":", ",", ", ", ": ", "\"id\"", "\"to\"", "\"sender\"", "\"key\"", "\"value\"", "\"ttl\"",
    "\"flags\"", "\"timestamp\"", "\"changed\"", "\"blosc\"", "\"x\"", "\"\"", "\"T\"", "0", "1", "-1", "2.5",
    "-1.5e300", "1e999", "99999999999999999999", "null", "true", "false", "NaN", "Infinity", "-Infinity",
    "\"NUMPY_ARRAY\"", "\"DTYPE\"", "\"SHAPE\"", "\"float64\"", "\"AAAAAAAAAAA=\"", "[2, 3]", "[]", "{}",
    "\"2026-11-21T10:15:30.123456\"", "\"\\u00e9\"", "\"\\ud800\"", "\\", "\"", " ", "\n",
  };

  @Test
  void randomTokenSoupStartingWithABraceNeverThrowsAnythingElse() {
    Random r = new Random(SEED ^ 0x02);
    int cases = 6_000;
    for (int i = 0; i < cases; i++) {
      StringBuilder sb = new StringBuilder("{");
      int n = r.nextInt(40);
      for (int k = 0; k < n; k++) {
        sb.append(pick(r, TOKENS));
      }
      if (r.nextBoolean()) {
        sb.append('}');
      }
      check("token-soup", i, utf8(sb.toString()), Expect.EITHER);
    }
  }

  // ---------------------------------------------------------------- truncations

  @Test
  void everyTruncationOfAValidBodyIsRejected() {
    int index = 0;
    List<byte[]> bases = new ArrayList<>(allBodies);
    bases.addAll(validBodies);
    for (byte[] base : bases) {
      for (int len = 0; len < base.length; len++) {
        check("truncation", index++, Arrays.copyOf(base, len), Expect.REJECT);
      }
    }
    assertTrue(index >= 10_000, "truncations: " + index);
  }

  // ---------------------------------------------------------------- wrong types for fields

  private static final List<String> BAD_TEXT = List.of(
      "0", "-1", "1.5", "1e999", "NaN", "[]", "[\"a\"]", "{}", "{\"a\": \"b\"}", "null", "true", "false", "\"\"");
  private static final List<String> BAD_TO = List.of(
      "0", "1.5", "{}", "{\"T\": true}", "null", "true", "\"\"", "[]", "[1]", "[\"\"]", "[null]", "[\"a\", 2]",
      "[[\"a\"]]", "[{}]", "[\"a\", \"\"]", "NaN");
  private static final List<String> BAD_TTL = List.of(
      "1.5", "2.0", "1e2", "\"2\"", "\"abc\"", "-1", "-2147483648", "2147483648", "99999999999999999999",
      "-99999999999999999999", "true", "false", "[]", "[2]", "{}", "NaN", "Infinity", "-Infinity", "\"\"");
  private static final List<String> BAD_FLAGS = List.of(
      "[]", "[\"NOREPEAT\"]", "\"NOREPEAT\"", "\"\"", "1", "true", "false", "{\"\": true}", "NaN");
  private static final List<String> BAD_TIMESTAMP = List.of(
      "0", "1732184130.5", "\"garbage\"", "\"\"", "\"2026-13-45T99:99:99\"", "true", "[]", "{}", "\"2026-11-21\"",
      "\"10:15:30\"", "\"2026-11-21T10:15:30+99:00\"", "\"2026-11-21T10:15:30.123456 \"", "[\"2026-11-21T10:15:30\"]");
  private static final String[] REQUIRED = {"id", "to", "sender", "key"};

  private static List<String> badValuesFor(String field) {
    switch (field) {
      case "to":
        return BAD_TO;
      case "ttl":
        return BAD_TTL;
      case "flags":
        return BAD_FLAGS;
      case "timestamp":
        return BAD_TIMESTAMP;
      default:
        return BAD_TEXT;
    }
  }

  @Test
  void aRequiredFieldOfTheWrongTypeOrMissingIsRejected() {
    int index = 0;
    List<String> fields = List.of("id", "to", "sender", "key", "ttl", "flags", "timestamp");
    for (byte[] base : validBodies) {
      for (String field : fields) {
        for (String bad : badValuesFor(field)) {
          check("wrong-type " + field, index++, replaceField(base, field, bad), Expect.REJECT);
        }
      }
      for (String field : REQUIRED) {
        check("missing " + field, index++, replaceField(base, field, null), Expect.REJECT);
      }
    }
    // Random combinations of one to three bad fields, over random bases.
    Random r = new Random(SEED ^ 0x03);
    for (int i = 0; i < 8_000; i++) {
      byte[] body = pick(r, validBodies);
      int bad = 1 + r.nextInt(3);
      for (int k = 0; k < bad; k++) {
        String field = pick(r, fields);
        body = replaceField(body, field, pick(r, badValuesFor(field)));
      }
      check("wrong-types", index++, body, Expect.REJECT);
    }
    assertTrue(index >= 10_000, "cases: " + index);
  }

  @Test
  void acceptableVariantsOfTheFieldsAreAccepted() {
    int index = 0;
    Map<String, List<String>> good = Map.of(
        "to", List.of("[\"T\"]", "[\"a\", \"b\"]", "\"\\u00e9\""),
        "ttl", List.of("0", "2147483647", "null", "-0"),
        "flags", List.of("{}", "null", "{\"X\": null}", "{\"NOREPEAT\": false}"),
        "timestamp", List.of("null", "\"2026-11-21 10:15:30\"", "\"2026-11-21T10:15:30Z\"",
            "\"2026-11-21T10:15:30.1+02:00\"", "\"2026-11-21T10:15:30.123456789\""),
        "value", List.of("NaN", "-Infinity", "1e999999", "[]", "{}", "\"\"", "null"));
    for (byte[] base : validBodies) {
      for (Map.Entry<String, List<String>> e : good.entrySet()) {
        for (String v : e.getValue()) {
          check("good " + e.getKey(), index++, replaceField(base, e.getKey(), v), Expect.ACCEPT);
        }
      }
      for (String optional : List.of("value", "ttl", "flags", "timestamp")) {
        check("missing " + optional, index++, replaceField(base, optional, null), Expect.ACCEPT);
      }
    }
  }

  // ---------------------------------------------------------------- deep nesting

  @Test
  void deepNestingIsRejectedAndModerateNestingAccepted() {
    int index = 0;
    String head = "{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"value\": ";
    for (int depth : new int[] {260, 300, 1_000, 10_000, 100_000}) {
      List<String> values = List.of(
          "[".repeat(depth),
          "[".repeat(depth) + "]".repeat(depth),
          "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth),
          "{\"a\": ".repeat(depth),
          "{".repeat(depth),
          "[{\"a\": ".repeat(depth / 2) + "null" + "}]".repeat(depth / 2));
      for (String v : values) {
        check("deep value " + depth, index++, utf8(head + v + "}"), Expect.REJECT);
        check("deep extra " + depth, index++, utf8(head + "1, \"deep\": " + v + "}"), Expect.REJECT);
        check("deep body " + depth, index++, utf8(v), Expect.REJECT);
        check("deep id " + depth, index++, utf8("{\"id\": " + v + "}"), Expect.REJECT);
      }
    }
    for (int depth : new int[] {1, 10, 100, 200, 250}) {
      check("moderate list " + depth, index++, utf8(head + "[".repeat(depth) + "]".repeat(depth) + "}"), Expect.ACCEPT);
      check("moderate object " + depth, index++,
          utf8(head + "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth) + "}"), Expect.ACCEPT);
    }
  }

  // ---------------------------------------------------------------- huge numbers

  @Test
  void hugeNumbersNeverThrowAnythingElse() {
    int index = 0;
    String head = "{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"value\": ";
    String d400 = "9".repeat(400);
    List<String> numbers = List.of("1e999999", "-1e999999", "1e-999999", "1E+999999999999", d400, "-" + d400,
        "0." + "0".repeat(398) + "1", d400 + "." + d400, d400 + "e" + d400, "1" + "0".repeat(1_000),
        "-" + "1".repeat(5_000), "123456789012345678901234567890.5e10", "4.9e-325", "1.7976931348623159e308");
    for (String n : numbers) {
      check("huge value", index++, utf8(head + n + "}"), Expect.EITHER);
      check("huge nested", index++, utf8(head + "{\"a\": [1, " + n + ", {\"b\": " + n + "}]}}"), Expect.EITHER);
      check("huge extra", index++, utf8(head + "1, \"x\": " + n + "}"), Expect.EITHER);
      check("huge ttl", index++, utf8(head + "1, \"ttl\": " + n + "}"), Expect.REJECT);
      check("huge id", index++, utf8("{\"id\": " + n + ", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\"}"),
          Expect.REJECT);
      check("huge shape", index++, utf8(head + "{\"NUMPY_ARRAY\": \"\", \"DTYPE\": \"uint8\", \"SHAPE\": [" + n + "]}}"),
          Expect.REJECT);
    }
    Random r = new Random(SEED ^ 0x04);
    for (int i = 0; i < 3_000; i++) {
      StringBuilder n = new StringBuilder();
      if (r.nextBoolean()) {
        n.append('-');
      }
      n.append(1 + r.nextInt(9));
      int digits = r.nextInt(1_200);
      for (int k = 0; k < digits; k++) {
        n.append((char) ('0' + r.nextInt(10)));
      }
      if (r.nextInt(3) == 0) {
        n.append('.').append(r.nextInt(1_000_000));
      }
      if (r.nextInt(3) == 0) {
        n.append(r.nextBoolean() ? "e" : "E").append(r.nextBoolean() ? "-" : "+").append(r.nextInt(Integer.MAX_VALUE));
      }
      check("random huge number", index++, utf8(head + "[" + n + "]}"), Expect.EITHER);
    }
  }

  // ---------------------------------------------------------------- invalid UTF-8

  private static final int[][] INVALID_UTF8 = {
    {0x80}, {0xbf}, {0xc0, 0x80}, {0xc1, 0xbf}, {0xe0, 0x80, 0x80}, {0xed, 0xa0, 0x80}, {0xed, 0xbf, 0xbf},
    {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80}, {0xf8, 0x88, 0x80, 0x80, 0x80}, {0xfe}, {0xff},
    {0xc3}, {0xe2, 0x82}, {0xf0, 0x9f, 0x98}, {0xc3, 0x28}, {0xe2, 0x28, 0xa1}, {0xf0, 0x28, 0x8c, 0xbc},
  };
  private static final int[][] VALID_UTF8 = {{0xc3, 0xa9}, {0xe2, 0x82, 0xac}, {0xf0, 0x9f, 0x98, 0x80}, {0x7f}};

  private static byte[] bytes(int[] values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** Byte offsets just after every opening quote of a string in {@code body} (no escaped quotes in bases). */
  private static List<Integer> stringStarts(byte[] body) {
    List<Integer> starts = new ArrayList<>();
    boolean inString = false;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '\\') {
        i++;
      } else if (body[i] == '"') {
        if (!inString) {
          starts.add(i + 1);
        }
        inString = !inString;
      }
    }
    return starts;
  }

  private static byte[] insert(byte[] body, int at, byte[] what) {
    return concat(Arrays.copyOfRange(body, 0, at), what, Arrays.copyOfRange(body, at, body.length));
  }

  @Test
  void invalidUtf8InsideStringsNeverThrowsAnythingElse() {
    Random r = new Random(SEED ^ 0x05);
    int index = 0;
    for (byte[] base : validBodies) {
      List<Integer> starts = stringStarts(base);
      for (int[] seq : INVALID_UTF8) {
        for (int k = 0; k < 6; k++) {
          int at = pick(r, starts) + (r.nextBoolean() ? 0 : 1);
          check("invalid utf-8", index++, insert(base, Math.min(at, base.length), bytes(seq)), Expect.EITHER);
        }
      }
      // Control: valid UTF-8 in the key is accepted.
      int keyAt = text(base).indexOf("\"key\": \"") + "\"key\": \"".length();
      for (int[] seq : VALID_UTF8) {
        check("valid utf-8 in key", index++, insert(base, keyAt, bytes(seq)), Expect.ACCEPT);
      }
    }
    for (int i = 0; i < 3_000; i++) {
      byte[] base = pick(r, validBodies);
      byte[] body = base;
      int n = 1 + r.nextInt(3);
      for (int k = 0; k < n; k++) {
        List<Integer> starts = stringStarts(body);
        body = insert(body, pick(r, starts), bytes(pick(r, r.nextInt(4) == 0 ? VALID_UTF8 : INVALID_UTF8)));
      }
      check("random utf-8", index++, body, Expect.EITHER);
    }
  }

  @Test
  void escapedLoneSurrogatesAndControlCharactersRoundTrip() {
    int index = 0;
    for (String s : List.of("\\ud800", "\\udfff", "\\ud83d", "a\\ud83dz", "\\u0000", "\\u001f", "\\ud83d\\ude00")) {
      for (String field : List.of("id", "sender", "key", "to")) {
        check("escaped " + field, index++,
            utf8("{\"id\": \"i\", \"to\": \"T\", \"sender\": \"s\", \"key\": \"k\", \"value\": 1}"
                .replace("\"" + field + "\": \"", "\"" + field + "\": \"" + s)), Expect.ACCEPT);
      }
      check("escaped value", index++, utf8("{\"id\": \"i\", \"to\": \"T\", \"sender\": \"s\", \"key\": \"k\", "
          + "\"value\": {\"" + s + "\": \"" + s + "\"}, \"flags\": {\"" + s + "\": true}, \"" + s + "\": 1}"),
          Expect.ACCEPT);
    }
    // Raw control characters inside strings are not JSON.
    check("raw control", index++, utf8("{\"id\": \"a\u0001\", \"to\": \"T\", \"sender\": \"s\", \"key\": \"k\"}"),
        Expect.REJECT);
  }

  // ---------------------------------------------------------------- bad arrays

  private static final String[] DTYPES = {
    "bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64"};

  private static String array(String data, String dtype, String shape) {
    List<String> parts = new ArrayList<>();
    if (data != null) {
      parts.add("\"NUMPY_ARRAY\": " + data);
    }
    if (dtype != null) {
      parts.add("\"DTYPE\": " + dtype);
    }
    if (shape != null) {
      parts.add("\"SHAPE\": " + shape);
    }
    return "{" + String.join(", ", parts) + "}";
  }

  private static String b64(int bytes) {
    return "\"" + Base64.getEncoder().encodeToString(new byte[bytes]) + "\"";
  }

  /** Array objects that are certainly invalid, each with one defect. */
  private static List<String> badArrays() {
    List<String> bad = new ArrayList<>();
    String f64 = "\"float64\"";
    String shape23 = "[2, 3]";
    for (String data : List.of("\"!!!!\"", "\"AAA\"", "\"A===\"", "\"AA=A\"", "\"AAAAAA\"", "\"AAAA AAA\"",
        "\"AAAAAAAAAAA=\\n\"", "\"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\"", "\"\"", "123",
        "null", "[]", "{}", "true", "[" + b64(48) + "]")) {
      bad.add(array(data, f64, shape23));
    }
    for (int len : new int[] {0, 8, 40, 47, 49, 56, 96, 1000}) {
      bad.add(array(b64(len), f64, shape23)); // wrong length for shape (48 bytes needed)
    }
    bad.add(array(b64(1), f64, "[]"));
    bad.add(array(b64(16), f64, "[]"));
    bad.add(array(b64(1), "\"uint8\"", "[0]"));
    for (String dtype : List.of("\"float16\"", "\"complex128\"", "\"<f8\"", "\"FLOAT64\"", "\"Float64\"", "\"\"",
        "\"object\"", "\"str\"", "\"float64 \"", "5", "null", "[]", "{}", "true", "[\"float64\"]")) {
      bad.add(array(b64(48), dtype, shape23));
    }
    for (String shape : List.of("[-1]", "[2, -3]", "[-6]", "[1.5]", "[6.0]", "[\"6\"]", "[null]", "[true]", "[[6]]",
        "[{}]", "[2147483648]", "[99999999999999999999]", "[-99999999999999999999]", "[65536, 65536]",
        "[2147483647, 2]", "[1e400]", "[NaN]", "\"6\"", "6", "{}", "null", "true", "{\"0\": 6}")) {
      bad.add(array(b64(48), f64, shape));
    }
    bad.add(array(null, f64, shape23).replace("{", "{\"NUMPY_ARRAY\": " + b64(48) + ", \"EXTRA\": 1, "));
    bad.add(array(b64(48), null, shape23)); // DTYPE missing
    bad.add(array(b64(48), f64, null)); // SHAPE missing
    bad.add(array(b64(48), null, null));
    bad.add("{\"NUMPY_ARRAY\": " + b64(48) + ", \"DTYPE\": \"float64\", \"SHAPE\": [2, 3], \"EXTRA\": 1}");
    bad.add("{\"NUMPY_ARRAY\": \"AgI=\", \"DTYPE\": \"bool\", \"SHAPE\": [2]}"); // bool byte 2
    return bad;
  }

  /** Places an array object in {@code base}: as the value, inside it, or as an extra field. */
  private static byte[] placeArray(byte[] base, String array, int where) {
    switch (where) {
      case 0:
        return replaceField(base, "value", array);
      case 1:
        return replaceField(base, "value", "{\"frame\": " + array + "}");
      case 2:
        return replaceField(base, "value", "[1, " + array + "]");
      case 3:
        return replaceField(base, "value", "{\"a\": [{\"b\": " + array + "}], \"c\": 1}");
      default:
        return replaceField(base, "img", array);
    }
  }

  @Test
  void badArraysAreRejectedWhereverTheyAre() {
    int index = 0;
    List<String> bad = badArrays();
    for (String array : bad) {
      for (int where = 0; where < 5; where++) {
        check("bad array " + where, index++, placeArray(validBodies.get(index % validBodies.size()), array, where),
            Expect.REJECT);
      }
    }
    Random r = new Random(SEED ^ 0x06);
    for (int i = 0; i < 6_000; i++) {
      String dtypeName = pick(r, DTYPES);
      DType dtype = DType.fromNumpyName(dtypeName);
      int ndim = r.nextInt(4);
      StringBuilder shape = new StringBuilder("[");
      long size = 1;
      for (int d = 0; d < ndim; d++) {
        int dim = r.nextInt(5);
        size *= dim;
        shape.append(d == 0 ? "" : ", ").append(dim);
      }
      shape.append(']');
      int needed = (int) size * dtype.itemSize();
      String array;
      Expect expect = Expect.REJECT;
      switch (r.nextInt(7)) {
        case 0: { // wrong length
          int len = r.nextInt(needed + 20);
          if (len == needed) {
            len++;
          }
          array = array(b64(len), "\"" + dtypeName + "\"", shape.toString());
          break;
        }
        case 1: // bad base64 character
          array = array("\"" + Base64.getEncoder().encodeToString(new byte[needed + 3]).substring(0, 3) + "*\"",
              "\"" + dtypeName + "\"", shape.toString());
          break;
        case 2: // unknown dtype
          array = array(b64(needed), "\"" + dtypeName + (r.nextBoolean() ? "x" : "_") + "\"", shape.toString());
          break;
        case 3: // negative dimension
          array = array(b64(needed), "\"" + dtypeName + "\"", "[" + (-1 - r.nextInt(1000)) + "]");
          break;
        case 4: // missing key
          array = r.nextBoolean() ? array(b64(needed), null, shape.toString()) : array(b64(needed), "\"" + dtypeName + "\"", null);
          break;
        case 5: // overflowing shape
          array = array(b64(needed), "\"" + dtypeName + "\"", "[" + (2_147_483_648L + r.nextInt(1000)) + "]");
          break;
        default: { // a valid array: control
          byte[] data = new byte[needed];
          if (dtype == DType.BOOL) {
            for (int k = 0; k < data.length; k++) {
              data[k] = (byte) r.nextInt(2);
            }
          } else {
            r.nextBytes(data);
          }
          array = array("\"" + Base64.getEncoder().encodeToString(data) + "\"", "\"" + dtypeName + "\"", shape.toString());
          expect = Expect.ACCEPT;
        }
      }
      byte[] body = placeArray(pick(r, plainBodies), array, r.nextInt(5));
      check("random array", index++, body, expect);
    }
  }

  @Test
  void anArrayObjectWhoseKeyIsEscapedIsStillChecked() {
    byte[] body = utf8("{\"id\": \"a_0\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", "
        + "\"value\": {\"NUMPY\\u005FARRAY\": \"!!!\", \"DTYPE\": \"nope\", \"SHAPE\": 5}}");
    assertThrows(MessageFormatException.class, () -> MessageCodec.decode(body));
  }

  // ---------------------------------------------------------------- random mutations

  private static final String[] INTERESTING = {
    "\"", "\\", "{", "}", "[", "]", ",", ":", "NaN", "-", "e", "\\u0000", "\\ud800", "null", "0", "\u0000", "\n",
    "\"NUMPY_ARRAY\": ", "1e999999", "99999999999999999999"};

  private static byte[] mutate(Random r, byte[] base) {
    byte[] b = base.clone();
    int n = 1 + r.nextInt(8);
    for (int k = 0; k < n; k++) {
      int at = b.length == 0 ? 0 : r.nextInt(b.length);
      switch (r.nextInt(7)) {
        case 0:
          if (b.length > 0) {
            b[at] ^= (byte) (1 << r.nextInt(8));
          }
          break;
        case 1:
          if (b.length > 0) {
            b[at] = (byte) r.nextInt(256);
          }
          break;
        case 2:
          b = insert(b, at, new byte[] {(byte) r.nextInt(256)});
          break;
        case 3:
          if (b.length > 0) {
            int len = 1 + r.nextInt(Math.min(8, b.length - at));
            b = concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, b.length));
          }
          break;
        case 4:
          if (b.length > 0) {
            int len = 1 + r.nextInt(Math.min(32, b.length - at));
            b = insert(b, r.nextInt(b.length + 1), Arrays.copyOfRange(b, at, at + len));
          }
          break;
        case 5:
          if (b.length > 1) {
            int other = r.nextInt(b.length);
            byte t = b[at];
            b[at] = b[other];
            b[other] = t;
          }
          break;
        default:
          b = insert(b, at, utf8(pick(r, INTERESTING)));
      }
    }
    return b;
  }

  @Test
  void randomMutationsOfValidBodiesNeverThrowAnythingElse() {
    Random r = new Random(SEED ^ 0x07);
    List<byte[]> bases = new ArrayList<>(allBodies);
    bases.addAll(validBodies);
    int cases = 60_000;
    int accepted = 0;
    for (int i = 0; i < cases; i++) {
      if (check("mutation", i, mutate(r, pick(r, bases)), Expect.EITHER)) {
        accepted++;
      }
    }
    // Both outcomes must be exercised for the fuzzing to mean anything.
    assertTrue(accepted > 100 && accepted < cases - 100, "accepted " + accepted + " of " + cases + ", seed=" + SEED);
  }

  // ---------------------------------------------------------------- frame lists

  private static final String[] IDS = {"T", "a", "node_3", "station_2", "\u00e9", "up"};

  private static List<byte[]> randomFrames(Random r) {
    int n = r.nextInt(9);
    List<byte[]> frames = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(10);
      if (kind < 3) {
        frames.add(new byte[0]);
      } else if (kind < 7) {
        frames.add(utf8(pick(r, IDS)));
      } else {
        byte[] f = new byte[1 + r.nextInt(12)];
        r.nextBytes(f);
        frames.add(f);
      }
    }
    return frames;
  }

  private static String printable(List<byte[]> frames) {
    return frames.stream().map(MalformedInputTest::printable).collect(Collectors.joining("|", "[", "]"));
  }

  /** Parses {@code frames}; returns the envelope, or null for a MessageFormatException. */
  private static Envelope parseFrames(boolean router, List<byte[]> frames, int index) {
    try {
      return router ? Envelope.fromRouter(frames) : Envelope.fromDealer(frames);
    } catch (MessageFormatException e) {
      return null;
    } catch (Throwable t) {
      throw new AssertionError((router ? "fromRouter" : "fromDealer") + " threw " + t + "; seed=" + SEED + ", case="
          + index + ", frames=" + printable(frames), t);
    }
  }

  @Test
  void randomFrameListsGiveAnEnvelopeOrMessageFormatException() {
    Random r = new Random(SEED ^ 0x08);
    int cases = 20_000;
    int parsed = 0;
    for (int i = 0; i < cases; i++) {
      List<byte[]> frames = Collections.unmodifiableList(randomFrames(r));
      FRAME_LISTS_CHECKED.incrementAndGet();
      String where = "seed=" + SEED + ", case=" + i + ", frames=" + printable(frames);
      for (boolean router : new boolean[] {true, false}) {
        Envelope e = parseFrames(router, frames, i);
        boolean certainlyInvalid = frames.isEmpty()
            || (router && frames.get(0).length == 0)
            || (router && frames.size() < 3 && !(frames.size() == 2 && frames.get(1).length == 0));
        if (certainlyInvalid) {
          assertTrue(e == null, (router ? "fromRouter" : "fromDealer") + " accepted; " + where);
          continue;
        }
        if (e == null) {
          continue;
        }
        parsed++;
        try {
          checkEnvelope(e, router, frames);
        } catch (Throwable t) {
          throw new AssertionError((router ? "fromRouter" : "fromDealer") + " envelope misbehaves: " + t + "; " + where, t);
        }
      }
    }
    assertTrue(parsed > 1_000, "parsed " + parsed + ", seed=" + SEED);
  }

  /** A parsed envelope answers every accessor, and its forwarding frames parse back to the same route. */
  private static void checkEnvelope(Envelope e, boolean router, List<byte[]> frames) {
    assertNotNull(e.toString());
    assertSame(frames, e.frames());
    assertSame(frames, e.echo());
    assertEquals(router, e.senderId() != null);
    if (e.isPing()) {
      assertEquals(0, frames.get(frames.size() - 1).length);
      return;
    }
    assertSame(frames.get(frames.size() - 1), e.body());
    if (e.recipient() == null) {
      assertFalse(router);
      assertEquals(1, frames.size());
      return;
    }
    assertFalse(e.recipient().isEmpty());
    assertEquals(e.hops().isEmpty() ? e.recipient() : e.hops().get(0), e.nextHop());
    // Through a ROUTER to the next DEALER: the ROUTER consumes the first frame.
    List<byte[]> viaRouter = e.forwardViaRouter();
    Envelope next = Envelope.fromDealer(viaRouter.subList(1, viaRouter.size()));
    assertSame(e.body(), next.body());
    if (e.hops().isEmpty()) {
      assertEquals(null, next.recipient());
    } else {
      assertEquals(e.recipient(), next.recipient());
      assertEquals(e.hops().subList(1, e.hops().size()), next.hops());
    }
    // Through a pusher to an upstream ROUTER, which prepends our identity.
    List<byte[]> viaPusher = new ArrayList<>(e.forwardViaPusher("up"));
    viaPusher.add(0, utf8("me"));
    Envelope up = Envelope.fromRouter(viaPusher);
    assertSame(e.body(), up.body());
    assertEquals(e.recipient(), up.recipient());
    List<String> expectedHops = !e.hops().isEmpty() && e.hops().get(0).equals("up")
        ? e.hops().subList(1, e.hops().size()) : e.hops();
    assertEquals(expectedHops, up.hops());
  }
}
