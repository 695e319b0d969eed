package io.stationmq.netnode.internal;

import org.slf4j.Logger;

/**
 * Logs warnings at most {@code limit} times per window, then says how many it held back, so a
 * flood of bad input cannot flood the log. Counters still count every event. Thread-safe.
 */
final class RateLimitedLog {
  private final Logger log;
  private final int limit;
  private final long windowNanos;
  private long windowStart = System.nanoTime();
  private int logged;
  private long suppressed;

  RateLimitedLog(Logger log, int limit, long windowNanos) {
    this.log = log;
    this.limit = limit;
    this.windowNanos = windowNanos;
  }

  void warn(String format, Object... args) {
    long held;
    synchronized (this) {
      long now = System.nanoTime();
      held = 0;
      if (now - windowStart > windowNanos) {
        held = suppressed;
        suppressed = 0;
        logged = 0;
        windowStart = now;
      }
      if (logged >= limit) {
        suppressed++;
        return;
      }
      logged++;
    }
    if (held > 0) {
      log.warn("{} similar warnings were not logged in the last period", held);
    }
    log.warn(format, args);
  }
}
