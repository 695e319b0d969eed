package io.stationmq.netnode;

import io.stationmq.message.StationmqException;
import java.time.Duration;

/** No reply to a request arrived within its timeout; a reply that comes later is counted and dropped. */
public final class RequestTimeoutException extends StationmqException {
  private static final long serialVersionUID = 1L;

  private final String requestId;

  /** Creates the exception for request {@code requestId} named {@code name} to {@code to}. */
  public RequestTimeoutException(String requestId, String name, String to, Duration timeout) {
    super("request " + requestId + " '" + name + "' to '" + to + "' got no reply within " + timeout.toMillis() + " ms");
    this.requestId = requestId;
  }

  /** The request message's id. */
  public String requestId() {
    return requestId;
  }
}
