/**
 * Large transfers between endpoints, on the public {@code io.stationmq.netnode} API only: a file
 * or any {@link io.stationmq.transfer.TransferSource} goes in confirmed chunks (requests), at
 * most a window of them in flight, with a SHA-256 over the whole content checked by the receiver,
 * resume after a reconnect or a restart of either side, and progress. Start with {@link
 * io.stationmq.transfer.Transfers}.
 */
package io.stationmq.transfer;
