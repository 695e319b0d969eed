package io.stationmq.netnode.internal;

import io.stationmq.message.Message;
import java.time.LocalDateTime;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers recently handled confirmed messages so a repeat (sent again because its
 * confirmation was lost) is confirmed again but not handled again.
 *
 * <p>A message is identified by sender, id and timestamp: a sender that restarts reuses its
 * ids ({@code "{sender}_0"} again) but not its timestamps, so its new messages are never
 * mistaken for old ones. Entries are forgotten after the window or, oldest first, beyond the
 * capacity. Owned by the socket thread; not thread-safe.
 */
final class Deduplicator {
  private final long windowNanos;
  private final int capacity;
  private final LinkedHashMap<Key, Long> seen = new LinkedHashMap<>();

  /** What identifies a message across repeats (no formatting on the socket thread's hot path). */
  private record Key(String sender, String id, LocalDateTime timestamp) {}

  Deduplicator(long windowNanos, int capacity) {
    this.windowNanos = windowNanos;
    this.capacity = capacity;
  }

  /** True the first time this message is seen within the window; records it. */
  boolean firstTime(Message m, long nowNanos) {
    if (capacity == 0) {
      return true;
    }
    evict(nowNanos);
    Key key = new Key(m.sender(), m.id(), m.timestamp().orElse(null));
    if (seen.containsKey(key)) {
      return false;
    }
    seen.put(key, nowNanos);
    return true;
  }

  private void evict(long nowNanos) {
    Iterator<Map.Entry<Key, Long>> it = seen.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, Long> oldest = it.next();
      if (seen.size() >= capacity || nowNanos - oldest.getValue() > windowNanos) {
        it.remove();
      } else {
        return;
      }
    }
  }
}
