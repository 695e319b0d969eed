/**
 * The two stationmq endpoints, {@link io.stationmq.netnode.NetNode} (in a rig, a DAQ box, a
 * camera) and {@link io.stationmq.netnode.Station} (the hub they connect to), and the types
 * they share.
 *
 * <p>Start with {@link io.stationmq.netnode.NetNode}: build one, register {@link
 * io.stationmq.netnode.Listen listens} per message key, and send with {@link
 * io.stationmq.netnode.Endpoint#send(io.stationmq.message.Message) send} (fire and forget)
 * or {@link io.stationmq.netnode.Endpoint#sendConfirmed(io.stationmq.message.Message)
 * sendConfirmed} (a future of a {@link io.stationmq.netnode.DeliveryReceipt}). Engine
 * settings live in {@link io.stationmq.netnode.EndpointOptions}. Publish and subscribe across
 * a Station tree with {@link io.stationmq.netnode.Endpoint#topics()} ({@link
 * io.stationmq.netnode.Topics}). The threading model is in
 * the repository's {@code CONCURRENCY.md}. Only the public types here are API: the engine both
 * faces share, and its parts, are package-private.
 */
package io.stationmq.netnode;
