package io.stationmq.netnode.internal;

/** Message keys the engine itself handles. */
public final class Keys {
  /** Confirms receipt; value is the confirmed message's id (autopilot protocol). */
  public static final String CONFIRM = "CONFIRM";
  /** A batch of stream samples (autopilot protocol). */
  public static final String STREAM = "STREAM";
  /** Stops a Station (autopilot protocol). */
  public static final String KILL = "KILL";
  /**
   * stationmq's notice that a Station could not pass a message on; value {@code {"id",
   * "to", "station", "reason"}}. A Python peer has no listen for it and ignores it.
   */
  public static final String UNREACHABLE = "UNREACHABLE";

  private Keys() {}
}
