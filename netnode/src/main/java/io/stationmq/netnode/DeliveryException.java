package io.stationmq.netnode;

import io.stationmq.message.StationmqException;

/**
 * Why a confirmed message was not confirmed. The future of {@code sendConfirmed} fails with
 * one of the subclasses, and with nothing else: {@link TtlExpiredException}, {@link
 * UnreachableException}, {@link EndpointClosedException}, {@link OutboxFullException}, {@link
 * DuplicateMessageException}, {@link ReceiverCrashedException} (a recipient with a durable
 * de-duplication window died while handling it) or {@link DurableStoreException} (this
 * endpoint's durable outbox could not record it). Immutable.
 */
public abstract class DeliveryException extends StationmqException {
  private static final long serialVersionUID = 1L;

  private final String messageId;
  private final String recipient;
  private final int attempts;

  DeliveryException(String reason, String messageId, String recipient, int attempts) {
    super(reason);
    this.messageId = messageId;
    this.recipient = recipient;
    this.attempts = attempts;
  }

  /** The message's id. */
  public String messageId() {
    return messageId;
  }

  /** The final recipient it was sent to. */
  public String recipient() {
    return recipient;
  }

  /** How many times it was sent (0 when it was never sent). */
  public int attempts() {
    return attempts;
  }
}
