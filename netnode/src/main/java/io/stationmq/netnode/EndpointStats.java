package io.stationmq.netnode;

/**
 * A snapshot of an endpoint's counters, all counted since it started. Immutable.
 *
 * @param received messages (frame lists) read from its sockets, pings included
 * @param sent messages written to its sockets (confirmations and forwards included)
 * @param forwarded messages passed on to another endpoint without decoding (Stations)
 * @param dispatched listen calls made (one per stream sample)
 * @param confirmsSent confirmations sent for messages received
 * @param confirmsReceived confirmations received for messages sent
 * @param repeated re-sends of unconfirmed messages
 * @param duplicates repeated messages recognised and confirmed again without handling
 * @param dedupEvictedEarly ids of received confirmed messages forgotten before {@link
 *     EndpointOptions#dedupWindow()} ended because {@link EndpointOptions#dedupCapacity()} was
 *     full; a repeat of one of them is handled again
 * @param unreachable messages that could not be passed on or sent for lack of a route
 * @param malformed inputs dropped because their frames or body could not be read
 * @param oversize inputs dropped for exceeding {@link EndpointOptions#maxMessageBytes()}
 * @param handlerErrors listen calls that threw
 * @param unknownKeys messages for keys with no listen
 * @param ttlExpired confirmed messages that failed with their ttl spent or at their {@link
 *     EndpointOptions#maxDeliveryTime()}
 * @param dropped messages that could not be written because a peer's queue was full
 * @param lateReplies replies that came after their request timed out (or to no request)
 * @param refused messages not acted on for lack of authority: an admin-only key (such as a
 *     Station's {@code KILL}) from a peer that is neither an admin nor the upstream, and
 *     stream batches whose inner key is a built-in or admin-only key
 * @param inFlight confirmed messages now waiting for confirmation
 * @param authFailures with {@link EndpointOptions#security()}: connections refused during the
 *     CURVE handshake (a key not in the allowlist, a peer without CURVE or with another server
 *     key) and messages refused because their id is pinned to another key
 * @param handovers times a peer's id, still alive here, came in over a new connection: a quick
 *     reconnect, or another endpoint taking over the id (a ROUTER hands an id to its newest
 *     connection); each is logged with both addresses
 * @param resumed with a durable outbox ({@link Durability#outbox()}): confirmed messages left
 *     in flight by this endpoint's previous run and sent again by this one
 * @param crashedWhileHandling with a durable de-duplication window: repeats of messages that
 *     were queued for or running in a listen when this endpoint's previous run died, answered
 *     with a {@link ReceiverCrashedException} for their sender instead of being handled again
 * @param storeFailures writes to the durable store that failed (a full disk, an I/O error),
 *     and records not written because the store had failed earlier in this run
 * @param droppedDownstream this endpoint's unconfirmed messages that a Station reported it dropped
 *     ({@code SMQ_DROPPED}: a consumer that did not keep up, or no route); its own drops are in
 *     {@code dropped}
 */
public record EndpointStats(
    long received,
    long sent,
    long forwarded,
    long dispatched,
    long confirmsSent,
    long confirmsReceived,
    long repeated,
    long duplicates,
    long dedupEvictedEarly,
    long unreachable,
    long malformed,
    long oversize,
    long handlerErrors,
    long unknownKeys,
    long ttlExpired,
    long dropped,
    long lateReplies,
    long inFlight,
    long refused,
    long authFailures,
    long handovers,
    long resumed,
    long crashedWhileHandling,
    long storeFailures,
    long droppedDownstream) {}
