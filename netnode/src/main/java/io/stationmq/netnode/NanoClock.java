package io.stationmq.netnode;

/**
 * A source of monotonic time in nanoseconds, from an arbitrary origin, like {@link
 * System#nanoTime()}: only differences between two readings mean anything. An endpoint reads it
 * for repeats, ttl, de-duplication, request deadlines and liveness ({@link
 * EndpointOptions#ticker()}); the default is {@link #system()}, and tests inject one they move
 * by hand.
 *
 * <p>Implementations must be thread-safe and cheap: the endpoint's socket thread, worker
 * threads and caller threads read it, many times per message. It must never go backwards.
 */
@FunctionalInterface
public interface NanoClock {
  /** The current time in nanoseconds, from an arbitrary, fixed origin. */
  long read();

  /** The system's monotonic clock, {@link System#nanoTime()}; always the same instance. */
  static NanoClock system() {
    return SystemClock.INSTANCE;
  }
}
