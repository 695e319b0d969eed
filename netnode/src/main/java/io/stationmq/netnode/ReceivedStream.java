package io.stationmq.netnode;

/**
 * What an endpoint has received of one stream (one sender's {@code STREAM} batches with one
 * batch-id prefix). Streams are unconfirmed, so a lost batch is detected from the gap it
 * leaves in the batch numbers ({@code "{stream}_{n}"}). Immutable.
 *
 * @param sender the stream's sender id
 * @param stream the batch-id prefix that names the stream
 * @param key the inner key its samples are dispatched under
 * @param samples samples received
 * @param batches batches received
 * @param gaps batches missing between received ones
 */
public record ReceivedStream(String sender, String stream, String key, long samples, long batches, long gaps) {}
