package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bodies of the notices stationmq adds to the protocol, as typed values: each is built and
 * read here only, so its fields are named once (PROTOCOL.md lists them). They travel under keys
 * a Python peer never listens to, and are sent unconfirmed. Immutable values; stateless.
 */
final class Notices {
  private Notices() {}

  /** A notice: unconfirmed, from {@code station} to {@code recipient}. */
  private static Message notice(String noticeId, String recipient, String station, String key, Object value) {
    return Message.builder().id(noticeId).to(recipient).sender(station).key(key).value(value)
        .flag(Flags.NOREPEAT).build();
  }

  /**
   * {@code SMQ_UNREACHABLE}: a Station could not pass message {@code messageId} on to {@code
   * to}, or refused it; {@code retry} says the recipient may be back within the sender's ttl;
   * {@code crashed} (sent only when true) says the recipient itself, with a durable
   * de-duplication window, died while handling the message in an earlier run and will not handle
   * it again.
   */
  record Unreachable(String messageId, String to, String station, String reason, boolean retry, boolean crashed) {
    /** A notice that the message could not be passed on (or was refused). */
    Unreachable(String messageId, String to, String station, String reason, boolean retry) {
      this(messageId, to, station, reason, retry, false);
    }

    /** The notice for {@code recipient} (the original sender), from {@code station}. */
    Message toMessage(String noticeId, String recipient) {
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("id", messageId);
      value.put("to", to);
      value.put("station", station);
      value.put("reason", reason);
      value.put("retry", retry);
      if (crashed) {
        value.put("crashed", true);
      }
      return notice(noticeId, recipient, station, Keys.UNREACHABLE, value);
    }

    /** Reads a notice; missing fields get their defaults (a notice from an older peer). */
    static Unreachable from(Message notice) {
      JsonNode v = notice.valueNode();
      return new Unreachable(v.path("id").asText(null), v.path("to").asText("?"),
          v.path("station").asText(notice.sender()), v.path("reason").asText("no route"),
          v.path("retry").asBoolean(false), v.path("crashed").asBoolean(false));
    }
  }

  /**
   * {@code SMQ_DROPPED}: a Station dropped {@code count} unconfirmed messages from the
   * recipient of this notice (their producer) since its last such notice, the last for {@code
   * to}, because {@code reason} (a consumer that does not keep up, no route).
   */
  record Dropped(long count, String to, String station, String reason) {
    Message toMessage(String noticeId, String recipient) {
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("count", count);
      value.put("to", to);
      value.put("station", station);
      value.put("reason", reason);
      return notice(noticeId, recipient, station, Keys.DROPPED, value);
    }

    static Dropped from(Message notice) {
      JsonNode v = notice.valueNode();
      return new Dropped(Math.max(0, v.path("count").asLong(0)), v.path("to").asText("?"),
          v.path("station").asText(notice.sender()), v.path("reason").asText("dropped"));
    }
  }

  /** The {@code error} extra of a failed {@code SMQ_REPLY}: a code and a message. */
  record ReplyError(String code, String message) {
    Map<String, Object> toValue() {
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("code", code);
      value.put("message", message);
      return value;
    }

    static ReplyError from(JsonNode error) {
      return error == null ? new ReplyError("error", "")
          : new ReplyError(error.path("code").asText("error"), error.path("message").asText(""));
    }
  }
}
