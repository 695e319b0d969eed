package io.stationmq.record;

/**
 * A snapshot of a {@link Recorder}'s counters. Immutable.
 *
 * @param samples stream samples accepted (handed to the journal writer)
 * @param messages keyed messages accepted
 * @param lostBatches stream batches the network lost before they reached the recorder (gaps in
 *     batch numbers)
 * @param droppedSamples samples the recorder dropped because its buffer was full (the disk did
 *     not keep up)
 * @param droppedMessages keyed messages dropped for the same reason
 * @param bufferedBytes bytes waiting for the writer now
 * @param journalBytes bytes written to the journal so far
 * @param flushes flushes of the journal to disk
 * @param writeFailures failed writes (the recording stops being written after the first)
 */
public record RecorderStats(long samples, long messages, long lostBatches, long droppedSamples,
    long droppedMessages, long bufferedBytes, long journalBytes, long flushes, long writeFailures) {}
