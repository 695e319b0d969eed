package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.time.LocalDateTime;
import java.util.Objects;

/**
 * What identifies a message across its repeats: sender, id and timestamp (a sender that
 * restarts reuses its ids but not its timestamps). Its hash is computed once, since a key is
 * looked up more than once in its life (when its message arrives, when its listen returns, when
 * it is forgotten). Immutable.
 */
record MessageKey(String sender, String id, LocalDateTime timestamp, int hash) {
  MessageKey(String sender, String id, LocalDateTime timestamp) {
    this(sender, id, timestamp, Objects.hash(sender, id, timestamp));
  }

  static MessageKey of(Message m) {
    return new MessageKey(m.sender(), m.id(), m.timestamp().orElse(null));
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
