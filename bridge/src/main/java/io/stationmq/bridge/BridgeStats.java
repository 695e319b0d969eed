package io.stationmq.bridge;

/**
 * A snapshot of a {@link Bridge}'s counters. Every input received ends in exactly one of the
 * other counters once it has been handled: {@code received = malformed + ignored + decimated +
 * rateLimited + dropped + forwarded}. With {@link Forwarding#CONFIRMED}, each forwarded message
 * later ends in {@code confirmed} or {@code failed} (ttl spent, unreachable, closed); the
 * difference is what is in flight. Immutable.
 *
 * @param received datagrams or frames read (a frame dropped by the framing itself is only counted as malformed)
 * @param malformed inputs that could not be read (bad frame or check, oversize, undecodable payload)
 * @param ignored inputs {@link Bridge#onRaw} chose not to forward
 * @param decimated inputs skipped by {@code every N}
 * @param rateLimited inputs dropped by the rate limit
 * @param dropped inputs the node refused at once (a full stream or send queue, too many in flight, closed)
 * @param forwarded inputs handed to the node (a stream, a send, a confirmed send)
 * @param confirmed confirmed messages whose recipient confirmed them
 * @param failed confirmed messages whose delivery failed after they were forwarded
 */
public record BridgeStats(long received, long malformed, long ignored, long decimated, long rateLimited, long dropped,
    long forwarded, long confirmed, long failed) {
  /**
   * The inputs whose handling has ended (the sum of the counters each input ends in); equal to
   * {@code received} except while one is being handled.
   */
  public long handled() {
    return malformed + ignored + decimated + rateLimited + dropped + forwarded;
  }

  /** One line: each counter by name. */
  public String summary() {
    return "received " + received + ", forwarded " + forwarded + ", decimated " + decimated + ", rate-limited "
        + rateLimited + ", malformed " + malformed + ", ignored " + ignored + ", dropped " + dropped + ", confirmed "
        + confirmed + ", failed " + failed;
  }
}
