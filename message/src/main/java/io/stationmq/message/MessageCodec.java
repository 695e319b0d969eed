package io.stationmq.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
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
    b.id(BodyFields.requiredText(root, "id"));
    b.path(BodyFields.readTo(root.get("to")));
    b.sender(BodyFields.requiredText(root, "sender"));
    b.key(BodyFields.requiredText(root, "key"));
    JsonNode value = root.get("value");
    b.valueTree(value == null ? NullNode.getInstance() : value);
    b.timestamp(BodyFields.readTimestamp(root.get("timestamp")));
    b.ttl(BodyFields.readTtl(root.get("ttl")));
    BodyFields.readFlags(root.get("flags"), b);
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
    boolean read = BodyScan.fields(body, (name, t, p) -> {
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
    BodyScan.fields(body, (name, t, p) -> {
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
    BodyScan.fields(body, (name, t, p) -> {
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

  /**
   * The {@code id}, {@code sender} and {@code key} of a body, read by {@link
   * #peekHeader(byte[])}; {@code key} may be null.
   */
  public record BodyHeader(String id, String sender, String key) {}

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
        NdArray array = ArrayObjectReader.read(node, path, budget);
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
    return ValueTrees.toTree(value);
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

  static String firstLine(String s) {
    if (s == null) {
      return "(no detail)";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

}
