package io.stationmq.transfer;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Transfers} sends and what it accepts. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code chunkBytes} (256 KiB): content per chunk; a chunk travels as base64, so a
 *       receiver's {@code EndpointOptions.maxMessageBytes} must allow about 4/3 of it.
 *   <li>{@code window} (8): chunks in flight and not yet confirmed, and how far past the bytes the
 *       receiver has on disk a sender may go: the memory either side holds for one transfer, and
 *       the most a resume sends again.
 *   <li>{@code chunkTimeout} (30 s): how long a chunk waits for its confirmation before the
 *       sender asks the receiver where to continue.
 *   <li>{@code resumeTimeout} (2 min): how long the sender keeps asking a receiver that does not
 *       answer before the transfer fails with code {@code unreachable}.
 *   <li>{@code maxFileBytes} (1 TiB): the largest declared size a receiver accepts ({@code
 *       too_large}).
 *   <li>{@code maxChunkBytes} (4 MiB): the largest chunk a receiver accepts ({@code bad_chunk}).
 * </ul>
 */
public final class TransferOptions {
  private final int chunkBytes;
  private final int window;
  private final Duration chunkTimeout;
  private final Duration resumeTimeout;
  private final long maxFileBytes;
  private final int maxChunkBytes;

  private TransferOptions(Builder b) {
    this.chunkBytes = b.chunkBytes;
    this.window = b.window;
    this.chunkTimeout = b.chunkTimeout;
    this.resumeTimeout = b.resumeTimeout;
    this.maxFileBytes = b.maxFileBytes;
    this.maxChunkBytes = b.maxChunkBytes;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults. */
  public static TransferOptions defaults() {
    return builder().build();
  }

  /** Content bytes per chunk. */
  public int chunkBytes() {
    return chunkBytes;
  }

  /** Chunks in flight at most. */
  public int window() {
    return window;
  }

  /** How long a chunk waits for its confirmation. */
  public Duration chunkTimeout() {
    return chunkTimeout;
  }

  /** How long a sender keeps trying to resume. */
  public Duration resumeTimeout() {
    return resumeTimeout;
  }

  /** The largest declared size accepted. */
  public long maxFileBytes() {
    return maxFileBytes;
  }

  /** The largest chunk accepted. */
  public int maxChunkBytes() {
    return maxChunkBytes;
  }

  /** Builds {@link TransferOptions}; not thread-safe. */
  public static final class Builder {
    private int chunkBytes = 256 << 10;
    private int window = 8;
    private Duration chunkTimeout = Duration.ofSeconds(30);
    private Duration resumeTimeout = Duration.ofMinutes(2);
    private long maxFileBytes = 1L << 40;
    private int maxChunkBytes = 4 << 20;

    private Builder() {}

    /** See {@link TransferOptions#chunkBytes()}. */
    public Builder chunkBytes(int bytes) {
      this.chunkBytes = bytes;
      return this;
    }

    /** See {@link TransferOptions#window()}. */
    public Builder window(int chunks) {
      this.window = chunks;
      return this;
    }

    /** See {@link TransferOptions#chunkTimeout()}. */
    public Builder chunkTimeout(Duration timeout) {
      this.chunkTimeout = Objects.requireNonNull(timeout, "chunkTimeout");
      return this;
    }

    /** See {@link TransferOptions#resumeTimeout()}. */
    public Builder resumeTimeout(Duration timeout) {
      this.resumeTimeout = Objects.requireNonNull(timeout, "resumeTimeout");
      return this;
    }

    /** See {@link TransferOptions#maxFileBytes()}. */
    public Builder maxFileBytes(long bytes) {
      this.maxFileBytes = bytes;
      return this;
    }

    /** See {@link TransferOptions#maxChunkBytes()}. */
    public Builder maxChunkBytes(int bytes) {
      this.maxChunkBytes = bytes;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the option out of range
     */
    public TransferOptions build() {
      require(chunkBytes >= 1 && chunkBytes <= maxChunkBytes,
          "chunkBytes must be 1 to maxChunkBytes (" + maxChunkBytes + "), got " + chunkBytes);
      require(window >= 1 && window <= 1024, "window must be 1 to 1024, got " + window);
      require(chunkTimeout.toMillis() >= 1, "chunkTimeout must be positive, got " + chunkTimeout);
      require(!resumeTimeout.isNegative(), "resumeTimeout must not be negative, got " + resumeTimeout);
      require(maxFileBytes >= 0, "maxFileBytes must not be negative, got " + maxFileBytes);
      return new TransferOptions(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
