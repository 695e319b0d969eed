package io.stationmq.netnode;

/**
 * The durable outbox ({@link Durability#outbox()}) could not record the message (a full disk,
 * an I/O error, or a store that failed earlier in this run), so it was not sent: a message that
 * a crash could lose is refused rather than accepted. Counted in {@link
 * EndpointStats#storeFailures()}. Immutable.
 */
public final class DurableStoreException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; {@code reason} says what the store reported. */
  public DurableStoreException(String messageId, String recipient, String reason) {
    super("message " + messageId + " to '" + recipient + "' was not sent: the durable outbox could not record it: "
        + reason, messageId, recipient, 0);
  }
}
