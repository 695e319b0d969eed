package io.stationmq.bridge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns one datagram's or frame's payload into the value a bridge forwards (any JSON value:
 * a {@code JsonNode}, map, list, string, number). Called on the bridge's serving thread only;
 * implementations need not be thread-safe if each bridge has its own. Throw {@link
 * MalformedInputException} for a payload that cannot be read: it is counted, not forwarded.
 */
@FunctionalInterface
public interface PayloadDecoder {
  /** The value of {@code payload}; the array is the decoder's to keep. */
  Object decode(byte[] payload);

  /**
   * The default: the payload as JSON if it is a whole UTF-8 JSON document, else {@code
   * {"base64": "..."}} (its bytes in base64). Never malformed.
   */
  static PayloadDecoder jsonOrBase64() {
    PayloadDecoder json = json();
    return payload -> {
      try {
        return json.decode(payload);
      } catch (MalformedInputException e) {
        return base64(payload);
      }
    };
  }

  /** The payload as a UTF-8 JSON document; anything else is malformed. */
  static PayloadDecoder json() {
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return payload -> {
      try {
        JsonNode node = mapper.readTree(payload);
        if (node == null || node.isMissingNode()) {
          throw new MalformedInputException("empty payload, not JSON");
        }
        return node;
      } catch (IOException e) {
        throw new MalformedInputException("payload of " + payload.length + " bytes is not JSON: "
            + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
      }
    };
  }

  /** The payload's bytes, as {@code {"base64": "..."}}. Never malformed. */
  static PayloadDecoder bytes() {
    return PayloadDecoder::base64;
  }

  private static Map<String, Object> base64(byte[] payload) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("base64", Base64.getEncoder().encodeToString(payload));
    return m;
  }
}
