package io.stationmq.bridge;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code perSecond} tokens a second, at most one second's worth (and at least
 * one) held, full at start. Used by one thread (a bridge's serving thread).
 */
final class RateLimiter {
  private final double perNano;
  private final double capacity;
  private final LongSupplier clock;
  private double tokens;
  private long last;

  RateLimiter(double perSecond, LongSupplier clock) {
    this.perNano = perSecond / 1e9;
    this.capacity = Math.max(1, perSecond);
    this.clock = clock;
    this.tokens = capacity;
    this.last = clock.getAsLong();
  }

  /** True when a token was taken. */
  boolean tryAcquire() {
    long now = clock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
