package io.stationmq.netnode.internal;

import io.stationmq.message.Message;
import java.time.LocalDateTime;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Remembers recently handled confirmed messages so a repeat (sent again because its
 * confirmation was lost) is confirmed again but not handled again.
 *
 * <p>A message is identified by sender, id and timestamp: a sender that restarts reuses its
 * ids ({@code "{sender}_0"} again) but not its timestamps, so its new messages are never
 * mistaken for old ones. Entries are forgotten after the window or, oldest first, beyond the
 * capacity. An entry forgotten for lack of room before its window ended is counted: a repeat
 * of that message would then be taken for a new one and handled again. Owned by the socket
 * thread; not thread-safe.
 */
final class Deduplicator {
  private final long windowNanos;
  private final int capacity;
  private final LongAdder evictedEarly;
  private final LinkedHashMap<Key, Long> seen = new LinkedHashMap<>();

  /** What identifies a message across repeats (no formatting on the socket thread's hot path). */
  private record Key(String sender, String id, LocalDateTime timestamp) {}

  /** @param evictedEarly counts entries forgotten for lack of room while still in their window */
  Deduplicator(long windowNanos, int capacity, LongAdder evictedEarly) {
    this.windowNanos = windowNanos;
    this.capacity = capacity;
    this.evictedEarly = evictedEarly;
  }

  /** True the first time this message is seen within the window; records it. */
  boolean firstTime(Message m, long nowNanos) {
    if (capacity == 0) {
      return true;
    }
    forgetExpired(nowNanos);
    Key key = new Key(m.sender(), m.id(), m.timestamp().orElse(null));
    if (seen.containsKey(key)) {
      return false;
    }
    if (seen.size() >= capacity) { // no room: forget the oldest although its window has not ended
      Iterator<Key> oldest = seen.keySet().iterator();
      oldest.next();
      oldest.remove();
      evictedEarly.increment();
    }
    seen.put(key, nowNanos);
    return true;
  }

  private void forgetExpired(long nowNanos) {
    Iterator<Map.Entry<Key, Long>> it = seen.entrySet().iterator();
    while (it.hasNext() && nowNanos - it.next().getValue() > windowNanos) {
      it.remove();
    }
  }
}
