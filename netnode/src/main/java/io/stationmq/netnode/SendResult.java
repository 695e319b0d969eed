package io.stationmq.netnode;

/**
 * What became of an unconfirmed {@link Endpoint#send(io.stationmq.message.Message, Route)
 * send}: an expected outcome, returned as a value (as JeroMQ's {@code send} returns false on
 * {@code EAGAIN} and Aeron's {@code offer} returns a code) rather than thrown.
 *
 * <p>{@link #QUEUED} means handed to the endpoint's socket thread, not delivered: an
 * unconfirmed message may still be lost later (no route, a peer's queue full for longer than
 * {@link EndpointOptions#sendTimeout()}), counted in {@link EndpointStats} and reported to the
 * {@link EndpointListener}. Use {@code sendConfirmed} to learn of delivery.
 */
public enum SendResult {
  /** Queued for the socket thread, which sends it next. */
  QUEUED,
  /**
   * Dropped at once, counted in {@link EndpointStats#dropped()}: {@link
   * EndpointOptions#sendQueueCapacity()} messages already waited for the socket thread (for
   * longer than {@link EndpointOptions#sendQueueFullWait()}, when that is set). The endpoint
   * is sending slower than it is given messages: slow down, or set {@code sendQueueFullWait}
   * to be slowed down.
   */
  DROPPED_QUEUE_FULL,
  /** Not sent: the endpoint is closed (or closing). */
  CLOSED;

  /** True for {@link #QUEUED}. */
  public boolean isQueued() {
    return this == QUEUED;
  }
}
