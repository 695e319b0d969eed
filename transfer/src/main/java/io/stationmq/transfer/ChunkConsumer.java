package io.stationmq.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Takes the content of an incoming transfer in order, for a {@link TransferTarget#consumer}
 * target (a stream of the bytes instead of a file). Called on a worker thread of the receiving
 * endpoint, one chunk at a time and in order of offset, each byte once; a slow consumer slows
 * the sender (the window waits). An exception fails the transfer on both sides (code {@code
 * consumer}). A receiver restart starts such a transfer again from offset 0.
 */
@FunctionalInterface
public interface ChunkConsumer {
  /** The bytes at {@code offset} (a read-only buffer valid during the call only). */
  void accept(long offset, ByteBuffer bytes) throws IOException;
}
