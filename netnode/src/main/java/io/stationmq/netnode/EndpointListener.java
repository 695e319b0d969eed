package io.stationmq.netnode;

import io.stationmq.message.Message;

/**
 * Hears about what goes wrong at an endpoint without stopping it: handler failures, unknown
 * keys, malformed input, unreachable recipients, failed deliveries. Every method has a no-op
 * default, so implement only what you need.
 *
 * <p>Called on the endpoint's callback thread (never its socket thread), one call at a time.
 * A listener that throws is logged and ignored. Every event is also logged and counted in
 * {@link EndpointStats}, so a listener is optional.
 */
public interface EndpointListener {
  /** A listen threw while handling {@code message}. */
  default void handlerFailed(Message message, Throwable error) {}

  /** A message arrived for a key with no listen and no fallback. */
  default void unknownKey(Message message) {}

  /** Input that could not be read was dropped; {@code source} says where it came from. */
  default void malformed(String source, String reason) {}

  /**
   * This endpoint could not pass a message on to {@code recipient} ({@code messageId} is null
   * when the body could not be read).
   */
  default void unreachable(String recipient, String messageId, String reason) {}

  /** A confirmed message this endpoint sent failed (ttl spent, unreachable, closed). */
  default void deliveryFailed(Message message, DeliveryException error) {}

  /** A listener that ignores everything. */
  EndpointListener NONE = new EndpointListener() {};
}
