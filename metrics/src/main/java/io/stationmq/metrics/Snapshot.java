package io.stationmq.metrics;

import java.util.function.Supplier;

/**
 * A value read from {@code source} and reused for {@code maxAgeMillis}, so the meters of one
 * registry read share one snapshot. Thread-safe (synchronized).
 */
final class Snapshot<T> {
  private final Supplier<T> source;
  private final long maxAgeNanos;
  private T value;
  private long readAt;

  Snapshot(Supplier<T> source, long maxAgeMillis) {
    this.source = source;
    this.maxAgeNanos = maxAgeMillis * 1_000_000L;
  }

  synchronized T get() {
    long now = System.nanoTime();
    if (value == null || now - readAt > maxAgeNanos) {
      value = source.get();
      readAt = now;
    }
    return value;
  }
}
