package io.stationmq.netnode;

/**
 * A snapshot of an endpoint's replicated-state counters (see {@link Endpoint#stateStats()}), all
 * counted since it started. Immutable.
 *
 * @param applied changes and snapshots applied to the replica table
 * @param stale changes and snapshots ignored because the replica already had them (repeats,
 *     late arrivals)
 * @param gaps changes that skipped a sequence number: each made the replica ask for a snapshot
 * @param snapshotsRequested snapshots asked for (gaps, late joins, reconnects)
 * @param sent changes and snapshots this endpoint sent (its own, and a Station's fan-out)
 * @param refused changes, keys, values and owners dropped for passing {@link StateLimits}
 * @param malformed state messages and requests that could not be read
 * @param listenerErrors {@link StateListener} calls that threw
 */
public record StateStats(long applied, long stale, long gaps, long snapshotsRequested, long sent, long refused,
    long malformed, long listenerErrors) {}
