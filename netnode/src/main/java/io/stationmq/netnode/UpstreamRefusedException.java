package io.stationmq.netnode;

import io.stationmq.message.StationmqException;

/**
 * Thrown by {@link NetNode#awaitConnected} when the upstream will not have this endpoint as
 * configured: it refused it ({@link UpstreamState#REFUSED}: a duplicate id, another protocol
 * version), or the Station at the address has another id ({@link UpstreamState#WRONG_ID},
 * named by {@link #actualId()}). Immutable.
 */
public final class UpstreamRefusedException extends StationmqException {
  private static final long serialVersionUID = 1L;

  private final String upstreamId;
  private final UpstreamState state;
  private final String actualId;

  /** Creates the exception; {@code actualId} is the id the upstream has, or null when not known. */
  public UpstreamRefusedException(String upstreamId, UpstreamState state, String actualId, String reason) {
    super(reason);
    this.upstreamId = upstreamId;
    this.state = state;
    this.actualId = actualId;
  }

  /** The upstream id this endpoint was given. */
  public String upstreamId() {
    return upstreamId;
  }

  /** {@link UpstreamState#REFUSED} or {@link UpstreamState#WRONG_ID}. */
  public UpstreamState state() {
    return state;
  }

  /** With {@link UpstreamState#WRONG_ID}: the id of the Station at the address; otherwise null. */
  public String actualId() {
    return actualId;
  }
}
