package io.stationmq.transfer;

import io.stationmq.message.StationmqException;

/**
 * Why a transfer failed: a {@link #code()} (the receiver's refusal, such as {@code
 * hash_mismatch}, {@code bad_name}, {@code beyond_size}, {@code offset_gap}, {@code too_large},
 * {@code refused}; or {@code unreachable} when resuming gave up, {@code closed}, {@code
 * cancelled}, {@code source} for a source that could not be read) and a readable message.
 * Immutable.
 */
public final class TransferException extends StationmqException {
  private static final long serialVersionUID = 1L;

  private final String code;

  /** A failure with {@code code} and a specific message. */
  public TransferException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  /** A failure with {@code code}, a specific message and its cause. */
  public TransferException(String code, String message, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = code;
  }

  /** The short machine-readable reason. */
  public String code() {
    return code;
  }
}
