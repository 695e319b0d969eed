package io.stationmq.netnode;

/**
 * A snapshot of a {@link SampleStream}'s counters. Immutable.
 *
 * @param pushed samples accepted by {@code push}
 * @param sent samples handed to the endpoint for sending
 * @param batches messages sent (STREAM batches, or single messages with batch size 1)
 * @param dropped samples dropped by {@link Overflow#DROP_OLDEST}, or because the endpoint's
 *     send queue stayed full or the endpoint closed
 * @param refused pushes refused by {@link Overflow#FAIL} or after close
 * @param queued samples waiting in the queue now
 */
public record StreamStats(long pushed, long sent, long batches, long dropped, long refused, int queued) {}
