package io.stationmq.netnode;

/**
 * Handles a whole batch of stream samples in one call, for handlers that write batches (to a
 * file, a plot). Registered with {@link Endpoint#onBatch}. A single message under the same key
 * arrives as a batch of one. Runs on a worker thread like a {@link Listen}.
 */
@FunctionalInterface
public interface BatchListen {
  /** Handles one batch. */
  void handle(StreamBatch batch) throws Exception;
}
