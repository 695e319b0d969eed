package io.stationmq.bridge;

/**
 * How a {@link Bridge} hands what it received to the network.
 *
 * <ul>
 *   <li>{@link #STREAM} (the default): samples go into a {@link io.stationmq.netnode.SampleStream}
 *       from {@code NetNode.getStream}, batched and unconfirmed; for high-rate sensors. A full
 *       stream queue refuses the sample, counted as dropped.
 *   <li>{@link #CONFIRMED}: each one is a confirmed message, repeated until the recipient
 *       confirms; for low-rate events that must not be lost. At most {@link
 *       BridgeOptions#maxInFlight()} are unconfirmed at a time; beyond that they are dropped and
 *       counted, never queued without bound. A failed delivery is counted in {@link
 *       BridgeStats#failed()}.
 *   <li>{@link #UNCONFIRMED}: each one is a message sent at most once; a full send queue
 *       drops it, counted.
 * </ul>
 */
public enum Forwarding {
  STREAM,
  CONFIRMED,
  UNCONFIRMED
}
