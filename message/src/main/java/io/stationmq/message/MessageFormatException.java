package io.stationmq.message;

/**
 * A message body or frame list that cannot be read as a stationmq / autopilot message.
 *
 * <p>Every decoding failure in this module surfaces as this one unchecked type (a {@link
 * StationmqException}), with a {@link #getMessage() message} that names the specific reason
 * (for example {@code "field 'ttl' must be an integer, got STRING"}). No Jackson exception, {@code
 * NullPointerException} or {@code ClassCastException} escapes the codec or the envelope
 * parser; the original cause, when there is one, is attached.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class MessageFormatException extends StationmqException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a specific, human-readable reason. */
  public MessageFormatException(String reason) {
    super(reason);
  }

  /** Creates an exception with a specific reason and the low-level cause. */
  public MessageFormatException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
