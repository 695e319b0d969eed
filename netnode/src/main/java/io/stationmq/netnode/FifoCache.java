package io.stationmq.netnode;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A map that forgets its oldest entries first: once the weights of its entries exceed {@code
 * maxWeight}, and once an entry is older than {@code maxAgeNanos} (read on each write). Entries
 * are never refreshed, so first in is first out, and each write costs a few map operations: no
 * recency lists, no background work. It keeps what an endpoint must remember for a while (the
 * replies it gave, the requests it saw answered) without growing with the message rate.
 *
 * <p>Thread-safe: one lock, held for a map operation and the evictions a write causes.
 */
final class FifoCache<K, V> {
  private record Slot<K>(K key, long weight, long writtenNanos) {}

  private final Map<K, V> values = new HashMap<>();
  private final ArrayDeque<Slot<K>> order = new ArrayDeque<>();
  private final long maxWeight;
  private final long maxAgeNanos;
  private final NanoClock clock;
  private final ToLongFunction<V> weigher;
  private long weight;

  /** {@code maxAgeNanos}: {@code Long.MAX_VALUE} for no age limit; {@code weigher} weighs each value. */
  FifoCache(long maxWeight, long maxAgeNanos, NanoClock clock, ToLongFunction<V> weigher) {
    this.maxWeight = maxWeight;
    this.maxAgeNanos = maxAgeNanos;
    this.clock = clock;
    this.weigher = weigher;
  }

  /** The value of {@code key}, or null. Does not count as a write: nothing is forgotten. */
  synchronized V get(K key) {
    return values.get(key);
  }

  /** Keeps {@code value} unless {@code key} has one; returns the one it had, or null. */
  synchronized V putIfAbsent(K key, V value) {
    long w = weigher.applyAsLong(value);
    if (w > maxWeight) {
      return values.get(key); // too heavy to keep at all, as a cache of that bound would drop it
    }
    V old = values.putIfAbsent(key, value); // one lookup: the common case is a new key
    if (old != null) {
      return old;
    }
    long now = clock.read();
    order.addLast(new Slot<>(key, w, now));
    weight += w;
    forget(now);
    return null;
  }

  /** Entries kept now (for tests). */
  synchronized int size() {
    return values.size();
  }

  private void forget(long now) {
    Slot<K> oldest;
    while ((oldest = order.peekFirst()) != null
        && (weight > maxWeight || now - oldest.writtenNanos() > maxAgeNanos)) {
      order.pollFirst();
      values.remove(oldest.key());
      weight -= oldest.weight();
    }
  }
}
