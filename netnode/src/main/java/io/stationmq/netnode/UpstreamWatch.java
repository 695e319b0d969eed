package io.stationmq.netnode;

import java.time.Duration;

/**
 * The upstream's state for threads other than the socket thread: {@link UpstreamLink}
 * publishes every change, callers read it or wait for a usable one. Thread-safe (one monitor;
 * it is touched only when the state changes and by callers that wait). Not public API.
 */
final class UpstreamWatch {
  private final String upstreamId;
  private UpstreamState state = UpstreamState.CONNECTING;
  private String reason = "no answer yet";
  private String actualId;
  private boolean closed;
  private boolean python;

  UpstreamWatch(String upstreamId) {
    this.upstreamId = upstreamId;
  }

  synchronized void publish(UpstreamState state, String reason, String actualId) {
    this.state = state;
    this.reason = reason;
    this.actualId = actualId;
    notifyAll();
  }

  synchronized void python(boolean python) {
    this.python = python;
  }

  /**
   * True while the upstream is taken for a Python station: {@link UpstreamState#LEGACY}, and
   * through a loss of its connection until it answers HELLO (nothing stationmq-only goes to it).
   */
  synchronized boolean python() {
    return python;
  }

  /** Ends every wait: the endpoint closes. */
  public synchronized void close() {
    closed = true;
    notifyAll();
  }

  /** The state now. */
  public synchronized UpstreamState state() {
    return state;
  }

  /**
   * Waits until the upstream answers ({@link UpstreamState#CONNECTED} or {@link
   * UpstreamState#LEGACY}); false when {@code timeout} passes first or the endpoint closes.
   *
   * @throws UpstreamRefusedException when the upstream refused the endpoint or has another id
   */
  public synchronized boolean await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      switch (state) {
        case CONNECTED, LEGACY -> {
          return true;
        }
        case REFUSED, WRONG_ID -> throw new UpstreamRefusedException(upstreamId, state, actualId, reason);
        default -> { }
      }
      long left = deadline - System.nanoTime();
      if (closed || left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
