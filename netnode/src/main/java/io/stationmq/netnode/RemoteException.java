package io.stationmq.netnode;

import io.stationmq.message.StationmqException;

/**
 * A request failed at the endpoint that answered it: its {@link #code()} says why
 * ({@code "unknown_request"} when it has no such responder, {@code "error"} when the responder
 * threw, or a code the responder chose), and {@link #responder()} names the endpoint. A
 * {@link Responder} throws it to choose the code. Immutable.
 */
public final class RemoteException extends StationmqException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String remoteMessage;
  private final String responder;

  /** For a responder to throw: an error with a code of its choice. */
  public RemoteException(String code, String message) {
    this(code, message, null);
  }

  /** The error as the requester sees it, naming the endpoint that answered. */
  public RemoteException(String code, String message, String responder) {
    super((responder == null ? "" : "'" + responder + "' answered ") + code + ": " + message);
    this.code = code;
    this.responder = responder;
    this.remoteMessage = message;
  }

  /** The error code. */
  public String code() {
    return code;
  }

  /** The remote's own message. */
  public String remoteMessage() {
    return remoteMessage;
  }

  /** The endpoint that answered, or null when thrown by a responder. */
  public String responder() {
    return responder;
  }
}
