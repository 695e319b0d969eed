package io.stationmq.message;

/**
 * Names of the message flags the autopilot protocol defines.
 *
 * <p>A flag is present or absent; on the wire it is a key of the body's {@code flags}
 * object (its value is ignored; stationmq writes {@code true}, as Python does). Any other
 * name is allowed too and travels unchanged.
 */
public final class Flags {
  /** The sender does not track the message: receivers must not confirm it, nobody repeats it. */
  public static final String NOREPEAT = "NOREPEAT";
  /** Do not log the value (large or sensitive); {@link Message#toString()} hides it. */
  public static final String MINPRINT = "MINPRINT";
  /** Do not log the message at all. */
  public static final String NOLOG = "NOLOG";

  private Flags() {}
}
