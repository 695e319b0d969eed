package io.stationmq.bridge;

import io.stationmq.message.StationmqException;

/**
 * Thrown by a {@link PayloadDecoder} or {@link Bridge#onRaw} for input it cannot read: the
 * bridge counts it in {@link BridgeStats#malformed()}, logs its message (rate-limited) and goes
 * on. Immutable.
 */
public final class MalformedInputException extends StationmqException {
  private static final long serialVersionUID = 1L;

  /** With a specific, one-line reason. */
  public MalformedInputException(String reason) {
    super(reason);
  }
}
