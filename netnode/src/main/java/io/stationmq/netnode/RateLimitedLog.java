package io.stationmq.netnode;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs at most {@code limit} lines per window, then says how many it held back: with the next
 * line after the window, or from {@link #flush()}, so a held-back count is reported even when
 * no later line comes. Whoever owns one must call {@link #flush()} now and then (the engine's
 * socket thread does on every turn of its loop, for its own log, its dispatcher's and its admin
 * gate's). A flood of bad input cannot flood the log; counters still count every event. The
 * held-back count is logged at the highest level among the lines it stands for.
 *
 * <p>Per-input log lines (anything a peer can cause once per message) go through one of these,
 * as a single line: no stack traces for a peer's mistakes or a listen's exceptions. Not public
 * API; public for the endpoint faces in other packages. Thread-safe.
 */
final class RateLimitedLog {
  private final Logger log;
  private final int limit;
  private final long windowNanos;
  private final LongSupplier clock;
  private long windowStart;
  private int logged;
  private long suppressed;
  private Level suppressedLevel;

  /** At most {@code limit} lines per {@code windowNanos} to {@code log}. */
  public RateLimitedLog(Logger log, int limit, long windowNanos) {
    this(log, limit, windowNanos, System::nanoTime);
  }

  RateLimitedLog(Logger log, int limit, long windowNanos, LongSupplier clock) {
    this.log = log;
    this.limit = limit;
    this.windowNanos = windowNanos;
    this.clock = clock;
    this.windowStart = clock.getAsLong();
  }

  public void info(String format, Object... args) {
    log(Level.INFO, format, args);
  }

  public void warn(String format, Object... args) {
    log(Level.WARN, format, args);
  }

  public void error(String format, Object... args) {
    log(Level.ERROR, format, args);
  }

  /** Reports the lines held back in a window that has ended; cheap when there are none. */
  public void flush() {
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

  /**
   * Nanoseconds until {@link #flush()} would report held-back lines (0: now), or -1 when none
   * are held back: for an owner that sleeps, to know when to wake up.
   */
  public synchronized long nanosUntilFlush() {
    if (suppressed == 0) {
      return -1;
    }
    return Math.max(0, windowStart + windowNanos + 1 - clock.getAsLong());
  }

  private void log(Level level, String format, Object... args) {
    if (!log.isEnabledForLevel(level)) {
      return;
    }
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
        if (suppressedLevel == null || level.toInt() > suppressedLevel.toInt()) {
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
    suppressedLevel = null;
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
