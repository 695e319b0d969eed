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
final class MessageKey {
  private final String sender;
  private final String id;
  private final LocalDateTime timestamp;
  private final int hash;

  MessageKey(String sender, String id, LocalDateTime timestamp) {
    this.sender = sender;
    this.id = id;
    this.timestamp = timestamp;
    this.hash = Objects.hash(sender, id, timestamp);
  }

  static MessageKey of(Message m) {
    return new MessageKey(m.sender(), m.id(), m.timestamp().orElse(null));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageKey k && hash == k.hash && Objects.equals(id, k.id) && Objects.equals(sender, k.sender)
        && Objects.equals(timestamp, k.timestamp);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return sender + "/" + id + "@" + timestamp;
  }
}
