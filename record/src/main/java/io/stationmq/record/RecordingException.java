package io.stationmq.record;

import io.stationmq.message.StationmqException;

/** A recording could not be written, or a journal could not be read or converted. */
public final class RecordingException extends StationmqException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message naming the file and the reason, and its cause. */
  public RecordingException(String message, Throwable cause) {
    super(message, cause);
  }
}
