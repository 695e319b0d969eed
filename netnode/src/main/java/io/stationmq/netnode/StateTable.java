package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replicas of owners' states kept by one endpoint, with the last-value cache's history of each
 * (owner, key). The ordering rule: an owner's changes carry its incarnation ({@code epoch}, the
 * time it started) and a sequence number; a change is applied only when it is the next one
 * ({@code seq == last + 1}), a repeat or an older incarnation is stale, anything else is a gap
 * the caller repairs with a snapshot. A snapshot is applied when it is newer than the replica.
 *
 * <p>Not thread-safe: {@link StateService} guards it. Time comes from an injected {@link
 * WallClock}, so the tests drive it without sockets or sleeps.
 */
final class StateTable {
  enum Outcome { APPLIED, STALE, GAP, REFUSED }

  /** One history entry: when the change was applied here, its sequence number, the value (null: removed). */
  record HistoryEntry(long epochNanos, long seq, JsonNode value) {}

  /** A copy of one replica at a moment. */
  record Snapshot(String owner, long epoch, long seq, Map<String, JsonNode> entries) {}

  /** The replica of one owner. */
  static final class Replica {
    final String owner;
    long epoch;
    long seq = -1; // -1: nothing applied yet
    String via;
    final TreeMap<String, JsonNode> entries = new TreeMap<>();
    long bytes;
    final Map<String, ArrayDeque<HistoryEntry>> history = new HashMap<>();
    /** Every history entry's key in the order they were added, to drop the oldest first. */
    final ArrayDeque<String> historyOrder = new ArrayDeque<>();
    long historyBytes;

    Replica(String owner, long epoch) {
      this.owner = owner;
      this.epoch = epoch;
    }

    Snapshot snapshot() {
      return new Snapshot(owner, epoch, seq, Map.copyOf(entries));
    }
  }

  private final StateLimits limits;
  private final WallClock clock;
  private final Map<String, Replica> replicas = new LinkedHashMap<>();
  private long refused;

  StateTable(StateLimits limits, WallClock clock) {
    this.limits = limits;
    this.clock = clock;
  }

  /** The bytes a key and value count for against {@link StateLimits#maxBytesPerOwner()}. */
  static int size(String key, JsonNode value) {
    return key.getBytes(StandardCharsets.UTF_8).length + (value == null ? 0 : encodedSize(value));
  }

  /** The bytes of a value's JSON encoding. */
  static int encodedSize(JsonNode value) {
    return value.toString().getBytes(StandardCharsets.UTF_8).length;
  }

  /** Keys, values and owners dropped for passing the limits, since the table was made. */
  long refused() {
    return refused;
  }

  Replica replica(String owner) {
    return replicas.get(owner);
  }

  Collection<Replica> replicas() {
    return replicas.values();
  }

  /**
   * Applies one change of {@code owner}: {@code value} null removes {@code key}. Appends what it
   * changed to {@code out}. A key or value past the limits is dropped and counted, its sequence
   * number still taken (so the next change is not a gap).
   */
  Outcome applyChange(String owner, long epoch, long seq, String key, JsonNode value, String via,
      List<StateChange> out) {
    Replica r = replicas.get(owner);
    if (r == null) {
      if (seq != 1) {
        return Outcome.GAP;
      }
      r = create(owner, epoch);
      if (r == null) {
        return Outcome.REFUSED;
      }
      r.seq = 0;
    }
    if (epoch < r.epoch || (epoch == r.epoch && seq <= r.seq)) {
      return Outcome.STALE;
    }
    if (epoch != r.epoch || seq != r.seq + 1) {
      return Outcome.GAP;
    }
    r.seq = seq;
    r.via = via;
    JsonNode old = r.entries.get(key);
    if (value != null) {
      long grown = r.bytes - (old == null ? 0 : size(key, old)) + size(key, value);
      if (encodedSize(value) > limits.maxValueBytes() || grown > limits.maxBytesPerOwner()
          || (old == null && r.entries.size() >= limits.maxKeysPerOwner())) {
        refused++;
        return Outcome.REFUSED;
      }
      r.entries.put(key, value);
      r.bytes = grown;
    } else if (old != null) {
      r.entries.remove(key);
      r.bytes -= size(key, old);
    } else {
      return Outcome.APPLIED; // removing an absent key changes nothing
    }
    remember(r, key, seq, value);
    out.add(new StateChange(owner, key, old, value, seq, false));
    return Outcome.APPLIED;
  }

