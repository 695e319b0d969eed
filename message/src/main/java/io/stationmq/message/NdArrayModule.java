package io.stationmq.message;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Jackson support for {@link NdArray}, so arrays can sit inside POJOs, records and maps used as
 * message values. An array is written as its wire object ({@code NUMPY_ARRAY}, {@code DTYPE},
 * {@code SHAPE}, in that order) and read with {@link NdArray#fromJson}; a {@link
 * MessageFormatException} from decoding is wrapped in a {@link JsonMappingException} whose cause
 * it is.
 *
 * <p>Register it once on the shared mapper: {@code mapper.registerModule(new NdArrayModule())}.
 * The module and its (de)serializers are stateless and thread-safe.
 */
final class NdArrayModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  /** Creates the module with the NdArray serializer and deserializer. */
  NdArrayModule() {
    super("NdArrayModule");
    addSerializer(NdArray.class, new NdArraySerializer());
    addDeserializer(NdArray.class, new NdArrayDeserializer());
  }

  /** Writes an {@link NdArray} as its three-key wire object. */
  private static final class NdArraySerializer extends StdSerializer<NdArray> {
    private static final long serialVersionUID = 1L;

    NdArraySerializer() {
      super(NdArray.class);
    }

    @Override
    public void serialize(NdArray value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject(value);
      gen.writeStringField(NdArray.KEY_DATA, value.base64());
      gen.writeStringField(NdArray.KEY_DTYPE, value.dtype().numpyName());
      int[] shape = value.shape();
      gen.writeFieldName(NdArray.KEY_SHAPE);
      gen.writeArray(shape, 0, shape.length);
      gen.writeEndObject();
    }
  }

  /** Reads an {@link NdArray} from its wire object, validating it with {@link NdArray#fromJson}. */
  private static final class NdArrayDeserializer extends StdDeserializer<NdArray> {
    private static final long serialVersionUID = 1L;

    NdArrayDeserializer() {
      super(NdArray.class);
    }

    @Override
    public NdArray deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String fieldPath = fieldPath(p);
      JsonNode node = ctxt.readTree(p);
      try {
        return NdArray.fromJson(node, fieldPath);
      } catch (MessageFormatException e) {
        throw JsonMappingException.from(p, e.getMessage(), e);
      }
    }
  }

  /**
   * The dotted path of the value the parser is at, for example {@code "frames[2].data"}, or
   * {@code "<root>"} for a top-level value.
   */
  static String fieldPath(JsonParser p) {
    JsonStreamContext context = p.getParsingContext();
    if (p.hasToken(JsonToken.START_OBJECT) || p.hasToken(JsonToken.START_ARRAY)) {
      // The parser has already entered the container; its name is held by the enclosing context.
      context = context.getParent();
    }
    StringBuilder path = new StringBuilder();
    for (; context != null && !context.inRoot(); context = context.getParent()) {
      if (context.inArray()) {
        path.insert(0, "[" + context.getCurrentIndex() + "]");
      } else if (context.getCurrentName() != null) {
        String separator = path.length() == 0 || path.charAt(0) == '[' ? "" : ".";
        path.insert(0, context.getCurrentName() + separator);
      }
    }
    return path.length() == 0 ? "<root>" : path.toString();
  }
}
