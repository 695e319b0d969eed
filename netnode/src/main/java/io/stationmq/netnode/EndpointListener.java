package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.List;

/**
 * Hears about what goes wrong at an endpoint without stopping it (handler failures, unknown
 * keys, malformed input, unreachable recipients, failed deliveries) and about liveness (peers
 * joining, turning suspect, leaving; the upstream connecting, lost, back, refusing). Every
 * method has a no-op default, so implement only what you need.
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

  /**
   * Station {@code station} dropped {@code count} of this endpoint's unconfirmed messages (the
   * last for {@code to}) because {@code reason}: a consumer that does not keep up, or no route.
   * Told at most once a second per Station; counted in {@link EndpointStats#droppedDownstream()}.
   */
  default void droppedDownstream(String station, String to, long count, String reason) {}

  /**
   * A confirmed message this endpoint sent failed (ttl spent, unreachable, closed), including
   * one resumed from its previous run's durable outbox (whose future died with that run).
   */
  default void deliveryFailed(Message message, DeliveryException error) {}

  /**
   * With a durable outbox ({@link Durability#outbox()}): confirmed messages that this endpoint's
   * previous run left in flight are being sent again. Their futures died with that run: one that
   * fails is reported to {@link #deliveryFailed}, one that is confirmed only counted. Called once,
   * soon after the endpoint is built, when there is anything to resume.
   */
  default void deliveriesResumed(List<Message> messages) {}

  /** A peer said HELLO or spoke again after it had left ({@code entry.status()} is ALIVE or UNKNOWN). */
  default void peerJoined(DirectoryEntry entry) {}

  /** A peer's liveness changed (ALIVE, SUSPECT); {@code reason} says why. */
  default void peerStatusChanged(DirectoryEntry entry, PeerStatus previous, String reason) {}

  /** A peer has been silent for the whole tolerance and is now DEAD. */
  default void peerLeft(DirectoryEntry entry, String reason) {}

  /** A peer was refused (a duplicate id, an incompatible protocol version). */
  default void peerRefused(String peerId, String reason) {}

  /** This endpoint's upstream answered its HELLO. */
  default void upstreamConnected(String upstreamId) {}

  /** This endpoint's upstream has been silent for the whole tolerance, or (a Python station) its connection closed. */
  default void upstreamLost(String upstreamId, String reason) {}

  /** This endpoint's upstream answers again (after a loss, or restarted); HELLO was sent again. */
  default void upstreamBack(String upstreamId, String reason) {}

  /** This endpoint's upstream refused it (duplicate id, incompatible protocol): it no longer sends upstream. */
  default void upstreamRefused(String upstreamId, String reason) {}

  /**
   * An endpoint that searches for its upstream (discovery, bootstrap addresses) tried every
   * candidate and none answered; {@code reason} says what was tried. Once per failure: it keeps
   * searching (with backoff) and says so again only after an upstream answered in between.
   */
  default void upstreamNotFound(String upstreamId, String reason) {}

  /**
   * This endpoint's standing with its upstream changed (see {@link UpstreamState}): called on
   * every change, so it alone tells when the upstream comes and goes. {@code reason} says why,
   * for instance which id the Station at the address has ({@link UpstreamState#WRONG_ID}).
   */
  default void upstreamChanged(String upstreamId, UpstreamState state, String reason) {}

  /** A listener that ignores everything. */
  EndpointListener NONE = new EndpointListener() {};
}
