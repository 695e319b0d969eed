package io.stationmq.transfer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an incoming transfer goes, as a {@link ReceiveHandler} decides: into a directory (as
 * {@code name.part}, renamed to {@code name} atomically once the hash checks; resumable across
 * restarts), to a {@link ChunkConsumer}, or refused with a reason the sender sees. Immutable.
 */
public final class TransferTarget {
  private final Path directory;
  private final ChunkConsumer consumer;
  private final String refusal;

  private TransferTarget(Path directory, ChunkConsumer consumer, String refusal) {
    this.directory = directory;
    this.consumer = consumer;
    this.refusal = refusal;
  }

  /** Into {@code directory}, which must exist; the name must be a plain file name. */
  public static TransferTarget directory(Path directory) {
    return new TransferTarget(directory.toAbsolutePath().normalize(), null, null);
  }

  /** To {@code consumer}, in order. */
  public static TransferTarget consumer(ChunkConsumer consumer) {
    return new TransferTarget(null, Objects.requireNonNull(consumer), null);
  }

  /** Refused; the sender's future fails with code {@code refused} and this reason. */
  public static TransferTarget refuse(String reason) {
    return new TransferTarget(null, null, Objects.requireNonNull(reason));
  }

  Path directory() {
    return directory;
  }

  ChunkConsumer consumer() {
    return consumer;
  }

  String refusal() {
    return refusal;
  }
}
