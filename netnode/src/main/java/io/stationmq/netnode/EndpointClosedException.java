package io.stationmq.netnode;

/** The endpoint was closed before the message was confirmed (or before it was sent). */
public final class EndpointClosedException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for a message pending when {@code endpointId} closed. */
  public EndpointClosedException(String endpointId, String messageId, String recipient, int attempts) {
    super("endpoint '" + endpointId + "' closed before message " + messageId + " to '" + recipient
        + "' was confirmed", messageId, recipient, attempts);
  }
}