  /**
   * Applies a snapshot of {@code owner} when it is newer than the replica (or the replica is of an
   * older incarnation); appends what it changed to {@code out} (marked {@link StateChange#resync()}).
   */
  Outcome applySnapshot(String owner, long epoch, long seq, Map<String, JsonNode> entries, String via,
      List<StateChange> out) {
    Replica r = replicas.get(owner);
    if (r == null) {
      r = create(owner, epoch);
      if (r == null) {
        return Outcome.REFUSED;
      }
    } else if (epoch < r.epoch || (epoch == r.epoch && seq <= r.seq)) {
      return Outcome.STALE;
    }
    TreeMap<String, JsonNode> next = new TreeMap<>();
    long bytes = 0;
    for (Map.Entry<String, JsonNode> e : new TreeMap<>(entries).entrySet()) {
      int size = size(e.getKey(), e.getValue());
      if (e.getValue() == null || encodedSize(e.getValue()) > limits.maxValueBytes()
          || bytes + size > limits.maxBytesPerOwner() || next.size() >= limits.maxKeysPerOwner()) {
        refused++;
        continue;
      }
      next.put(e.getKey(), e.getValue());
      bytes += size;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = r.entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!next.containsKey(e.getKey())) {
        it.remove();
        remember(r, e.getKey(), seq, null);
        out.add(new StateChange(owner, e.getKey(), e.getValue(), null, seq, true));
      }
    }
    for (Map.Entry<String, JsonNode> e : next.entrySet()) {
      JsonNode old = r.entries.put(e.getKey(), e.getValue());
      if (!e.getValue().equals(old)) {
        remember(r, e.getKey(), seq, e.getValue());
        out.add(new StateChange(owner, e.getKey(), old, e.getValue(), seq, true));
      }
    }
    r.epoch = epoch;
    r.seq = seq;
    r.bytes = bytes;
    r.via = via;
    return Outcome.APPLIED;
  }

  /** The last {@code n} history entries of (owner, key), oldest first; empty when none. */
  List<HistoryEntry> history(String owner, String key, int n) {
    Replica r = replicas.get(owner);
    ArrayDeque<HistoryEntry> h = r == null ? null : r.history.get(key);
    if (h == null || n <= 0) {
      return List.of();
    }
    List<HistoryEntry> all = new ArrayList<>(h);
    return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
  }

  /** The keys with history of {@code owner} (present or removed). */
  List<String> historyKeys(String owner) {
    Replica r = replicas.get(owner);
    return r == null ? List.of() : List.copyOf(new TreeMap<>(r.history).keySet());
  }

  private Replica create(String owner, long epoch) {
    if (replicas.size() >= limits.maxOwners()) {
      refused++;
      return null;
    }
    Replica r = new Replica(owner, epoch);
    replicas.put(owner, r);
    return r;
  }

  private void remember(Replica r, String key, long seq, JsonNode value) {
    if (limits.historyLength() == 0) {
      return;
    }
    HistoryEntry entry = new HistoryEntry(clock.epochNanos(), seq, value);
    ArrayDeque<HistoryEntry> h = r.history.computeIfAbsent(key, k -> new ArrayDeque<>());
    h.addLast(entry);
    r.historyOrder.addLast(key);
    r.historyBytes += size(key, value);
    while (h.size() > limits.historyLength()) {
      HistoryEntry dropped = h.removeFirst();
      r.historyBytes -= size(key, dropped.value());
      r.historyOrder.removeFirstOccurrence(key);
    }
    while (r.historyBytes > limits.maxHistoryBytesPerOwner() && !r.historyOrder.isEmpty()) {
      String oldest = r.historyOrder.removeFirst();
      ArrayDeque<HistoryEntry> oh = r.history.get(oldest);
      HistoryEntry dropped = oh.removeFirst();
      r.historyBytes -= size(oldest, dropped.value());
      if (oh.isEmpty()) {
        r.history.remove(oldest);
      }
    }
    if (!r.entries.containsKey(key) && r.history.size() > limits.maxKeysPerOwner()) {
      forgetHistory(r, key); // a removed key's history never makes the owner hold more keys than allowed
    }
  }

  private void forgetHistory(Replica r, String key) {
    ArrayDeque<HistoryEntry> h = r.history.remove(key);
    if (h != null) {
      for (HistoryEntry e : h) {
        r.historyBytes -= size(key, e.value());
      }
      r.historyOrder.removeIf(key::equals);
    }
  }
}
