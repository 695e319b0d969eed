package io.stationmq.netnode;

/**
 * No confirmation arrived although the message was sent {@code 1 + ttl} times, or by its
 * {@link EndpointOptions#maxDeliveryTime()} (then possibly with ttl left, after fewer sends).
 */
public final class TtlExpiredException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for a message sent {@code attempts} times without confirmation. */
  public TtlExpiredException(String messageId, String recipient, int attempts) {
    super("message " + messageId + " to '" + recipient + "' was not confirmed after " + attempts
        + " attempt(s): ttl spent or maxDeliveryTime reached", messageId, recipient, attempts);
  }
}
