package io.stationmq.station;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.Envelope;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A seeded generator of malformed and hostile inputs for a live endpoint's ROUTER, as the frames
 * a raw DEALER sends (the ROUTER prepends the DEALER's identity). Input {@code i} depends only on
 * the seed and {@code i}, so a failure is reproduced from the seed and the index alone.
 *
 * <p>Bases are the real autopilot bodies and frames (the golden samples the message module
 * tests with); inputs mutate them (bit flips, truncation, splices, duplicated and removed
 * fields, wrong types for every field), or are random frames, deep nesting, invalid UTF-8,
 * huge numbers, empty frames, STREAM batches with bad payloads, bad CONFIRM and {@code SMQ_*}
 * bodies, addressed to the endpoint itself, to unknown ids, to real peers and along multihop
 * paths. Never addressed from or to the ids of the real nodes' valid traffic with its key.
 *
 * <p>{@link #expect} predicts, with the codec itself, whether the endpoint must count an input
 * as malformed.
 */
final class FuzzInputs {
  /** A key the generator never writes: the valid traffic's. */
  static final String VALID_KEY = "VALID_TRAFFIC";
  /** Bodies over this many bytes are oversize for the fuzzed endpoints (their maxMessageBytes). */
  static final int MAX_BYTES = 1 << 20;

  private static final Path WIRE = Path.of("..", "message", "src", "test", "resources", "autopilot-wire");
  private static final ObjectMapper PLAIN =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final String HOLE = "@@HOLE@@";

  private static final String[] FIELDS = {"id", "to", "sender", "key", "value", "timestamp", "ttl", "flags", "changed", "blosc"};
  private static final String[] BAD_VALUES = {
    "0", "-1", "1.5", "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "[]", "[\"a\"]", "[1]", "[null]", "[\"\"]", "{}",
    "{\"a\": \"b\"}", "null", "true", "false", "\"\"", "\"x\"", "2147483648", "-2147483649", "99999999999999999999999",
    "1" + "0".repeat(1200), "-0", "0.0", "\"\\ud800\"", "\"\\u0000\"", "\"2026-13-45T99:99:99\"", "[[[[[]]]]]",
    "{\"NUMPY_ARRAY\": \"AAAA\", \"DTYPE\": \"float64\", \"SHAPE\": [3]}",
    "{\"NUMPY_ARRAY\": 1, \"DTYPE\": \"int9\", \"SHAPE\": [-1]}",
    "{\"NUMPY_ARRAY\": \"AAAA\", \"DTYPE\": \"uint8\", \"SHAPE\": [99999999999, 99999999999]}",
  };
  private static final String[] KEYS = {
    "CONFIRM", "STREAM", "KILL", "SMQ_HELLO", "SMQ_HEARTBEAT", "SMQ_UNREACHABLE", "SMQ_REQUEST", "SMQ_REPLY",
    "SMQ_HELLO_REPLY", "SMQ_HEARTBEAT_ACK", "SMQ_X", "DATA", "STOP", "PING", "", "\u00e9t\u00e9", "K",
  };
  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF},
    {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0x80}, {(byte) 0xF0, (byte) 0x9F}, {0},
  };

  /** One input: the frames a raw DEALER sends, and what made it. */
  record Input(long index, String category, List<byte[]> frames) {
    int bytes() {
      int n = 0;
      for (byte[] f : frames) {
        n += f.length;
      }
      return n;
    }

    /** The input for a failure message: seed-independent description and the frames, shortened. */
    String describe() {
      StringBuilder sb = new StringBuilder("input #" + index + " (" + category + ", " + frames.size() + " frames):");
      for (byte[] f : frames) {
        sb.append(" [").append(printable(f, 300)).append(']');
      }
      return sb.toString();
    }
  }

  /** What the endpoint must count for one input. */
  enum Expect {
    /** Certainly counted as malformed. */
    MALFORMED,
    /** Certainly not counted as malformed. */
    NOT_MALFORMED,
    /** Depends on what came before (a repeat is not handled again, so not checked again). */
    EITHER
  }

  private final long seed;
  private final String self;
  private final List<String> peers;
  private final boolean station;
  private final List<byte[]> bodies;

  /**
   * @param self the fuzzed endpoint's id
   * @param peers ids connected to it that are not the valid traffic's receivers' keys (inputs may be addressed to them)
   * @param station true when the endpoint forwards (a Station)
   */
  FuzzInputs(long seed, String self, List<String> peers, boolean station) {
    this.seed = seed;
    this.self = self;
    this.peers = List.copyOf(peers);
    this.station = station;
    this.bodies = loadBodies();
  }

  private static List<byte[]> loadBodies() {
    List<byte[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(WIRE.resolve("bodies"))) {
      for (Path p : files.sorted().collect(Collectors.toList())) {
        out.add(Files.readAllBytes(p));
      }
      try (Stream<Path> frames = Files.list(WIRE.resolve("frames"))) {
        for (Path p : frames.sorted().collect(Collectors.toList())) {
          List<String> lines = Files.readAllLines(p, StandardCharsets.US_ASCII);
          byte[] last = Base64.getDecoder().decode(lines.get(lines.size() - 1).strip());
          if (last.length > 0) {
            out.add(last);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the autopilot wire samples under " + WIRE.toAbsolutePath(), e);
    }
    if (out.size() < 20) {
      throw new IllegalStateException("expected the autopilot wire samples under " + WIRE.toAbsolutePath());
    }
    return List.copyOf(out);
  }

  /** Input number {@code index}: a function of the seed and the index only. */
  Input input(long index) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
    int c = r.nextInt(100);
    if (c < 8) {
      return new Input(index, "random-frames", randomFrames(r));
    }
    if (c < 12) {
      return new Input(index, "empty-frames", emptyFrames(r));
    }
    if (c < 40) {
      return new Input(index, "mutated-body", address(r, mutate(r, pick(r, bodies))));
    }
    if (c < 52) {
      return new Input(index, "wrong-types", address(r, wrongTypes(r)));
    }
    if (c < 56) {
      return new Input(index, "deep-nesting", address(r, deepNesting(r)));
    }
    if (c < 61) {
      return new Input(index, "invalid-utf8", invalidUtf8(r));
    }
    if (c < 65) {
      return new Input(index, "huge-numbers", address(r, hugeNumbers(r)));
    }
    if (c < 75) {
      return new Input(index, "stream-batch", address(r, badStream(r)));
    }
    if (c < 88) {
      return new Input(index, "control-body", address(r, badControl(r)));
    }
    if (c < 96) {
      return new Input(index, "bad-routing", badRouting(r));
    }
    if (c < 99) {
      return new Input(index, "valid-unknown-key", address(r, validOther(r)));
    }
    if (r.nextInt(10) == 0) {
      return new Input(index, "oversize", address(r, oversize(r)));
    }
    return new Input(index, "splice", address(r, splice(r)));
  }

  // ---------------------------------------------------------------- frames

  /** Frames around a body, addressed to the endpoint itself mostly, else elsewhere. */
  private List<byte[]> address(Random r, byte[] body) {
    int c = r.nextInt(20);
    if (c < 9) {
      return List.of(utf8(self), utf8(self), body); // a node to its upstream: [upstream, to, body]
    }
    if (c < 11) {
      return List.of(utf8("_" + self), utf8(self), body);
    }
    if (c < 13) {
      return List.of(utf8(self), body); // [to, body]: three frames on the ROUTER
    }
    if (c < 15) {
      return List.of(utf8(self), utf8("nobody_" + r.nextInt(50)), body);
    }
    if (c < 17 && !peers.isEmpty()) {
      return List.of(utf8(self), utf8(pick(r, peers)), body);
    }
    if (c < 19) {
      List<byte[]> f = new ArrayList<>();
      f.add(utf8(self));
      int hops = 1 + r.nextInt(4);
      String last = null;
      for (int i = 0; i < hops; i++) {
        last = r.nextBoolean() && !peers.isEmpty() ? pick(r, peers) : "hop_" + r.nextInt(20);
        f.add(utf8(last));
      }
      f.add(utf8(last));
      f.add(body);
      return f;
    }
    return List.of(body); // [body] alone: two frames on the ROUTER
  }

  private static List<byte[]> randomFrames(Random r) {
    int n = 1 + r.nextInt(r.nextInt(8) == 0 ? 64 : 8);
    List<byte[]> f = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      f.add(randomBytes(r, r.nextInt(4) == 0 ? 0 : r.nextInt(r.nextInt(10) == 0 ? 4096 : 64)));
    }
    return f;
  }

  private List<byte[]> emptyFrames(Random r) {
    int n = 1 + r.nextInt(6);
    List<byte[]> f = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      f.add(new byte[0]);
    }
    // an empty frame somewhere in an otherwise normal message, or all empty (a ping)
    if (r.nextBoolean() && n >= 2) {
      f.set(n - 1, pick(r, bodies));
      if (r.nextBoolean()) {
        f.set(0, utf8(self));
      }
    }
    return f;
  }

  private List<byte[]> badRouting(Random r) {
    byte[] body = r.nextInt(3) == 0 ? mutate(r, pick(r, bodies)) : validOther(r);
    switch (r.nextInt(7)) {
      case 0:
        return List.of(new byte[0], utf8(self), body);
      case 1:
        return List.of(utf8(self), new byte[0], body);
      case 2: {
        List<byte[]> f = new ArrayList<>();
        int n = 2 + r.nextInt(r.nextInt(4) == 0 ? 200 : 10);
        for (int i = 0; i < n; i++) {
          f.add(r.nextInt(8) == 0 ? new byte[0] : utf8(r.nextBoolean() ? self : "h" + r.nextInt(100)));
        }
        f.add(body);
        return f;
      }
      case 3:
        return List.of(concat(utf8(self), pick(r, BAD_UTF8)), concat(pick(r, BAD_UTF8), utf8(self)), body);
      case 4:
        return List.of(utf8(self), randomBytes(r, 1 + r.nextInt(300)), body);
      case 5:
        return List.of(utf8(self), utf8(self), body, body); // the body where a routing frame was expected
      default:
        return List.of(utf8(self), utf8(self), body, new byte[0]); // ends empty: a ping carrying a body
    }
  }

  private List<byte[]> invalidUtf8(Random r) {
    byte[] body = pick(r, bodies);
    byte[] bad = pick(r, BAD_UTF8);
    // inside a string when there is one, anywhere otherwise
    int at = r.nextInt(body.length);
    for (int i = at; i < body.length; i++) {
      if (body[i] == '"') {
        at = i + 1;
        break;
      }
    }
    byte[] out = concat(Arrays.copyOfRange(body, 0, at), bad, Arrays.copyOfRange(body, at, body.length));
    if (r.nextInt(4) == 0) {
      return List.of(concat(utf8(self), bad), utf8(self), out);
    }
    if (r.nextInt(3) == 0) {
      return List.of(utf8(self), concat(bad, utf8("x")), out);
    }
    return address(r, out);
  }

  // ---------------------------------------------------------------- bodies

  private byte[] mutate(Random r, byte[] base) {
    byte[] b = base;
    int n = 1 + r.nextInt(4);
    for (int k = 0; k < n; k++) {
      switch (r.nextInt(8)) {
        case 0: { // bit flips
          b = b.clone();
          int flips = 1 + r.nextInt(8);
          for (int i = 0; i < flips && b.length > 0; i++) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
          }
          break;
        }
        case 1: // truncation
          b = Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
          break;
        case 2: { // splice with another body
          byte[] other = pick(r, bodies);
          int cut = b.length == 0 ? 0 : r.nextInt(b.length);
          int from = r.nextInt(other.length);
          b = concat(Arrays.copyOf(b, cut), Arrays.copyOfRange(other, from, other.length));
          break;
        }
        case 3: // a field duplicated, with another value
          b = textInsertAfterBrace(b, "\"" + pick(r, FIELDS) + "\": " + pick(r, BAD_VALUES) + ", ");
          break;
        case 4: // a field removed
          b = treeEdit(b, t -> t.remove(pick(r, FIELDS)));
          break;
        case 5: { // random bytes set
          b = b.clone();
          int sets = 1 + r.nextInt(4);
          for (int i = 0; i < sets && b.length > 0; i++) {
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
          }
          break;
        }
        case 6: { // a run of bytes removed or duplicated
          if (b.length > 2) {
            int from = r.nextInt(b.length - 1);
            int to = from + 1 + r.nextInt(Math.min(40, b.length - from - 1) + 1);
            to = Math.min(to, b.length);
            b = r.nextBoolean()
                ? concat(Arrays.copyOf(b, from), Arrays.copyOfRange(b, to, b.length))
                : concat(Arrays.copyOf(b, to), Arrays.copyOfRange(b, from, b.length));
          }
          break;
        }
        default: { // a field of a different type
          String field = pick(r, FIELDS);
          String bad = pick(r, BAD_VALUES);
          b = treeReplace(b, field, bad);
          break;
        }
      }
    }
    return b;
  }

  private byte[] wrongTypes(Random r) {
    byte[] b = pick(r, bodies);
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      b = treeReplace(b, pick(r, FIELDS), pick(r, BAD_VALUES));
    }
    return b;
  }

  private byte[] deepNesting(Random r) {
    int[] depths = {100, 255, 256, 257, 1_000, 10_000};
    int d = r.nextInt(50) == 0 ? 100_000 : depths[r.nextInt(depths.length)];
    boolean objects = r.nextBoolean();
    StringBuilder v = new StringBuilder(d * 6);
    for (int i = 0; i < d; i++) {
      v.append(objects ? "{\"a\": " : "[");
    }
    v.append('1');
    int close = r.nextInt(5) == 0 ? r.nextInt(d + 1) : d; // sometimes unbalanced
    for (int i = 0; i < close; i++) {
      v.append(objects ? '}' : ']');
    }
    return treeReplace(pick(r, bodies), r.nextInt(4) == 0 ? pick(r, FIELDS) : "value", v.toString());
  }

  private byte[] hugeNumbers(Random r) {
    String[] huge = {
      "1" + "0".repeat(999), "1" + "0".repeat(1000), "1" + "0".repeat(5000), "-" + "9".repeat(20_000),
      "1e400", "1e-400", "123456789012345678901234567890.5e-99999", "0." + "0".repeat(3000) + "1", "9223372036854775808",
      "-9223372036854775809", "18446744073709551616", "4294967296", "2147483647", "1E+2147483647",
    };
    String field = r.nextInt(3) == 0 ? pick(r, FIELDS) : r.nextBoolean() ? "ttl" : "value";
    return treeReplace(pick(r, bodies), field, pick(r, huge));
  }

  private byte[] badStream(Random r) {
    String[] inner = {"\"CONT\"", "\"KILL\"", "\"CONFIRM\"", "\"STREAM\"", "\"SMQ_HELLO\"", "\"SMQ_REQUEST\"", "1", "null",
        "[]", "{}", "\"\"", "true"};
    String[] payload = {"[1, 2, 3]", "[]", "{}", "1", "null", "\"END\"", "[null, [], {}, \"END\", 1e999]",
        "[{\"t\": 1}, {\"t\": NaN}]", "[" + "[".repeat(300) + "]".repeat(300) + "]", "[{\"NUMPY_ARRAY\": \"!!\"}]"};
    String[] headers = {"{\"subject\": \"m\"}", "[]", "1", "null", "{\"a\": {\"b\": [1]}}", "\"h\""};
    StringBuilder v = new StringBuilder("{");
    List<String> parts = new ArrayList<>();
    if (r.nextInt(8) != 0) {
      parts.add("\"inner_key\": " + pick(r, inner));
    }
    if (r.nextInt(4) != 0) {
      parts.add("\"headers\": " + pick(r, headers));
    }
    if (r.nextInt(8) != 0) {
      parts.add("\"payload\": " + pick(r, payload));
    }
    v.append(String.join(", ", parts)).append('}');
    String value = r.nextInt(10) == 0 ? pick(r, BAD_VALUES) : v.toString();
    String flags = r.nextInt(4) == 0 ? "{}" : "{\"NOREPEAT\": true, \"MINPRINT\": true}";
    String sender = r.nextBoolean() ? "fz_stream" : "s" + r.nextInt(30);
    String id = r.nextInt(3) == 0 ? "st_" + r.nextInt(1000) : "st_" + r.nextInt(Integer.MAX_VALUE) + "_" + r.nextInt(100);
    return body(id, self, sender, "STREAM", value, flags);
  }

  private byte[] badControl(Random r) {
    String[] keys = {"CONFIRM", "SMQ_UNREACHABLE", "SMQ_HELLO", "SMQ_HEARTBEAT", "SMQ_REQUEST", "SMQ_REPLY", "KILL",
        "SMQ_HELLO_REPLY", "SMQ_HEARTBEAT_ACK"};
    String key = pick(r, keys);
    String value;
    List<String> extra = new ArrayList<>();
    switch (key) {
      case "CONFIRM":
        value = r.nextInt(3) == 0 ? "\"unknown_" + r.nextInt(100) + "\"" : pick(r, BAD_VALUES);
        break;
      case "SMQ_UNREACHABLE":
        value = r.nextInt(3) == 0 ? pick(r, BAD_VALUES)
            : "{\"id\": " + pick(r, new String[] {"\"x_1\"", "1", "null", "{}", "[]"}) + ", \"to\": " + pick(r, BAD_VALUES)
                + ", \"station\": " + pick(r, BAD_VALUES) + ", \"reason\": " + pick(r, BAD_VALUES) + ", \"retry\": "
                + pick(r, new String[] {"true", "false", "\"yes\"", "1", "{}"}) + "}";
        break;
      case "SMQ_HELLO":
        value = r.nextInt(4) == 0 ? pick(r, BAD_VALUES)
            : "{\"id\": " + pick(r, BAD_VALUES) + ", \"protocol\": " + pick(r, new String[] {"1", "2", "\"1\"", "1e99",
                "null", "-1", "[]"}) + ", \"instance\": " + pick(r, new String[] {"\"i1\"", "\"i2\"", "\"i3\"", "1", "null", "[]"})
                + ", \"role\": " + pick(r, BAD_VALUES) + ", \"listens\": " + pick(r, BAD_VALUES) + ", \"meta\": "
                + pick(r, BAD_VALUES) + "}";
        break;
      case "SMQ_HEARTBEAT":
        value = r.nextInt(3) == 0 ? pick(r, BAD_VALUES)
            : "{\"seq\": " + pick(r, BAD_VALUES) + ", \"instance\": " + pick(r, new String[] {"\"i1\"", "\"i2\"", "1", "{}"})
                + ", \"rtt_us\": " + pick(r, BAD_VALUES) + "}";
        break;
      case "SMQ_REQUEST":
        value = pick(r, BAD_VALUES);
        if (r.nextInt(5) != 0) {
          extra.add("\"request\": " + pick(r, new String[] {"\"PING\"", "\"INFO\"", "\"DIRECTORY\"", "\"NOPE\"", "1", "{}",
              "[]", "null", "\"\""}));
        }
        break;
      case "SMQ_REPLY":
        value = pick(r, BAD_VALUES);
        if (r.nextInt(5) != 0) {
          extra.add("\"reply_to\": " + pick(r, new String[] {"\"r_1\"", "1", "{}", "[]", "null", "[\"a\"]", "{\"a\": 1}"}));
        }
        if (r.nextBoolean()) {
          extra.add("\"ok\": " + pick(r, new String[] {"true", "false", "\"no\"", "{}", "1"}));
        }
        if (r.nextBoolean()) {
          extra.add("\"error\": " + pick(r, BAD_VALUES));
        }
        break;
      default:
        value = pick(r, BAD_VALUES);
    }
    String flags = r.nextBoolean() ? "{\"NOREPEAT\": true}" : pick(r, new String[] {"{}", "{\"MINPRINT\": true}", "{\"NOREPEAT\": 0}"});
    String sender = r.nextInt(4) == 0 ? self : "c" + r.nextInt(20);
    String id = "c_" + r.nextInt(Integer.MAX_VALUE);
    byte[] b = body(id, self, sender, key, value, flags);
    for (String e : extra) {
      b = textInsertBeforeEnd(b, ", " + e);
    }
    return b;
  }

  /** A valid body, confirmed or not, under a key the endpoint has no listen for (or a built-in one). */
  private byte[] validOther(Random r) {
    String key = pick(r, KEYS);
    Message.Builder m = Message.builder().id("v_" + r.nextInt(Integer.MAX_VALUE)).to(self)
        .sender(r.nextBoolean() ? "fz_valid" : "v" + r.nextInt(10)).key(key.isEmpty() ? "DATA" : key)
        .value(r.nextInt(1000));
    if (r.nextBoolean()) {
      m.flag(Flags.NOREPEAT);
    }
    return MessageCodec.encode(m.build());
  }

  private byte[] oversize(Random r) {
    int extra = 1 + r.nextInt(1000);
    String pad = "x".repeat(MAX_BYTES + extra);
    return body("o_" + r.nextInt(Integer.MAX_VALUE), self, "fz_big", "DATA", "\"" + pad + "\"", "{\"NOREPEAT\": true}");
  }

  private byte[] splice(Random r) {
    byte[] a = pick(r, bodies);
    byte[] b = pick(r, bodies);
    return concat(Arrays.copyOf(a, r.nextInt(a.length)), Arrays.copyOfRange(b, r.nextInt(b.length), b.length));
  }

  private static byte[] body(String id, String to, String sender, String key, String valueJson, String flagsJson) {
    return utf8("{\"id\": \"" + id + "\", \"to\": \"" + to + "\", \"sender\": \"" + sender + "\", \"key\": \"" + key
        + "\", \"value\": " + valueJson + ", \"timestamp\": \"2026-11-21T10:15:30.123456\", \"changed\": false, "
        + "\"flags\": " + flagsJson + ", \"blosc\": false, \"ttl\": 2}");
  }

  // ---------------------------------------------------------------- the expectation

  /**
   * Whether the endpoint must count {@code frames} (as a raw DEALER sent them; {@code identity}
   * is the DEALER's) as malformed: the same envelope and body readers the endpoint uses, in its
   * order.
   */
  Expect expect(String identity, List<byte[]> frames) {
    List<byte[]> routed = new ArrayList<>(frames.size() + 1);
    routed.add(utf8(identity));
    routed.addAll(frames);
    Envelope env;
    try {
      env = Envelope.fromRouter(routed);
    } catch (MessageFormatException e) {
      return Expect.MALFORMED;
    }
    if (env.isPing() || env.body().length > MAX_BYTES) {
      return Expect.NOT_MALFORMED;
    }
    String to = env.recipient();
    if (station && !(to.equals(self) || to.equals("_" + self))) {
      return Expect.NOT_MALFORMED; // forwarded without decoding
    }
    Message m;
    try {
      m = MessageCodec.decode(env.body());
    } catch (MessageFormatException e) {
      return Expect.MALFORMED;
    }
    switch (m.key()) {
      case "SMQ_HELLO":
      case "SMQ_HEARTBEAT":
      case "SMQ_UNREACHABLE":
      case "SMQ_REQUEST":
      case "SMQ_REPLY":
        return Expect.NOT_MALFORMED;
      case "CONFIRM":
        return m.valueNode().isTextual() ? Expect.NOT_MALFORMED : Expect.MALFORMED;
      case "STREAM": {
        JsonNode inner = m.valueField("inner_key");
        JsonNode payload = m.valueField("payload");
        boolean bad = inner == null || !inner.isTextual() || inner.textValue().isEmpty() || payload == null
            || !payload.isArray();
        if (!bad) {
          return Expect.NOT_MALFORMED;
        }
        // A confirmed batch seen before is a repeat: confirmed again, not handled again.
        return m.hasFlag(Flags.NOREPEAT) ? Expect.MALFORMED : Expect.EITHER;
      }
      default:
        return Expect.NOT_MALFORMED;
    }
  }

  // ---------------------------------------------------------------- helpers

  private interface TreeEdit {
    void apply(ObjectNode t);
  }

  /** The body edited as a tree, or unchanged when it is not a JSON object. */
  private static byte[] treeEdit(byte[] body, TreeEdit edit) {
    JsonNode t;
    try {
      t = PLAIN.readTree(body);
    } catch (IOException | RuntimeException e) {
      return body;
    }
    if (!(t instanceof ObjectNode)) {
      return body;
    }
    edit.apply((ObjectNode) t);
    return utf8(t.toString());
  }

  /** {@code field} replaced by the raw JSON text {@code raw} (added when missing). */
  private static byte[] treeReplace(byte[] body, String field, String raw) {
    byte[] b = treeEdit(body, t -> t.put(field, HOLE));
    String s = new String(b, StandardCharsets.UTF_8);
    if (!s.contains(HOLE)) {
      return textInsertAfterBrace(body, "\"" + field + "\": " + raw + ", ");
    }
    return utf8(s.replace("\"" + HOLE + "\"", raw));
  }

  private static byte[] textInsertAfterBrace(byte[] body, String text) {
    if (body.length == 0 || body[0] != '{') {
      return concat(utf8("{" + text), body);
    }
    return concat(utf8("{"), utf8(text), Arrays.copyOfRange(body, 1, body.length));
  }

  private static byte[] textInsertBeforeEnd(byte[] body, String text) {
    int end = body.length - 1;
    if (end < 0 || body[end] != '}') {
      return concat(body, utf8(text));
    }
    return concat(Arrays.copyOf(body, end), utf8(text), utf8("}"));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  static byte[] concat(byte[]... parts) {
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

  /** The bytes with non-printable ones as \xNN, at most {@code max} shown. */
  static String printable(byte[] input, int max) {
    StringBuilder sb = new StringBuilder();
    int shown = Math.min(input.length, max);
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
}
