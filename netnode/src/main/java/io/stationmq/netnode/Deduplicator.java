package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Remembers recently handled confirmed messages so a repeat (sent again because its
 * confirmation was lost) is confirmed again but not handled again, and a repeat of a message
 * whose listen is still running is neither handled nor confirmed (its confirmation follows
 * when the listen returns).
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
  private final HashSet<Key> handling = new HashSet<>();

  /** What is known of a confirmed message that arrives. */
  enum Seen {
    /** Not seen within the window: handle it. */
    NEW,
    /** Seen, and its listen has not returned yet: neither handle nor confirm it now. */
    HANDLING,
    /** Seen and handled: confirm it again, do not handle it again. */
    HANDLED
  }

  /** What identifies a message across repeats (no formatting on the socket thread's hot path). */
  private record Key(String sender, String id, LocalDateTime timestamp) {}

  /** @param evictedEarly counts entries forgotten for lack of room while still in their window */
  Deduplicator(long windowNanos, int capacity, LongAdder evictedEarly) {
    this.windowNanos = windowNanos;
    this.capacity = capacity;
    this.evictedEarly = evictedEarly;
  }

  /** True the first time this message is seen within the window; records it as handled. */
  boolean firstTime(Message m, long nowNanos) {
    return seen(m, nowNanos, false) == Seen.NEW;
  }

  /**
   * Records a message that arrives; {@code handleLater} marks a new one as being handled until
   * {@link #handled} is called for it.
   */
  Seen seen(Message m, long nowNanos, boolean handleLater) {
    if (capacity == 0) {
      return Seen.NEW;
    }
    forgetExpired(nowNanos);
    Key key = new Key(m.sender(), m.id(), m.timestamp().orElse(null));
    if (seen.containsKey(key)) {
      return handling.contains(key) ? Seen.HANDLING : Seen.HANDLED;
    }
    if (seen.size() >= capacity) { // no room: forget the oldest although its window has not ended
      Iterator<Key> oldest = seen.keySet().iterator();
      handling.remove(oldest.next());
      oldest.remove();
      evictedEarly.increment();
    }
    seen.put(key, nowNanos);
    if (handleLater) {
      handling.add(key);
    }
    return Seen.NEW;
  }

  /** The listen for {@code m} has returned. */
  void handled(Message m) {
    if (!handling.isEmpty()) {
      handling.remove(new Key(m.sender(), m.id(), m.timestamp().orElse(null)));
    }
  }

  private void forgetExpired(long nowNanos) {
    Iterator<Map.Entry<Key, Long>> it = seen.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, Long> oldest = it.next();
      if (nowNanos - oldest.getValue() <= windowNanos) {
        return;
      }
      handling.remove(oldest.getKey());
      it.remove();
    }
  }
}
