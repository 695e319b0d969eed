package io.stationmq.netnode;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;

/**
 * The durable outbox's records in the {@link DurableStore}: one per confirmed message in
 * flight, by id, holding the whole message (its multihop path included), its route and when
 * it was first sent (wall clock), and the id numbers this endpoint has used. What {@link #put}
 * and {@link #remove} change is on record once the store commits (a message whose removal a
 * crash lost is resumed, and recognised by its receiver as a repeat).
 *
 * <p>Owned by the socket thread, like every use of the store while the endpoint runs: MVStore
 * reuses a chunk as soon as a commit leaves it unused (retention time 0, so the file does not
 * grow by every chunk of the last 45 s), which is safe only without a map operation running on
 * another thread during a commit.
 */
final class OutboxJournal {
  /** A message the previous run left in flight, first sent {@code ageMillis} ago. */
  record Resumable(Message message, Route route, long ageMillis) {}

  private static final Route[] ROUTES = Route.values();

  private static final String ID_FLOOR = "idFloor";

  private final DurableStore store;
  private final MVMap<String, byte[]> records;
  /** The first id number past every recorded one: where a restarted endpoint's ids begin. */
  private final MVMap<String, byte[]> meta;
  private final String idPrefix;
  private long idFloor;
  private List<Resumable> restored;

  /** Opens the records and reads them all (a store that cannot be read fails the endpoint's build). */
  OutboxJournal(DurableStore store, String endpointId) {
    this.store = store;
    this.records = store.stringKeyMap("outbox");
    this.meta = store.stringKeyMap("outboxMeta");
    this.idPrefix = endpointId + "_";
    byte[] floor = meta.get(ID_FLOOR);
    long first = floor == null ? 0 : ByteBuffer.wrap(floor).getLong();
    for (String id : records.keySet()) {
      first = Math.max(first, idNumber(id) + 1);
    }
    this.idFloor = first;
    this.restored = read();
  }

  /**
   * Puts {@code m}, first sent now, on record as {@code body} (its encoding, path included):
   * there once the store commits. False when the store has failed (logged and counted).
   */
  boolean put(Message m, byte[] body, Route route) {
    ByteBuffer value = ByteBuffer.allocate(1 + 8 + body.length);
    value.put((byte) route.ordinal()).putLong(store.wallMillis()).put(body);
    long next = idNumber(m.id()) + 1;
    return store.change(() -> {
      records.put(m.id(), value.array());
      if (next > idFloor) {
        idFloor = next;
        meta.put(ID_FLOOR, ByteBuffer.allocate(8).putLong(next).array());
      }
    });
  }

  /** Forgets {@code id}: confirmed or failed (socket thread). */
  void remove(String id) {
    store.change(() -> records.remove(id));
  }

  /** What the previous run left in flight, as read when the journal was opened; once (socket thread). */
  List<Resumable> restore() {
    List<Resumable> out = restored;
    restored = List.of();
    return out;
  }

  /** Reads every record; an unreadable one is dropped (logged and counted). */
  private List<Resumable> read() {
    long now = store.wallMillis();
    List<Resumable> out = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : records.entrySet()) {
      try {
        ByteBuffer b = ByteBuffer.wrap(e.getValue());
        Route route = ROUTES[b.get()];
        long firstSent = b.getLong();
        Message m = MessageCodec.decode(Arrays.copyOfRange(e.getValue(), b.position(), e.getValue().length));
        out.add(new Resumable(m, route, Math.max(0, now - firstSent)));
      } catch (RuntimeException ex) {
        unreadable.add(e.getKey());
      }
    }
    if (!unreadable.isEmpty()) {
      store.unreadable(unreadable.size(), "outbox records");
      unreadable.forEach(this::remove);
    }
    return out;
  }

  /**
   * The first id number past every id this endpoint ever recorded ({@code "{id}_{n}"}): where
   * the new run's ids start, so none takes the id of a message it resumes, nor of one an earlier
   * run sent whose late confirmation could otherwise settle a new message.
   */
  long firstFreeIdNumber() {
    return idFloor;
  }

  /** The number of an id generated here ({@code "{id}_{n}"}), or -1 for any other id. */
  private long idNumber(String id) {
    if (!id.startsWith(idPrefix)) {
      return -1;
    }
    try {
      long n = Long.parseLong(id.substring(idPrefix.length()));
      return n >= 0 && n < Long.MAX_VALUE ? n : -1;
    } catch (NumberFormatException notOurs) {
      return -1; // an id the application chose: it cannot collide with a generated one
    }
  }
}
