package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.time.LocalDateTime;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
 * of that message would then be taken for a new one and handled again.
 *
 * <p>With a {@link Journal} (the durable de-duplication window) a message handed to the
 * listens ({@link #recordHandling}) is also written there, as handling and then handled, and
 * forgotten there too; what the journal held when the previous run died is taken back at
 * construction, a message that was still handling becoming {@link Seen#CRASHED}. Owned by the socket thread; not
 * thread-safe.
 */
final class Deduplicator {
  private final long windowNanos;
  private final int capacity;
  private final LongAdder evictedEarly;
  private final Journal journal;
  private final LinkedHashMap<MessageKey, Entry> seen = new LinkedHashMap<>();

  /** What is known of a confirmed message that arrives. */
  enum Seen {
    /** Not seen within the window: handle it. */
    NEW,
    /** Seen, and its listen has not returned yet: neither handle nor confirm it now. */
    HANDLING,
    /** Seen and handled: confirm it again, do not handle it again. */
    HANDLED,
    /** Queued for or in its listen when the previous run died: perhaps handled; do not handle it again. */
    CRASHED
  }

  /** Where the durable de-duplication window keeps its records (socket thread). */
  interface Journal {
    /** Records a message taken to be handled; returns the record's number. */
    long handling(String sender, String id, LocalDateTime timestamp);

    /** The message of record {@code number} has been handled. */
    void handled(long number);

    /** Forgets record {@code number}. */
    void forget(long number);
  }

  /** A message the journal held when this endpoint started, oldest first. */
  record Restored(long number, String sender, String id, LocalDateTime timestamp, long ageNanos, boolean handled) {}

  private static final class Entry {
    final long nanos;
    long number; // its journal record, or -1
    Seen state;

    Entry(long nanos, long number, Seen state) {
      this.nanos = nanos;
      this.number = number;
      this.state = state;
    }
  }

  /** @param evictedEarly counts entries forgotten for lack of room while still in their window */
  Deduplicator(long windowNanos, int capacity, LongAdder evictedEarly) {
    this(windowNanos, capacity, evictedEarly, null, List.of(), 0);
  }

  /**
   * A de-duplicator writing to {@code journal} (null: memory only) that starts with what the
   * journal held, {@code restored}, oldest first, as of {@code nowNanos}.
   */
  Deduplicator(long windowNanos, int capacity, LongAdder evictedEarly, Journal journal, List<Restored> restored,
      long nowNanos) {
    this.windowNanos = windowNanos;
    this.capacity = capacity;
    this.evictedEarly = evictedEarly;
    this.journal = capacity == 0 ? null : journal;
    for (Restored r : restored) {
      if (r.ageNanos() > windowNanos || this.journal == null) {
        if (journal != null) {
          journal.forget(r.number());
        }
        continue;
      }
      Seen state = r.handled() ? Seen.HANDLED : Seen.CRASHED;
      add(new MessageKey(r.sender(), r.id(), r.timestamp()), new Entry(nowNanos - r.ageNanos(), r.number(), state));
    }
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
    MessageKey key = MessageKey.of(m);
    Entry fresh = new Entry(nowNanos, -1, handleLater ? Seen.HANDLING : Seen.HANDLED);
    if (seen.size() >= capacity) { // full: look first, a new key makes room
      Entry e = seen.get(key);
      if (e != null) {
        return e.state;
      }
      add(key, fresh);
      return Seen.NEW;
    }
    Entry e = seen.putIfAbsent(key, fresh); // one lookup: nearly every message is new
    return e != null ? e.state : Seen.NEW;
  }

  /** {@code m}, being handled, goes to its listen: with a journal, it is written there as handling. */
  void recordHandling(Message m) {
    Entry e = journal == null ? null : seen.get(MessageKey.of(m));
    if (e != null && e.state == Seen.HANDLING && e.number < 0) {
      e.number = journal.handling(m.sender(), m.id(), m.timestamp().orElse(null));
    }
  }

  /** The listen for {@code m} has returned. */
  void handled(Message m) {
    Entry e = seen.get(MessageKey.of(m));
    if (e != null && e.state == Seen.HANDLING) {
      e.state = Seen.HANDLED;
      if (e.number >= 0) {
        journal.handled(e.number);
      }
    }
  }

  /** Forgets {@code m}, taken but never handled (closing): a repeat of it is new again. */
  void forget(Message m) {
    MessageKey key = MessageKey.of(m);
    Entry e = seen.get(key);
    if (e != null && e.state == Seen.HANDLING) {
      seen.remove(key);
      if (e.number >= 0) {
        journal.forget(e.number);
      }
    }
  }

  private void add(MessageKey key, Entry entry) {
    if (seen.size() >= capacity) { // no room: forget the oldest although its window has not ended
      Iterator<Entry> oldest = seen.values().iterator();
      drop(oldest.next());
      oldest.remove();
      evictedEarly.increment();
    }
    seen.put(key, entry);
  }

  private void drop(Entry e) {
    if (e.number >= 0) {
      journal.forget(e.number);
    }
  }

  private void forgetExpired(long nowNanos) {
    Iterator<Map.Entry<MessageKey, Entry>> it = seen.entrySet().iterator();
    while (it.hasNext()) {
      Entry oldest = it.next().getValue();
      if (nowNanos - oldest.nanos <= windowNanos) {
        return;
      }
      drop(oldest);
      it.remove();
    }
  }
}
