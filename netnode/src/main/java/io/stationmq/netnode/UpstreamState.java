package io.stationmq.netnode;

/**
 * Where an endpoint stands with the upstream it connects to (a NetNode's Station, a Station's
 * parent), as {@link NetNode#upstreamState()} reports it and {@link
 * EndpointListener#upstreamChanged} announces each change.
 */
public enum UpstreamState {
  /** Nothing has answered this endpoint's HELLO yet: nothing listens at the address, or it is starting. */
  CONNECTING,
  /** The upstream answered HELLO; heartbeats run. */
  CONNECTED,
  /**
   * Something answers at the address but says no HELLO: taken for a Python station (messages
   * flow, no heartbeats); it becomes {@link #CONNECTED} if it answers a later HELLO, and
   * {@link #LOST} when its connection closes.
   */
  LEGACY,
  /**
   * It was connected and has been silent for the liveness tolerance, or, taken for a Python
   * station ({@link #LEGACY}), its connection closed; reconnecting, with HELLO as soon as a
   * connection is back.
   */
  LOST,
  /**
   * The Station at the address has another id than the one this endpoint was given: nothing
   * addressed to the given id arrives there. Messages to other recipients still pass.
   */
  WRONG_ID,
  /** The upstream refused this endpoint (its id is in use, or another protocol version): nothing more is sent upstream. */
  REFUSED
}
