package io.stationmq.netnode;

/**
 * Refused at once: the endpoint already has {@link EndpointOptions#maxInFlight()} confirmed
 * messages waiting for confirmation. Back off and retry, or raise the bound.
 */
public final class OutboxFullException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for a message refused because {@code limit} were in flight. */
  public OutboxFullException(String messageId, String recipient, int limit) {
    super("message " + messageId + " to '" + recipient + "' refused: " + limit
        + " confirmed messages already in flight", messageId, recipient, 0);
  }
}
