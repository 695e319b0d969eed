package io.stationmq.netnode;

/**
 * The recipient cannot be reached: this endpoint, or a Station on the way (named by {@link
 * #reportedBy()}), has no connection or route to it.
 */
public final class UnreachableException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  private final String reportedBy;

  /** Creates the exception; {@code reportedBy} is the endpoint that found no route. */
  public UnreachableException(String messageId, String recipient, String reportedBy, String reason, int attempts) {
    super("message " + messageId + ": '" + recipient + "' is unreachable from '" + reportedBy + "': " + reason,
        messageId, recipient, attempts);
    this.reportedBy = reportedBy;
  }

  /** The id of the endpoint (this one, or a Station on the way) that found no route. */
  public String reportedBy() {
    return reportedBy;
  }
}
