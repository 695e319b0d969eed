package io.stationmq.netnode;

import java.time.Duration;

/**
 * Proof that a confirmed message arrived: its id, recipient, how many times it was sent, and
 * the time from the first send to the confirmation. Immutable.
 *
 * @param messageId the confirmed message's id
 * @param recipient the final recipient
 * @param attempts how many times it was sent (1 when no repeat was needed)
 * @param roundTrip time from the first send to the confirmation
 */
public record DeliveryReceipt(String messageId, String recipient, int attempts, Duration roundTrip) {}
