package io.stationmq.netnode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;

/**
 * The durable de-duplication window's records in the {@link DurableStore}: one per confirmed
 * message taken, numbered in arrival order (so the oldest is the first), holding its sender,
 * id and timestamp, when it arrived (wall clock) and whether its listen has returned. Changes
 * are on record only once the store commits; the intake commits before a listen may run and
 * before a confirmation leaves.
 *
 * <p>Owned by the socket thread, like every use of the store while the endpoint runs.
 */
final class DedupJournal implements Deduplicator.Journal {
  private static final byte HANDLING = 'R';
  private static final byte HANDLED = 'H';

  private final DurableStore store;
  private final MVMap<Long, byte[]> records;
  private long next;
  private List<Deduplicator.Restored> restored;

  /** Opens the records and reads them all (a store that cannot be read fails the endpoint's build). */
  DedupJournal(DurableStore store) {
    this.store = store;
    this.records = store.longKeyMap("dedup");
    Long last = records.lastKey();
    this.next = last == null ? 0 : last + 1;
    this.restored = read();
  }

  /** What the journal held when it was opened, oldest first, with ages as of then; once. */
  List<Deduplicator.Restored> restore() {
    List<Deduplicator.Restored> out = restored;
    restored = List.of();
    return out;
  }

  private List<Deduplicator.Restored> read() {
    long now = store.wallMillis();
    List<Deduplicator.Restored> out = new ArrayList<>(records.size());
    List<Long> unreadable = new ArrayList<>();
    for (Map.Entry<Long, byte[]> e : records.entrySet()) {
      Deduplicator.Restored r = decode(e.getKey(), e.getValue(), now);
      if (r == null) {
        unreadable.add(e.getKey());
      } else {
        out.add(r);
      }
    }
    if (!unreadable.isEmpty()) {
      store.unreadable(unreadable.size(), "de-duplication records");
      unreadable.forEach(this::forget);
    }
    return out;
  }

  @Override
  public long handling(String sender, String id, LocalDateTime timestamp) {
    long number = next++;
    byte[] value = encode(HANDLING, store.wallMillis(), sender, id, timestamp);
    store.change(() -> records.put(number, value));
    return number;
  }

  @Override
  public void handled(long number) {
    store.change(() -> {
      byte[] value = records.get(number);
      if (value != null) {
        byte[] copy = value.clone(); // MVStore keeps the stored array: never change it in place
        copy[0] = HANDLED;
        records.put(number, copy);
      }
    });
  }

  @Override
  public void forget(long number) {
    store.change(() -> records.remove(number));
  }

  static byte[] encode(byte state, long wallMillis, String sender, String id, LocalDateTime timestamp) {
    byte[] s = sender.getBytes(StandardCharsets.UTF_8);
    byte[] i = id.getBytes(StandardCharsets.UTF_8);
    byte[] t = timestamp == null ? new byte[0] : timestamp.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 12 + s.length + i.length + t.length);
    b.put(state).putLong(wallMillis);
    b.putInt(s.length).put(s).putInt(i.length).put(i).putInt(timestamp == null ? -1 : t.length).put(t);
    return b.array();
  }

  private static Deduplicator.Restored decode(long number, byte[] value, long nowMillis) {
    try {
      ByteBuffer b = ByteBuffer.wrap(value);
      byte state = b.get();
      long wall = b.getLong();
      String sender = string(b, b.getInt());
      String id = string(b, b.getInt());
      int tl = b.getInt();
      LocalDateTime ts = tl < 0 ? null : LocalDateTime.parse(string(b, tl));
      long ageNanos = Math.max(0, nowMillis - wall) * 1_000_000L;
      return new Deduplicator.Restored(number, sender, id, ts, ageNanos, state == HANDLED);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String string(ByteBuffer b, int length) {
    byte[] bytes = new byte[length];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
