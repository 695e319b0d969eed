package io.stationmq.netnode;

/**
 * Refused at once: a message with the same id is already in flight from this endpoint (sent
 * with {@code sendConfirmed} and not yet confirmed or failed). Repeating a message is the
 * endpoint's job; to send the same content again, build a new message (a new id). The message
 * already in flight is not affected. Also raised for a request whose id is already waiting
 * for its reply.
 */
public final class DuplicateMessageException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for a second send of message {@code messageId} while it was in flight. */
  public DuplicateMessageException(String messageId, String recipient) {
    super("message " + messageId + " to '" + recipient + "' is already in flight: a repeat is the engine's job;"
        + " build a new message to send it again", messageId, recipient, 0);
  }
}
