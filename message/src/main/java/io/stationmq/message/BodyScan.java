package io.stationmq.message;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The scan under {@link MessageCodec}'s peeks ({@code peekHeader}, {@code peekConfirm}, {@code
 * peekFlag}): a body's top-level fields read in order with the streaming parser, building no
 * tree, for routers that look at a few fields of a body they forward untouched.
 *
 * <p>Stateless and thread-safe; never throws (a body it cannot read is reported as such). Not
 * public API.
 */
final class BodyScan {
  private BodyScan() {}

  /** One top-level field of a body for {@link #fields}: true once the scan has seen enough. */
  @FunctionalInterface
  interface Field {
    boolean field(String name, JsonToken value, JsonParser p) throws IOException;
  }

  /**
   * Reads a body's top-level fields in order with the streaming parser, building no tree, until
   * {@code scan} has seen enough or the object ends; a field's value is skipped unless the scan
   * stopped on it. False when the body is not an object or cannot be read that far.
   */
  static boolean fields(byte[] body, Field scan) {
    if (body == null || body.length == 0 || body[0] != '{') {
      return false;
    }
    try (JsonParser p = MessageCodec.FACTORY.createParser(body)) {
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
}
