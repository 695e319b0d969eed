package io.stationmq.netnode.internal;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * The one ZeroMQ context that the unsecured endpoints of a process share: one I/O thread and
 * one reaper for all of them instead of two threads and about a dozen file descriptors per
 * endpoint (it is also what {@code inproc://} between them needs; the builders bind TCP only so
 * far). Counted: the first endpoint to open creates it, the last to close terminates it, so a
 * process with no endpoint left has no ZeroMQ thread left. A secured endpoint keeps a context
 * of its own (its ZAP handler binds the context-wide {@code inproc://zeromq.zap.01}).
 * Thread-safe.
 */
final class SharedContext {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final RateLimitedLog warnings = new RateLimitedLog(log, 20, TimeUnit.SECONDS.toNanos(10));
  private static ZContext context;
  private static int users;

  private SharedContext() {}

  /** The shared context, created on first use; pair each call with one {@link #release}. */
  static synchronized ZContext acquire() {
    if (context == null) {
      context = new ZContext(1);
      context.setUncaughtExceptionHandler((thread, e) -> log.error(
          "JeroMQ thread {} died; the connections of every endpoint sharing it are no longer served",
          thread.getName(), e));
      context.setNotificationExceptionHandler((thread, e) -> warnings.warn(
          "JeroMQ thread {} dropped an event after {}", thread.getName(), e.toString()));
    }
    users++;
    return context;
  }

  /** One endpoint is done with the context (its sockets closed); the last one terminates it. */
  static synchronized void release() {
    if (users == 0) {
      return;
    }
    if (--users == 0) {
      context.close();
      context = null;
    }
  }

  /** Endpoints using the shared context now (for tests). */
  static synchronized int users() {
    return users;
  }
}
