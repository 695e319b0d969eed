package io.stationmq.message;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import java.io.IOException;

/**
 * Python's default {@code json.dumps} separators: {@code ", "} and {@code ": "}, one line; the
 * layout {@link MessageCodec#encode} writes bodies in.
 *
 * <p>Stateless and thread-safe: one instance serves every generator. Not public API.
 */
final class PythonSeparators implements PrettyPrinter {
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
