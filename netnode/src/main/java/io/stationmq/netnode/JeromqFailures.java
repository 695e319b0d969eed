package io.stationmq.netnode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * Sends failures inside JeroMQ's own threads (its I/O thread and reaper) to the engine's log,
 * named after the endpoint, instead of JeroMQ's default of standard error. JeroMQ's poller
 * survives a {@link RuntimeException} in a connection's handler and reports it as a
 * notification (logged rate limited); an {@link Error} ends the thread, after which the
 * endpoint's connections are no longer served, so that is logged as an error.
 */
final class JeromqFailures {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  private JeromqFailures() {}

  /** Installs the handlers on {@code context}; before it creates its first socket. */
  static void report(ZContext context, String id, RateLimitedLog warnings) {
    context.setUncaughtExceptionHandler((thread, e) -> log.error(
        "{}: JeroMQ thread {} died; this endpoint's connections are no longer served", id, thread.getName(), e));
    context.setNotificationExceptionHandler((thread, e) -> warnings.warn(
        "{}: JeroMQ thread {} dropped an event after {}", id, thread.getName(), e.toString()));
  }
}
