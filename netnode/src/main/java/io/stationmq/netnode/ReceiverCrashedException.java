package io.stationmq.netnode;

/**
 * The recipient's previous run died (killed, crashed) while this message was queued for or
 * running in its listen, so it may or may not have been handled. The recipient keeps a durable
 * de-duplication window ({@link Durability#deduplication()}): rather than handle the message a
 * second time or confirm what may never have run, its next run answers the repeat with this.
 * What to do is the sender's decision: ask the recipient, or send a new message (a new id).
 * Immutable.
 */
public final class ReceiverCrashedException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for a message that {@code recipient} was handling when its previous run died. */
  public ReceiverCrashedException(String messageId, String recipient, int attempts) {
    super("'" + recipient + "' died while message " + messageId + " was queued for or running in its listen:"
        + " it may or may not have been handled, and was not handled again", messageId, recipient, attempts);
  }
}
