package io.stationmq.netnode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Messages handed to an endpoint's listens, counted per key (a {@code STREAM} batch under its
 * inner key), for {@link Endpoint#receivedByKey()}. Keys come from peers, so at most {@link
 * #MAX_KEYS} are counted apart; later keys add to {@link #OTHER}. One map lookup and one {@link
 * LongAdder} increment per message. Thread-safe: the lanes count, anyone reads.
 */
final class KeyCounts {
  /** How many distinct keys are counted apart. */
  static final int MAX_KEYS = 1_000;
  /** The entry counting keys beyond {@link #MAX_KEYS}. */
  static final String OTHER = "(other keys)";

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final LongAdder other = new LongAdder();

  void count(String key) {
    LongAdder n = counts.get(key);
    if (n == null) {
      if (counts.size() >= MAX_KEYS) {
        other.increment();
        return;
      }
      n = counts.computeIfAbsent(key, k -> new LongAdder());
    }
    n.increment();
  }

  /** The counts so far, by key in key order; {@link #OTHER} only once keys overflowed. */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, n) -> out.put(k, n.sum()));
    long beyond = other.sum();
    if (beyond > 0) {
      out.put(OTHER, beyond);
    }
    return out;
  }
}
