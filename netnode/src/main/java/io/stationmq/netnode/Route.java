package io.stationmq.netnode;

/**
 * How an endpoint sends one message.
 *
 * <ul>
 *   <li>{@link #AUTO}: a multihop path goes to its first hop; a single recipient goes
 *       directly to a peer this endpoint has heard from on its ROUTER, else upstream.
 *   <li>{@link #UPSTREAM}: always through the upstream DEALER (a Station's "push").
 *   <li>{@link #DIRECT}: through the upstream DEALER addressed to the recipient itself
 *       ({@code [to, to, body]}, the Python {@code force_to}), for a DEALER connected
 *       directly to the recipient's ROUTER.
 * </ul>
 */
public enum Route {
  AUTO,
  UPSTREAM,
  DIRECT
}
