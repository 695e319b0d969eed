package io.stationmq.message;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code STREAM} batch (PROTOCOL.md section 6) without a JSON tree per sample: samples are
 * written straight to the body's bytes, and read straight from them into a type.
 *
 * <p>{@link #encodeBatch} writes exactly the bytes {@link MessageCodec#encode} writes for the
 * same batch built as a tree ({@link MessageCodec#toJson} per sample), so a Python receiver sees
 * no difference. {@link #decodeDeferred} decodes a body as {@link MessageCodec#decode} does,
 * except that a {@code STREAM}'s payload list stays undecoded: the value's {@code payload} is a
 * node holding the list's raw JSON (re-encoding writes those bytes as they came), read later with
 * {@link #payloadSamples} (typed, no tree) or {@link #payloadTree}; {@link #undeferred} gives the
 * message as {@link MessageCodec#decode} would. The payload's JSON is checked on decoding (it is
 * tokenized, building nothing), so a body is rejected exactly when {@link MessageCodec#decode}
 * rejects it. A body that may hold an n-d array ({@code NUMPY_ARRAY}) is decoded whole, so its
 * arrays are checked on decoding as always.
 *
 * <p>Stateless and thread-safe. Failures: {@link IllegalArgumentException} for a sample that
 * cannot be written as JSON, {@link MessageFormatException} with a specific reason for a body
 * or sample that cannot be read.
 */
public final class StreamCodec {
  private static final byte[] STREAM_TOKEN = "\"STREAM\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** Horspool's shifts for {@link #STREAM_TOKEN}, by the byte under its last position. */
  private static final int[] STREAM_SKIP = new int[256];

  static {
    java.util.Arrays.fill(STREAM_SKIP, STREAM_TOKEN.length);
    for (int k = 0; k < STREAM_TOKEN.length - 1; k++) {
      STREAM_SKIP[STREAM_TOKEN[k] & 0xff] = STREAM_TOKEN.length - 1 - k;
    }
  }
  /** The mapper that writes samples: the codec's, with numbers as {@link MessageCodec#toJson} gives them. */
  private static final ObjectMapper SAMPLES = MessageCodec.MAPPER.copy()
      .registerModule(canonicalNumbers())
      .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
  /** Per sample type: a reader of one sample, and one of a whole list (one context per batch). */
  private static final ClassValue<ObjectReader[]> READERS = new ClassValue<>() {
    @Override
    protected ObjectReader[] computeValue(Class<?> type) {
      ObjectMapper m = MessageCodec.MAPPER;
      return new ObjectReader[] {m.readerFor(type),
          m.readerFor(m.getTypeFactory().constructCollectionType(ArrayList.class, type))};
    }
  };
  /**
   * The property names of a record or bean type (merged headers reach it only through these), none
   * for a scalar type; null for any other type (a map, a tree, a list: merged headers reach it).
   */
  private static final ClassValue<Set<String>> BEAN_PROPERTIES = new ClassValue<>() {
    @Override
    protected Set<String> computeValue(Class<?> type) {
      return beanProperties(type);
    }
  };

  private StreamCodec() {}

  /**
   * Encodes a {@code STREAM} batch: the fields of {@code envelope} (id, to, sender, key, timestamp,
   * flags, ttl, extras; its value is ignored) as {@link MessageCodec#encode} writes them, and the
   * value {@code {"inner_key": innerKey, "headers": headers, "payload": samples}}.
   *
   * @throws IllegalArgumentException if a sample or header cannot be written as JSON
   */
  public static byte[] encodeBatch(Message envelope, String innerKey, Map<String, ?> headers, List<?> samples) {
    try {
      return MessageCodec.encode(envelope, g -> {
        g.writeStartObject();
        g.writeStringField("inner_key", innerKey);
        g.writeFieldName("headers");
        SAMPLES.writeValue(g, headers);
        g.writeFieldName("payload");
        SAMPLES.writeValue(g, samples); // one call for the list: one serializer context per batch
        g.writeEndObject();
      });
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("a stream sample cannot be represented as JSON: "
          + MessageCodec.firstLine(e.getCause().getMessage()), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a stream sample cannot be represented as JSON: "
          + MessageCodec.firstLine(e.getMessage()), e);
    }
  }

  /**
   * Decodes a body as {@link MessageCodec#decode} does, but leaves the payload of a {@code STREAM}
   * (a body whose {@code key} comes before its {@code value}, as every sender writes it) as raw
   * JSON; see the class description. Any other body decodes as with {@link MessageCodec#decode}.
   *
   * @throws MessageFormatException as {@link MessageCodec#decode}
   */
  public static Message decodeDeferred(byte[] body) {
    if (body == null || body.length == 0 || body[0] != '{' || !mentionsStream(body) || MessageCodec.mayHoldArray(body)) {
      return MessageCodec.decode(body); // no STREAM, or n-d arrays checked (and packed ones unpacked) at once
    }
    int[] span = payloadSpan(body);
    if (span == null) {
      return MessageCodec.decode(body);
    }
    // The body with an empty list in place of the payload: its few fields decode as a tree.
    int start = span[0];
    int end = span[1];
    byte[] rest = new byte[body.length - (end - start) + 2];
    System.arraycopy(body, 0, rest, 0, start);
    rest[start] = '[';
    rest[start + 1] = ']';
    System.arraycopy(body, end, rest, start + 2, body.length - end);
    Message m;
    try {
      m = MessageCodec.decode(rest);
    } catch (MessageFormatException e) {
      return MessageCodec.decode(body); // it says what is wrong with the body as it came
    }
    if (!(m.rawValue() instanceof ObjectNode value) || !(value.get("payload") instanceof ArrayNode placeholder)
        || !placeholder.isEmpty()) {
      return MessageCodec.decode(body); // a repeated field: the tree decoder's rules apply
    }
    value.set("payload", new POJONode(new RawPayload(body, start, end, span[2]))); // the decoder's own tree
    return m;
  }

  /**
   * Where the payload list of a {@code STREAM} body starts and ends (exclusive) and how many
   * items it holds; null when the body is not such a STREAM (key before value, as every sender
   * writes it) or cannot be read (then a full decode says why). The payload is tokenized but
   * builds nothing.
   */
  private static int[] payloadSpan(byte[] body) {
    try (JsonParser p = MessageCodec.FACTORY.createParser(body)) {
      p.nextToken();
      boolean stream = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("key")) {
          stream = t == JsonToken.VALUE_STRING && p.getText().equals("STREAM");
        } else if (name.equals("value")) {
          if (!stream || t != JsonToken.START_OBJECT) {
            return null;
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (p.nextToken() == JsonToken.START_ARRAY && field.equals("payload")) {
              // Tokenized, not built: its JSON and its nesting are checked as a full decode checks them.
              int start = (int) p.currentTokenLocation().getByteOffset();
              int items = 0;
              while (p.nextToken() != JsonToken.END_ARRAY) {
                p.skipChildren();
                items++;
              }
              return new int[] {start, (int) p.currentLocation().getByteOffset(), items};
            }
            p.skipChildren();
          }
          return null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * False when {@code body} cannot be a {@code STREAM}: it holds no {@code "STREAM"} (a key
   * spelled with backslash-u escapes is sent to the full decode by {@link
   * MessageCodec#mayHoldArray} anyway). Most bodies are not streams; this spares them a parse.
   */
  static boolean mentionsStream(byte[] body) {
    // Horspool's search for the 8 bytes "STREAM" (quotes included): most steps skip 8 bytes.
    int n = STREAM_TOKEN.length;
    for (int i = 0, last = body.length - n; i <= last; i += STREAM_SKIP[body[i + n - 1] & 0xff]) {
      int j = n - 1;
      while (j >= 0 && body[i + j] == STREAM_TOKEN[j]) {
        j--;
      }
      if (j < 0) {
        return true;
      }
    }
    return false;
  }

  /** True when {@code payload} is a payload list left undecoded by {@link #decodeDeferred}. */
  public static boolean isDeferred(JsonNode payload) {
    return payload instanceof POJONode pojo && pojo.getPojo() instanceof RawPayload;
  }

  /**
   * {@code m} itself, or, when its payload was left undecoded by {@link #decodeDeferred}, a copy
   * with the payload read into a tree (for handing the message to code that reads it whole); {@code
   * m} itself too when that payload does not read. Never throws.
   */
  public static Message undeferred(Message m) {
    JsonNode value = m.rawValue();
    JsonNode payload = value.get("payload");
    if (!isDeferred(payload)) {
      return m;
    }
    ObjectNode copy = ((ObjectNode) value).deepCopy();
    try {
      copy.set("payload", payloadTree(payload));
    } catch (MessageFormatException e) {
      return m;
    }
    return m.newBuilder().valueTree(copy).build();
  }

  /**
   * How many items a payload holds: a deferred one (see {@link #decodeDeferred}) or a list; 0 for
   * anything else.
   */
  public static int payloadSize(JsonNode payload) {
    if (isDeferred(payload)) {
      return ((RawPayload) ((POJONode) payload).getPojo()).items;
    }
    return payload != null && payload.isArray() ? payload.size() : 0;
  }

  /**
   * A payload (deferred or a list) as a list tree of its own, arrays checked (a blosc-packed one
   * unpacked) as {@link MessageCodec#decode} checks them.
   *
   * @throws MessageFormatException if it holds an invalid array
   * @throws IllegalArgumentException if {@code payload} is neither deferred nor a list
   */
  public static ArrayNode payloadTree(JsonNode payload) {
    ArrayNode tree;
    if (isDeferred(payload)) {
      RawPayload raw = (RawPayload) ((POJONode) payload).getPojo();
      try {
        tree = (ArrayNode) MessageCodec.MAPPER.readTree(raw.body, raw.start, raw.end - raw.start);
      } catch (IOException e) {
        throw new MessageFormatException("payload is not valid JSON: " + MessageCodec.firstLine(e.getMessage()), e);
      }
      MessageCodec.checkArrays(tree, "payload", new PackedArray.Budget(MessageCodec.MAX_UNPACKED_ARRAY_BYTES));
      return tree;
    }
    if (payload == null || !payload.isArray()) {
      throw new IllegalArgumentException("not a payload list");
    }
    return (ArrayNode) payload.deepCopy();
  }

  /**
   * A payload's items converted to {@code type}, in order, with {@code merged} (may be null) set
   * on every object item first, as a Station merges a batch's headers. A deferred payload of a
   * record or bean type that has no property named by a merged field is read straight from its
   * bytes (no tree); anything else goes through a tree per item.
   *
   * @throws MessageFormatException naming the item when one does not convert
   */
  public static <T> List<T> payloadSamples(JsonNode payload, ObjectNode merged, Class<T> type) {
    boolean mergeMatters = merged != null && !merged.isEmpty() && !ignoresAll(type, merged);
    if (isDeferred(payload) && !mergeMatters) {
      return readSamples((RawPayload) ((POJONode) payload).getPojo(), type);
    }
    ArrayNode items = isDeferred(payload) ? payloadTree(payload) : (ArrayNode) payload;
    List<T> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      if (merged != null && item.isObject()) {
        item = ((ObjectNode) item.deepCopy()).setAll(merged);
      }
      out.add(MessageCodec.convert(item, type, "payload[" + i + "]"));
    }
    return out;
  }

  /**
   * The samples of a {@code STREAM} body converted to {@code type}, read straight from its bytes
   * (what a receiver that wants typed samples does).
   *
   * @throws MessageFormatException if the body is not a valid STREAM or a sample does not convert
   */
  public static <T> List<T> decodeSamples(byte[] body, Class<T> type) {
    Message m = decodeDeferred(body);
    JsonNode payload = m.rawValue().get("payload");
    if (!m.key().equals("STREAM") || payload == null || !(isDeferred(payload) || payload.isArray())) {
      throw new MessageFormatException("not a STREAM body with a payload list: message " + m.id());
    }
    return payloadSamples(payload, null, type);
  }

  private static <T> List<T> readSamples(RawPayload raw, Class<T> type) {
    ObjectReader[] readers = READERS.get(type);
    try {
      return readers[1].readValue(raw.body, raw.start, raw.end - raw.start);
    } catch (IOException | RuntimeException e) {
      // Read again one by one, to name the sample that does not convert.
      int i = 0;
      try (JsonParser p = MessageCodec.FACTORY.createParser(raw.body, raw.start, raw.end - raw.start)) {
        p.nextToken(); // the list's START_ARRAY
        for (; p.nextToken() != JsonToken.END_ARRAY; i++) {
          readers[0].readValue(p);
        }
      } catch (IOException | RuntimeException one) {
        throw MessageCodec.conversionFailure("payload[" + i + "]", type.getTypeName(), one);
      }
      throw MessageCodec.conversionFailure("payload", "a list of " + type.getTypeName(), e);
    }
  }

  /** True when {@code type} is a record or bean none of whose properties is named by a field of {@code merged}. */
  private static boolean ignoresAll(Class<?> type, ObjectNode merged) {
    Set<String> properties = BEAN_PROPERTIES.get(type);
    if (properties == null) {
      return false;
    }
    for (var it = merged.fieldNames(); it.hasNext(); ) {
      if (properties.contains(it.next())) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> beanProperties(Class<?> type) {
    if (type.isPrimitive() || Number.class.isAssignableFrom(type) || type == String.class || type == Boolean.class) {
      return Set.of(); // an object item converts to none of these, merged or not
    }
    if (type.isArray() || type.isEnum() || type.isInterface()
        || type.getName().startsWith("java.") || JsonNode.class.isAssignableFrom(type) || type == NdArray.class) {
      return null;
    }
    JavaType javaType = MessageCodec.MAPPER.constructType(type);
    if (javaType.isContainerType()) {
      return null;
    }
    BeanDescription bean = MessageCodec.MAPPER.getDeserializationConfig().introspect(javaType);
    if (bean.findAnySetterAccessor() != null || bean.findJsonValueAccessor() != null) {
      return null;
    }
    Set<String> names = new HashSet<>();
    for (BeanPropertyDefinition p : bean.findProperties()) {
      names.add(p.getName());
    }
    return names;
  }

  /** Float and BigDecimal written as the double {@link MessageCodec#toJson} turns them into. */
  private static SimpleModule canonicalNumbers() {
    SimpleModule module = new SimpleModule("stationmq-stream-numbers");
    StdSerializer<Float> floats = new StdSerializer<>(Float.class) {
      @Override
      public void serialize(Float f, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeNumber(Double.parseDouble(Float.toString(f)));
      }
    };
    module.addSerializer(Float.class, floats);
    module.addSerializer(float.class, floats);
    module.addSerializer(BigDecimal.class, new StdSerializer<>(BigDecimal.class) {
      @Override
      public void serialize(BigDecimal d, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeNumber(d.doubleValue());
      }
    });
    return module;
  }

  /** A payload list's bytes inside a body; written back verbatim when the message is re-encoded. */
  private static final class RawPayload implements JsonSerializable {
    final byte[] body;
    final int start;
    final int end;
    final int items;

    RawPayload(byte[] body, int start, int end, int items) {
      this.body = body;
      this.start = start;
      this.end = end;
      this.items = items;
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeRawValue(new String(body, start, end - start, StandardCharsets.UTF_8));
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
        throws IOException {
      serialize(g, provider);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RawPayload r && Arrays.equals(body, start, end, r.body, r.start, r.end);
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (int i = start; i < end; i++) {
        h = 31 * h + body[i];
      }
      return h;
    }

    @Override
    public String toString() {
      return "<payload: " + items + " items>";
    }
  }
}
