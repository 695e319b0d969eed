package io.stationmq.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads and checks the protocol's own fields ({@code id}, {@code to}, {@code sender}, {@code
 * key}, {@code timestamp}, {@code ttl}, {@code flags}) of a body {@link MessageCodec#decode}
 * has read into a tree.
 *
 * <p>Stateless and thread-safe. Every failure is a {@link MessageFormatException} naming the
 * field and what is wrong with it. Not public API.
 */
final class BodyFields {
  private BodyFields() {}

  /** The text of a required string field, which must be non-empty. */
  static String requiredText(JsonNode root, String field) {
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

  /** The {@code to} path: a non-empty string (one hop) or a non-empty list of them. */
  static List<String> readTo(JsonNode to) {
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

  /** The {@code timestamp}, or null when there is none. */
  static LocalDateTime readTimestamp(JsonNode ts) {
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

  /** The {@code ttl}, {@link Message#DEFAULT_TTL} when there is none. */
  static int readTtl(JsonNode ttl) {
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

  /** Sets on {@code b} every flag the {@code flags} object names. */
  static void readFlags(JsonNode flags, Message.Builder b) {
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

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
