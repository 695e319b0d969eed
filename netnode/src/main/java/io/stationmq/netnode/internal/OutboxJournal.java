package io.stationmq.netnode.internal;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.Route;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.mvstore.MVMap;

/**
 * The durable outbox's records in the {@link DurableStore}: one per confirmed message in
 * flight, by id, holding the whole message (its multihop path included), its route and when
 * it was first sent (wall clock), and the id numbers this endpoint has used. {@link #record} is
 * on record when it returns; {@link #remove} is committed with the next commit (a message whose
 * removal a crash lost is resumed and recognised by its receiver as a repeat).
 *
 * <p>Thread-safe: callers record, the socket thread removes and restores.
 */
final class OutboxJournal {
  /** How {@link #record} went. */
  enum Recorded {
    /** On record. */
    OK,
    /** A message with that id is already in flight: nothing recorded. */
    DUPLICATE,
    /** The store could not take it (logged and counted). */
    FAILED,
    /** The store is closed: the endpoint is closing. */
    CLOSED
  }

  /** A message the previous run left in flight, first sent {@code ageMillis} ago. */
  record Resumable(Message message, Route route, long ageMillis) {}

  private static final Route[] ROUTES = Route.values();

  private static final String ID_FLOOR = "idFloor";

  private final DurableStore store;
  private final MVMap<String, byte[]> records;
  /** The first id number past every recorded one: where a restarted endpoint's ids begin. */
  private final MVMap<String, byte[]> meta;
  private final String idPrefix;
  private final AtomicLong idFloor;
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
    this.idFloor = new AtomicLong(first);
    this.restored = read();
  }

  /**
   * Records {@code m}, first sent now, as {@code body} (its encoding, path included), and commits
   * (shared with concurrent callers); any thread.
   */
  Recorded record(Message m, byte[] body, Route route) {
    ByteBuffer value = ByteBuffer.allocate(1 + 8 + body.length);
    value.put((byte) route.ordinal()).putLong(store.wallMillis()).put(body);
    boolean[] duplicate = new boolean[1];
    long next = idNumber(m.id()) + 1;
    if (!store.change(() -> {
      duplicate[0] = records.putIfAbsent(m.id(), value.array()) != null;
      if (!duplicate[0] && raiseFloor(next)) {
        meta.put(ID_FLOOR, ByteBuffer.allocate(8).putLong(next).array());
      }
    })) {
      return store.isClosed() ? Recorded.CLOSED : Recorded.FAILED;
    }
    if (duplicate[0]) {
      return Recorded.DUPLICATE;
    }
    if (store.commit()) {
      return Recorded.OK;
    }
    return store.isClosed() ? Recorded.CLOSED : Recorded.FAILED;
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
    return idFloor.get();
  }

  private boolean raiseFloor(long next) {
    long floor;
    do {
      floor = idFloor.get();
      if (next <= floor) {
        return false;
      }
    } while (!idFloor.compareAndSet(floor, next));
    return true;
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
