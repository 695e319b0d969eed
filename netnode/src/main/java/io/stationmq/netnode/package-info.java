/**
 * NetNode, the endpoint that lives in a hardware controller, and the types both stationmq
 * endpoints share.
 *
 * <p>Start with {@link io.stationmq.netnode.NetNode}: build one, register {@link
 * io.stationmq.netnode.Listen listens} per message key, and send with {@link
 * io.stationmq.netnode.Endpoint#send(io.stationmq.message.Message) send} (fire and forget)
 * or {@link io.stationmq.netnode.Endpoint#sendConfirmed(io.stationmq.message.Message)
 * sendConfirmed} (a future of a {@link io.stationmq.netnode.DeliveryReceipt}). Engine
 * settings live in {@link io.stationmq.netnode.EndpointOptions}. The threading model is in
 * the repository's {@code CONCURRENCY.md}. The package {@code io.stationmq.netnode.internal}
 * is not public API.
 */
package io.stationmq.netnode;
