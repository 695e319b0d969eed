package io.stationmq.netnode;

/** Liveness of an endpoint in a Station's directory. */
public enum PeerStatus {
  /** Heard from, but it never said HELLO (a Python peer, or anyone since this Station started), so it has no heartbeat to judge by. */
  UNKNOWN,
  /** Heard from within its heartbeat interval. */
  ALIVE,
  /** Missed one heartbeat interval. */
  SUSPECT,
  /** Silent for the whole tolerance: it left. */
  DEAD
}
