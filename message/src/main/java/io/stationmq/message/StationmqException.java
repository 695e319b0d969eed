package io.stationmq.message;

/**
 * The root of every exception stationmq raises for its own reasons, so a caller can catch
 * them all in one clause: {@link MessageFormatException} (a body or frame list that cannot be
 * read, or a value that does not convert to the type asked for), and in {@code
 * io.stationmq.netnode} the delivery failures ({@code DeliveryException} and its subclasses,
 * which fail the future of a confirmed send) and the request failures ({@code
 * RemoteException}, {@code RequestTimeoutException}).
 *
 * <p>Unchecked: most of them reach the caller through a {@code CompletableFuture} (then
 * wrapped in an {@code ExecutionException} or {@code CompletionException}), or are thrown by a
 * conversion called inside a listen. Misuse of the API (a missing field, a bad option, a call
 * after close) is not one of them: it raises the JDK's {@code IllegalArgumentException} or
 * {@code IllegalStateException} at the call, as usual.
 *
 * <p>It lives in this package, the one every stationmq module depends on, so that the codec's
 * exceptions share it. Subclasses are immutable and safe to share between threads.
 */
public abstract class StationmqException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a specific, human-readable reason. */
  protected StationmqException(String message) {
    super(message);
  }

  /** Creates an exception with a specific reason and the low-level cause. */
  protected StationmqException(String message, Throwable cause) {
    super(message, cause);
  }
}
