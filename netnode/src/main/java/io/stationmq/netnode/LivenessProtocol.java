package io.stationmq.netnode;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.net.InetAddress;

/**
 * The liveness vocabulary on the wire: the keys stationmq adds for HELLO and heartbeats (a
 * Python peer sends none of them and ignores them), and how a liveness notice is built. Not
 * public API.
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

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
