package io.stationmq.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.OutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link Message} into the JSON wire body and back (PROTOCOL.md section 1).
 *
 * <p>Encoding writes exactly what the Python toolkit writes: fields in its order ({@code id,
 * to, sender, key, value, timestamp, changed, flags, blosc, ttl}, then extra fields), its
 * separators ({@code ", "} and {@code ": "}), non-ASCII escaped, NaN and Infinity as bare
 * tokens (Python's {@code json} reads and writes them), flags as {@code {"NAME": true}}.
 * {@code changed} and {@code blosc} are written as {@code false} unless the message carries
 * them as extra fields; on decoding, a {@code false} there is the default and not kept.
 *
 * <p>Decoding accepts any valid body, keeps unknown fields, unwraps a one-element {@code to}
 * list, checks every {@code NUMPY_ARRAY} object and unpacks blosc-packed ones. Every failure is a {@link
 * MessageFormatException} with a specific reason. Bodies nested deeper than {@value
 * #MAX_NESTING_DEPTH} levels are rejected.
 *
 * <p>Stateless and thread-safe.
 */
public final class MessageCodec {
  /** Deepest JSON nesting a body may have. */
  public static final int MAX_NESTING_DEPTH = 256;

  /**
   * Most bytes the blosc-packed arrays of one body may unpack to, together (64 MiB, the default
   * largest body an endpoint accepts): a body whose packed arrays declare more is rejected before
   * they are unpacked.
   */
  public static final long MAX_UNPACKED_ARRAY_BYTES = 64L << 20;

  private static final Set<String> PROTOCOL_FIELDS =
      Set.of("id", "to", "sender", "key", "value", "timestamp", "ttl", "flags");
  private static final byte[] ARRAY_MARKER = "NUMPY_ARRAY".getBytes(StandardCharsets.US_ASCII);

  static final ObjectMapper MAPPER = newMapper();
  static final JsonFactory FACTORY = MAPPER.getFactory();
  private static final PrettyPrinter PYTHON_SEPARATORS = new PythonSeparators();

  private MessageCodec() {}

  private static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER) // exact, as Double.parseDouble, without its garbage
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();
    return JsonMapper.builder(factory)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .addModule(new NdArrayModule())
        .build();
  }

  /** True for the names of the protocol's own body fields. */
  static boolean isProtocolField(String name) {
    return PROTOCOL_FIELDS.contains(name);
  }

  /**
   * Encodes a message to its wire body.
   *
   * @throws IllegalArgumentException never for a built message (kept for symmetry)
   */
  public static byte[] encode(Message m) {
    return encode(m, g -> g.writeTree(m.rawValue()));
  }

  /** Writes a message's value into the generator (see {@link #encode(Message, ValueWriter)}). */
  @FunctionalInterface
  interface ValueWriter {
    void write(JsonGenerator g) throws IOException;
  }

  /**
   * Encodes {@code m} as {@link #encode(Message)} does, with its value written by {@code value}
   * instead of from its tree (the stream codec writes samples straight to bytes).
   */
  static byte[] encode(Message m, ValueWriter value) {
    BodyOutput out = new BodyOutput();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setPrettyPrinter(PYTHON_SEPARATORS);
      g.writeStartObject();
      g.writeStringField("id", m.id());
      g.writeFieldName("to");
      List<String> path = m.path();
      if (path.size() == 1) {
        g.writeString(path.get(0));
      } else {
        g.writeStartArray();
        for (String hop : path) {
          g.writeString(hop);
        }
        g.writeEndArray();
      }
      g.writeStringField("sender", m.sender());
      g.writeStringField("key", m.key());
      g.writeFieldName("value");
      value.write(g);
      if (m.timestamp().isPresent()) {
        g.writeStringField("timestamp", Timestamps.format(m.timestamp().get()));
      }
      Map<String, JsonNode> extras = m.rawExtras();
      writeDefaulted(g, "changed", extras);
      g.writeFieldName("flags");
      g.writeStartObject();
      for (String flag : m.flags()) {
        g.writeBooleanField(flag, true);
      }
      g.writeEndObject();
      writeDefaulted(g, "blosc", extras);
      g.writeNumberField("ttl", m.ttl());
      for (Map.Entry<String, JsonNode> e : extras.entrySet()) {
        if (!e.getKey().equals("changed") && !e.getKey().equals("blosc")) {
          g.writeFieldName(e.getKey());
          g.writeTree(e.getValue());
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding to memory failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Encodes a {@code CONFIRM} of message {@code confirmedId} (unconfirmed, ttl 2, no extras):
   * the same bytes as {@link #encode} of that message, written by hand when every string is
   * plain ASCII, for the hot path of confirmed delivery.
   *
   * @throws IllegalArgumentException when a field is invalid (as the message builder would)
   */
  public static byte[] encodeConfirm(String id, String to, String sender, String confirmedId, LocalDateTime timestamp) {
    byte[] plain = PlainBodies.confirm(id, to, sender, confirmedId, Timestamps.format(timestamp));
    return plain != null ? plain : encode(Message.builder().id(id).to(to).sender(sender).key("CONFIRM")
        .value(confirmedId).timestamp(timestamp).flag(Flags.NOREPEAT).build());
  }

  private static void writeDefaulted(JsonGenerator g, String name, Map<String, JsonNode> extras)
      throws IOException {
    g.writeFieldName(name);
    JsonNode v = extras.get(name);
    if (v == null) {
      g.writeBoolean(false);
    } else {
      g.writeTree(v);
    }
  }

  /**
   * Decodes a wire body.
   *
   * <p>An array the sender packed with blosc is unpacked (see {@link NdArray#fromJson}), and the
   * message holds its raw bytes: it re-encodes uncompressed. The packed arrays of one body may
   * unpack to at most {@link #MAX_UNPACKED_ARRAY_BYTES} together.
   *
   * @throws MessageFormatException with a specific reason when the body is not valid UTF-8
   *     JSON, not an object, lacks a required field, has a field of the wrong type, or holds
   *     an invalid array or a packed one that cannot be unpacked
   */
  public static Message decode(byte[] body) {
    if (body == null || body.length == 0) {
      throw new MessageFormatException("empty body");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw new MessageFormatException("body is not valid JSON: " + firstLine(e.getMessage()), e);
    }
    if (root == null || !root.isObject()) {
      throw new MessageFormatException(
          "body is not a JSON object (got " + (root == null ? "nothing" : root.getNodeType()) + ")");
    }
    return fromTree(body, root);
  }

  /** Builds and checks the message of a body already read into {@code root}, an object. */
  static Message fromTree(byte[] body, JsonNode root) {
    Message.Builder b = Message.builder();
    b.id(requiredText(root, "id"));
    b.path(readTo(root.get("to")));
    b.sender(requiredText(root, "sender"));
    b.key(requiredText(root, "key"));
    JsonNode value = root.get("value");
    b.valueTree(value == null ? NullNode.getInstance() : value);
    b.timestamp(readTimestamp(root.get("timestamp")));
    b.ttl(readTtl(root.get("ttl")));
    readFlags(root.get("flags"), b);
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String name = e.getKey();
      if (PROTOCOL_FIELDS.contains(name)) {
        continue;
      }
      if ((name.equals("changed") || name.equals("blosc")) && e.getValue().isBoolean() && !e.getValue().booleanValue()) {
        continue;
      }
      b.extraTree(name, e.getValue());
    }
    Message message;
    try {
      message = b.build();
    } catch (IllegalArgumentException e) {
      throw new MessageFormatException(e.getMessage(), e);
    }
    // Only bodies that mention an array (possibly with an escaped key) need the walk.
    if (mayHoldArray(body)) {
      PackedArray.Budget budget = new PackedArray.Budget(MAX_UNPACKED_ARRAY_BYTES);
      checkArrays(message.rawValue(), "value", budget);
      for (Map.Entry<String, JsonNode> e : message.rawExtras().entrySet()) {
        checkArrays(e.getValue(), e.getKey(), budget);
      }
    }
    return message;
  }

  /**
   * Reads the {@code id}, {@code sender} and {@code key} of a body without decoding the rest,
   * for routers that forward bodies untouched (the Python field order puts them first, so
   * this reads a few tokens). Returns null when the body is not a message object or lacks a
   * non-empty {@code id} or {@code sender}; {@code key} may be null. Never throws.
   */
  public static BodyHeader peekHeader(byte[] body) {
    String[] f = new String[3]; // id, sender, key
    boolean read = scanFields(body, (name, t, p) -> {
      if (t == JsonToken.VALUE_STRING) {
        switch (name) {
          case "id" -> f[0] = p.getText();
          case "sender" -> f[1] = p.getText();
          case "key" -> f[2] = p.getText();
          default -> { }
        }
      }
      return f[0] != null && f[1] != null && f[2] != null;
    });
    // An empty id or sender is no message's (decode rejects them); an empty key is no key.
    return !read || f[0] == null || f[0].isEmpty() || f[1] == null || f[1].isEmpty()
        ? null : new BodyHeader(f[0], f[1], f[2] == null || f[2].isEmpty() ? null : f[2]);
  }

  /**
   * The confirmed message's id when a body is a {@code CONFIRM} (key {@code CONFIRM}, a string
   * value, a non-empty {@code id} and {@code sender}), else null; reads the few fields a
   * confirmation has without building a tree, for the hot path of confirmed delivery. Never
   * throws: anything else is left to {@link #decode}.
   */
  public static String peekConfirm(byte[] body) {
    String plain = PlainBodies.peekConfirm(body); // the layout every endpoint writes, read by hand
    return plain != PlainBodies.OTHER_LAYOUT ? plain : peekConfirmScanning(body);
  }

  /** {@link #peekConfirm} by a scan of the body's fields, for any layout. */
  static String peekConfirmScanning(byte[] body) {
    String[] value = new String[1];
    boolean[] seen = new boolean[4]; // id, sender, key CONFIRM, not a confirmation
    scanFields(body, (name, t, p) -> {
      if (t == JsonToken.VALUE_STRING) {
        switch (name) {
          case "id" -> seen[0] = !p.getText().isEmpty();
          case "sender" -> seen[1] = !p.getText().isEmpty();
          case "key" -> {
            seen[2] = p.getText().equals("CONFIRM");
            seen[3] = !seen[2];
          }
          case "value" -> value[0] = p.getText();
          default -> { }
        }
      } else if (name.equals("key") || name.equals("value")) {
        seen[3] = true;
      }
      return seen[3] || (seen[0] && seen[1] && seen[2] && value[0] != null);
    });
    return !seen[3] && seen[0] && seen[1] && seen[2] ? value[0] : null;
  }

  /**
   * True when a body's top-level {@code flags} object holds {@code flag} as {@code true},
   * read without decoding the rest (for a router deciding what a dropped body was). False for
   * anything that is not a message object. Never throws.
   */
  public static boolean peekFlag(byte[] body, String flag) {
    boolean[] set = new boolean[1];
    scanFields(body, (name, t, p) -> {
      if (t != JsonToken.START_OBJECT || !name.equals("flags")) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        if (p.nextToken() == JsonToken.VALUE_TRUE && f.equals(flag)) {
          set[0] = true;
          break;
        }
        p.skipChildren();
      }
      return true;
    });
    return set[0];
  }

  /** One top-level field of a body for {@link #scanFields}: true once the scan has seen enough. */
  @FunctionalInterface
  private interface FieldScan {
    boolean field(String name, JsonToken value, JsonParser p) throws IOException;
  }

  /**
   * Reads a body's top-level fields in order with the streaming parser, building no tree, until
   * {@code scan} has seen enough or the object ends; a field's value is skipped unless the scan
   * stopped on it. False when the body is not an object or cannot be read that far.
   */
  private static boolean scanFields(byte[] body, FieldScan scan) {
    if (body == null || body.length == 0 || body[0] != '{') {
      return false;
    }
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (scan.field(name, t, p)) {
          return true;
        }
        p.skipChildren();
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The {@code id}, {@code sender} and {@code key} of a body, read by {@link
   * #peekHeader(byte[])}; {@code key} may be null.
   */
  public record BodyHeader(String id, String sender, String key) {}

  private static String requiredText(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new MessageFormatException("missing required field '" + field + "'");
    }
    if (!n.isTextual()) {
      throw new MessageFormatException("field '" + field + "' must be a string, got " + n.getNodeType());
    }
    if (n.textValue().isEmpty()) {
      throw new MessageFormatException("field '" + field + "' must be non-empty");
    }
    return n.textValue();
  }

  private static List<String> readTo(JsonNode to) {
    if (to == null || to.isNull()) {
      throw new MessageFormatException("missing required field 'to'");
    }
    if (to.isTextual()) {
      if (to.textValue().isEmpty()) {
        throw new MessageFormatException("field 'to' must be non-empty");
      }
      return List.of(to.textValue());
    }
    if (!to.isArray()) {
      throw new MessageFormatException("field 'to' must be a string or a list of strings, got " + to.getNodeType());
    }
    if (to.isEmpty()) {
      throw new MessageFormatException("field 'to' is an empty list");
    }
    List<String> path = new ArrayList<>(to.size());
    for (JsonNode hop : to) {
      if (!hop.isTextual() || hop.textValue().isEmpty()) {
        throw new MessageFormatException("field 'to' must hold only non-empty strings, got " + hop.getNodeType());
      }
      path.add(hop.textValue());
    }
    return path;
  }

  private static LocalDateTime readTimestamp(JsonNode ts) {
    if (ts == null || ts.isNull()) {
      return null;
    }
    if (!ts.isTextual()) {
      throw new MessageFormatException("field 'timestamp' must be a string, got " + ts.getNodeType());
    }
    try {
      return Timestamps.parse(ts.textValue());
    } catch (MessageFormatException e) {
      throw new MessageFormatException("field 'timestamp': " + e.getMessage(), e);
    }
  }

  private static int readTtl(JsonNode ttl) {
    if (ttl == null || ttl.isNull()) {
      return Message.DEFAULT_TTL;
    }
    if (!ttl.isIntegralNumber()) {
      throw new MessageFormatException("field 'ttl' must be an integer, got " + ttl.getNodeType() + " " + abbreviate(ttl));
    }
    if (!ttl.canConvertToInt() || ttl.intValue() < 0) {
      throw new MessageFormatException("field 'ttl' must be an integer from 0 to " + Integer.MAX_VALUE + ", got " + abbreviate(ttl));
    }
    return ttl.intValue();
  }

  private static void readFlags(JsonNode flags, Message.Builder b) {
    if (flags == null || flags.isNull()) {
      return;
    }
    if (!flags.isObject()) {
      throw new MessageFormatException("field 'flags' must be an object, got " + flags.getNodeType());
    }
    Iterator<String> names = flags.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (name.isEmpty()) {
        throw new MessageFormatException("field 'flags' has an empty flag name");
      }
      b.flag(name);
    }
  }

  /**
   * Validates every array object under {@code node}, and replaces the data of a blosc-packed one
   * by its raw bytes (the tree is the decoder's own, not yet shared), so the message holds and
   * re-encodes uncompressed arrays and reading one does not unpack it again.
   */
  static void checkArrays(JsonNode node, String path, PackedArray.Budget budget) {
    if (node == null) {
      return;
    }
    if (node.isObject()) {
      if (NdArray.isArrayObject(node)) {
        int unpacked = budget.unpacked();
        NdArray array = NdArray.fromJson(node, path, budget);
        if (budget.unpacked() != unpacked) {
          ((ObjectNode) node).put(NdArray.KEY_DATA, array.base64());
        }
        return;
      }
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        checkArrays(e.getValue(), path + "." + e.getKey(), budget);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkArrays(node.get(i), path + "[" + i + "]", budget);
      }
    }
  }

  /**
   * Converts any Java value (POJO, record, map, list, {@link NdArray}, a Jackson tree, which is
   * copied) to the JSON tree a message would carry; null becomes JSON null.
   *
   * @throws IllegalArgumentException if the value cannot be represented as JSON
   */
  public static JsonNode toJson(Object value) {
    return toTree(value);
  }

  /** Converts any Java value (or a Jackson tree, copied) to a tree; null becomes JSON null. */
  static JsonNode toTree(Object value) {
    if (value == null) {
      return NullNode.getInstance();
    }
    if (value instanceof JsonNode) {
      return ((JsonNode) value).deepCopy();
    }
    // The common scalars directly: every CONFIRM's value is a string, and Jackson's
    // valueToTree costs a type lookup and a buffer per call.
    if (value instanceof String s) {
      return TextNode.valueOf(s);
    }
    if (value instanceof Integer i) {
      return IntNode.valueOf(i);
    }
    if (value instanceof Boolean b) {
      return BooleanNode.valueOf(b);
    }
    try {
      JsonNode tree = MAPPER.valueToTree(value);
      return tree == null ? NullNode.getInstance() : canonicalNumbers(tree);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "value of type " + value.getClass().getName() + " cannot be represented as JSON: " + firstLine(e.getMessage()), e);
    }
  }

  /**
   * Gives numbers the node types decoding would give them (int when it fits, else long, else
   * big integer; every fraction a double), so a built message equals its decoded copy.
   */
  private static JsonNode canonicalNumbers(JsonNode node) {
    if (node.isNumber()) {
      if (node.isIntegralNumber()) {
        if (node.canConvertToInt()) {
          return node.isInt() ? node : IntNode.valueOf(node.intValue());
        }
        if (node.canConvertToLong()) {
          return node.isLong() ? node : LongNode.valueOf(node.longValue());
        }
        return node.isBigInteger() ? node : BigIntegerNode.valueOf(node.bigIntegerValue());
      }
      if (node.isDouble()) {
        return node;
      }
      // A float is written by its shortest text (1.1f as 1.1), which reads back as that double.
      return DoubleNode.valueOf(node.isFloat() ? Double.parseDouble(Float.toString(node.floatValue())) : node.doubleValue());
    }
    if (node.isObject()) {
      ObjectNode obj = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode c = canonicalNumbers(e.getValue());
        if (c != e.getValue()) {
          e.setValue(c);
        }
      }
    } else if (node.isArray()) {
      ArrayNode arr = (ArrayNode) node;
      for (int i = 0; i < arr.size(); i++) {
        JsonNode c = canonicalNumbers(arr.get(i));
        if (c != arr.get(i)) {
          arr.set(i, c);
        }
      }
    }
    return node;
  }

  /**
   * Converts a JSON tree to {@code type} with the codec's settings (unknown properties
   * ignored, {@link NdArray} supported). Never hands back {@code node} itself: converted to a
   * Jackson tree type, the result is a copy.
   *
   * @throws MessageFormatException if it does not convert
   */
  public static <T> T convert(JsonNode node, Class<T> type) {
    return convert(node, type, "value");
  }

  static <T> T convert(JsonNode node, Class<T> type, String field) {
    try {
      return notShared(node, MAPPER.treeToValue(node, type));
    } catch (IOException | RuntimeException e) {
      throw conversionFailure(field, type.getTypeName(), e);
    }
  }

  static <T> T convert(JsonNode node, TypeReference<T> type, String field) {
    try {
      return notShared(node, MAPPER.<T>treeToValue(node, MAPPER.constructType(type)));
    } catch (IOException | RuntimeException e) {
      throw conversionFailure(field, type.getType().getTypeName(), e);
    }
  }

  /**
   * Jackson returns the tree itself when asked for a type the tree already is ({@code
   * JsonNode}, {@code ObjectNode}, ...); a message's trees must not escape that way.
   */
  @SuppressWarnings("unchecked")
  private static <T> T notShared(JsonNode node, T converted) {
    return converted == node ? (T) node.deepCopy() : converted;
  }

  static MessageFormatException conversionFailure(String field, String type, Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof MessageFormatException)) {
      cause = cause.getCause();
    }
    if (cause instanceof MessageFormatException) {
      return (MessageFormatException) cause;
    }
    return new MessageFormatException("field '" + field + "' does not convert to " + type + ": " + firstLine(e.getMessage()), e);
  }

  /**
   * True when the body mentions {@code NUMPY_ARRAY} or holds a {@code \\u} escape (which could
   * spell it): one pass over the bytes, looking closer only at an 'N' or a backslash.
   */
  static boolean mayHoldArray(byte[] body) {
    byte[] marker = ARRAY_MARKER;
    for (int i = 0, last = body.length - 1; i < last; i++) {
      byte b = body[i];
      if (b == '\\') {
        if (body[i + 1] == 'u') {
          return true;
        }
        i++; // an escaped character is not the start of anything
      } else if (b == 'N' && i + marker.length <= body.length) {
        int j = 1;
        while (j < marker.length && body[i + j] == marker[j]) {
          j++;
        }
        if (j == marker.length) {
          return true;
        }
      }
    }
    return false;
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  static String firstLine(String s) {
    if (s == null) {
      return "(no detail)";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  /**
   * Collects what the generator flushes: a body shorter than the generator's buffer (8,000 bytes)
   * comes in one write and costs one array of its exact size, no growing and no final copy.
   */
  private static final class BodyOutput extends OutputStream {
    private byte[] bytes = new byte[0];
    private int size;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (size + len > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(size + len, 2 * bytes.length));
      }
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }

    byte[] toByteArray() {
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }

  /** Python's default {@code json.dumps} separators: {@code ", "} and {@code ": "}, one line. */
  private static final class PythonSeparators implements PrettyPrinter {
    @Override
    public void writeRootValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(' ');
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
      g.writeRaw('{');
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
      g.writeRaw('}');
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
      g.writeRaw('[');
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
      g.writeRaw(']');
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) {}

    @Override
    public void beforeObjectEntries(JsonGenerator g) {}
  }
}
