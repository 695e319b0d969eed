package io.stationmq.bench;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageIds;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The message every scenario sends, and the bodies the raw JeroMQ sides build with the same
 * work stationmq does per message: a {@link Message} with a fresh id and timestamp, its value
 * converted from a map, encoded by {@link MessageCodec}.
 */
final class Payload {
  /** The key of the measured messages. */
  static final String KEY = "DATA";

  /**
   * The reply key of the latency scenario: a plain application key, distinct from the keys the
   * engine handles itself (CONFIRM, STREAM, KILL, SMQ_..., and for a while REPLY).
   */
  static final String REPLY = "TRIAL_ECHO";

  /** A trial's data, as a rig sends it after each trial. */
  static final Map<String, Object> VALUE = trial();

  private Payload() {}

  private static Map<String, Object> trial() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trial_num", 3);
    m.put("correct", true);
    m.put("rt", 0.4213);
    return Collections.unmodifiableMap(m);
  }

  /** UTF-8 bytes of an id, as ZeroMQ frames carry it. */
  static byte[] frame(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The body of a message as an endpoint makes it: fresh id, now as timestamp, {@code
   * NOREPEAT} when unconfirmed (stationmq's {@code send} adds it too).
   */
  static byte[] body(MessageIds ids, String sender, String to, String key, boolean unconfirmed) {
    Message.Builder b = Message.builder().id(ids.next()).sender(sender).to(to).key(key).value(VALUE);
    if (unconfirmed) {
      b.flag(Flags.NOREPEAT);
    }
    return MessageCodec.encode(b.build());
  }

  /** The body of a CONFIRM of {@code m}, as a stationmq receiver makes it. */
  static byte[] confirmOf(Message m, MessageIds ids, String sender) {
    Message c = Message.builder().id(ids.next()).to(m.sender()).sender(sender).key("CONFIRM")
        .value(m.id()).flag(Flags.NOREPEAT).build();
    return MessageCodec.encode(c);
  }
}
