package io.stationmq.netnode.internal;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs at most {@code limit} lines per window, then says how many it held back: with the next
 * line after the window, or from {@link #flush()} (which the socket thread calls on its ticks),
 * so a held-back count is reported even when no later line comes. A flood of bad input cannot
 * flood the log; counters still count every event. Thread-safe.
 */
final class RateLimitedLog {
  private final Logger log;
  private final int limit;
  private final long windowNanos;
  private final LongSupplier clock;
  private long windowStart;
  private int logged;
  private long suppressed;
  private Level suppressedLevel = Level.WARN;

  RateLimitedLog(Logger log, int limit, long windowNanos) {
    this(log, limit, windowNanos, System::nanoTime);
  }

  RateLimitedLog(Logger log, int limit, long windowNanos, LongSupplier clock) {
    this.log = log;
    this.limit = limit;
    this.windowNanos = windowNanos;
    this.clock = clock;
    this.windowStart = clock.getAsLong();
  }

  void warn(String format, Object... args) {
    log(Level.WARN, format, args);
  }

  void error(String format, Object... args) {
    log(Level.ERROR, format, args);
  }

  /** Reports the lines held back in a window that has ended; cheap when there are none. */
  void flush() {
    long held;
    Level level;
    synchronized (this) {
      if (suppressed == 0 || clock.getAsLong() - windowStart <= windowNanos) {
        return;
      }
      held = suppressed;
      level = suppressedLevel;
      startWindow(clock.getAsLong());
    }
    report(level, held);
  }

  private void log(Level level, String format, Object... args) {
    long held = 0;
    Level heldLevel;
    synchronized (this) {
      long now = clock.getAsLong();
      heldLevel = suppressedLevel;
      if (now - windowStart > windowNanos) {
        held = suppressed;
        startWindow(now);
      }
      if (logged >= limit) {
        suppressed++;
        if (level.toInt() > suppressedLevel.toInt()) {
          suppressedLevel = level;
        }
        return;
      }
      logged++;
    }
    if (held > 0) {
      report(heldLevel, held);
    }
    log.atLevel(level).log(format, args);
  }

  private void startWindow(long now) {
    suppressed = 0;
    logged = 0;
    suppressedLevel = Level.WARN;
    windowStart = now;
  }

  private void report(Level level, long held) {
    log.atLevel(level).log("{} similar lines were not logged in the last {} s", held, windowNanos / 1_000_000_000L);
  }

  /** Lines held back in the current window (for tests). */
  synchronized long suppressed() {
    return suppressed;
  }
}
