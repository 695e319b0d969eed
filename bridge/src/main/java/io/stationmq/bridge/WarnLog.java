package io.stationmq.bridge;

import org.slf4j.Logger;

/**
 * A warning log for input a device or a sender can cause once per datagram: at most {@code
 * limit} lines per {@code windowNanos}, then, with the next line after the window or from
 * {@link #flush()}, how many were held back. Thread-safe (short synchronized blocks).
 */
final class WarnLog {
  private final Logger log;
  private final int limit;
  private final long windowNanos;
  private long windowStart = System.nanoTime();
  private int logged;
  private long held;

  WarnLog(Logger log, int limit, long windowNanos) {
    this.log = log;
    this.limit = limit;
    this.windowNanos = windowNanos;
  }

  void warn(String format, Object... args) {
    long before;
    synchronized (this) {
      before = rollWindow();
      if (logged >= limit) {
        held++;
        format = null;
      } else {
        logged++;
      }
    }
    reportHeld(before);
    if (format != null) {
      log.warn(format, args);
    }
  }

  /** Reports lines held back in a window that has ended. */
  void flush() {
    long before;
    synchronized (this) {
      before = rollWindow();
    }
    reportHeld(before);
  }

  private long rollWindow() {
    long now = System.nanoTime();
    if (now - windowStart <= windowNanos) {
      return 0;
    }
    long before = held;
    windowStart = now;
    logged = 0;
    held = 0;
    return before;
  }

  private void reportHeld(long count) {
    if (count > 0) {
      log.warn("... and {} more like these held back", count);
    }
  }
}
