package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The liveness vocabulary on the wire: the keys stationmq adds for HELLO and heartbeats (a
 * Python peer sends none of them and ignores them), their bodies as typed values ({@link Hello},
 * {@link HelloReply}, {@link Heartbeat}, {@link HeartbeatAck}: each field named here only, in the
 * order it is written), and how a liveness notice is built. A body from an older or newer peer
 * reads with defaults for what it lacks and ignores what it adds. Immutable values; stateless.
 * Not public API.
 */
final class LivenessProtocol {
  static final int PROTOCOL = 1;
  static final String SOFTWARE = "stationmq 0.1.0";
  static final String HELLO = "SMQ_HELLO";
  static final String HELLO_REPLY = "SMQ_HELLO_REPLY";
  static final String HEARTBEAT = "SMQ_HEARTBEAT";
  static final String HEARTBEAT_ACK = "SMQ_HEARTBEAT_ACK";

  private LivenessProtocol() {}

  /** True for HELLO and heartbeats: they are for the endpoint a peer connects to, never passed on. */
  static boolean isHopByHop(String key) {
    return HELLO.equals(key) || HEARTBEAT.equals(key);
  }

  /** An unconfirmed liveness message. */
  static Message notice(String id, String from, String to, String key, Object value) {
    return Message.builder().id(id).to(to).sender(from).key(key).valueTree(MessageCodec.toJson(value))
        .flag(Flags.NOREPEAT).build();
  }

  /** A peer's HELLO: who it is, which run of it, what it listens to. */
  record Hello(int protocol, String id, String instance, String role, String software, List<String> listens,
      Map<String, String> meta) {
    Hello {
      listens = List.copyOf(listens);
      meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta)); // in the order it was written
    }

    /** This endpoint's HELLO (protocol and software of this build; the host in {@code meta}). */
    static Hello of(String id, String instance, String role, List<String> listens) {
      return new Hello(PROTOCOL, id, instance, role, SOFTWARE, listens, Map.of("host", hostName()));
    }

    Map<String, Object> toValue() {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("protocol", protocol);
      v.put("id", id);
      v.put("instance", instance);
      v.put("role", role);
      v.put("software", software);
      v.put("listens", listens);
      v.put("meta", new LinkedHashMap<>(meta));
      return v;
    }

    /** Reads a HELLO; {@code identity} (the connection's) stands in for a missing id. */
    static Hello from(JsonNode v, String identity) {
      List<String> listens = new ArrayList<>();
      v.path("listens").forEach(k -> listens.add(k.asText()));
      Map<String, String> meta = new LinkedHashMap<>();
      v.path("meta").fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
      return new Hello(v.path("protocol").asInt(0), v.path("id").asText(identity), v.path("instance").asText(null),
          v.path("role").asText("unknown"), v.path("software").asText(null), listens, meta);
    }
  }

  /**
   * The answer to a HELLO: accepted ({@code ok}, with the answering endpoint's {@code boot}, its
   * run) or refused (with the refused {@code instance}, a {@code reason} code and a {@code
   * message}). Only the fields of its kind are written.
   */
  record HelloReply(boolean ok, String id, int protocol, String software, String boot, String instance,
      String reason, String message) {
    static HelloReply accepted(String id, String boot) {
      return new HelloReply(true, id, PROTOCOL, SOFTWARE, boot, null, null, null);
    }

    static HelloReply refused(String id, String instance, String reason, String message) {
      return new HelloReply(false, id, PROTOCOL, null, null, instance, reason, message);
    }

    Map<String, Object> toValue() {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("ok", ok);
      if (ok) {
        v.put("id", id);
        v.put("protocol", protocol);
        v.put("software", software);
        v.put("boot", boot);
      } else {
        v.put("instance", instance);
        v.put("id", id);
        v.put("protocol", protocol);
        v.put("reason", reason);
        v.put("message", message);
      }
      return v;
    }

    static HelloReply from(JsonNode v) {
      return new HelloReply(v.path("ok").asBoolean(false), v.path("id").asText(null), v.path("protocol").asInt(0),
          v.path("software").asText(null), v.path("boot").asText(null), v.path("instance").asText(null),
          v.path("reason").asText("refused"), v.path("message").asText(""));
    }
  }

  /**
   * A heartbeat to the upstream: its sequence number, the sender's run, the last round trip
   * measured ({@code -1} before one) and, once known, the sender's clock offset to the upstream.
   */
  record Heartbeat(long seq, String instance, long rttMicros, ClockOffset clock) {
    Map<String, Object> toValue() {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("seq", seq);
      v.put("instance", instance);
      v.put("rtt_us", rttMicros);
      v.putAll(ClockSync.report(clock));
      return v;
    }

    /** Reads a heartbeat received at {@code receivedEpochNanos} (the clock offset is dated by it). */
    static Heartbeat from(JsonNode v, long receivedEpochNanos) {
      return new Heartbeat(v.path("seq").asLong(), v.path("instance").asText(null), v.path("rtt_us").asLong(-1),
          ClockSync.fromReport(v, receivedEpochNanos));
    }
  }

  /** The answer to a heartbeat: its sequence number and the answering endpoint's run ({@code boot}). */
  record HeartbeatAck(long seq, String boot) {
    Map<String, Object> toValue() {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("seq", seq);
      v.put("boot", boot);
      return v;
    }

    /** Reads an acknowledgement; a missing {@code seq} reads as -1 (acknowledges nothing sent). */
    static HeartbeatAck from(JsonNode v) {
      return new HeartbeatAck(v.path("seq").asLong(-1), v.path("boot").asText(null));
    }
  }

  /**
   * This machine's name, looked up once per process (a lookup can wait for DNS: the first
   * endpoint with an upstream asks for it on its caller's thread, never on a socket loop).
   */
  static String hostName() {
    return Host.NAME;
  }

  private static final class Host {
    static final String NAME = lookUp();

    private static String lookUp() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        return "unknown";
      }
    }
  }
}
