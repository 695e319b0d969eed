package io.stationmq.netnode;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one {@link SampleStream}. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: to the node's upstream, batches of 64 samples or 5 ms (whichever comes first),
 * a queue of 10,000 samples that drops the oldest when full (the Python behaviour), no subject
 * or pilot header.
 */
public final class StreamOptions {
  private final String to;
  private final int batchSize;
  private final Duration maxDelay;
  private final int capacity;
  private final Overflow overflow;
  private final String subject;
  private final String pilot;

  private StreamOptions(Builder b) {
    this.to = b.to;
    this.batchSize = b.batchSize;
    this.maxDelay = b.maxDelay;
    this.capacity = b.capacity;
    this.overflow = b.overflow;
    this.subject = b.subject;
    this.pilot = b.pilot;
  }

  /** All defaults. */
  public static StreamOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The recipient; null means the node's upstream. */
  public String to() {
    return to;
  }

  /** Samples per batch (the Python {@code min_size}); 1 sends every sample as its own message. Default 64. */
  public int batchSize() {
    return batchSize;
  }

  /** Longest a sample waits for its batch to fill before a partial batch is sent. Default 5 ms. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** Samples the queue holds (the Python {@code q_size}). Default 10,000. */
  public int capacity() {
    return capacity;
  }

  /** What a push does when the queue is full. Default {@link Overflow#DROP_OLDEST}. */
  public Overflow overflow() {
    return overflow;
  }

  /** The {@code subject} header (e.g. the animal), or null. */
  public String subject() {
    return subject;
  }

  /** The {@code pilot} header (the rig), or null. */
  public String pilot() {
    return pilot;
  }

  /** Builds {@link StreamOptions}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String to;
    private int batchSize = 64;
    private Duration maxDelay = Duration.ofMillis(5);
    private int capacity = 10_000;
    private Overflow overflow = Overflow.DROP_OLDEST;
    private String subject;
    private String pilot;

    private Builder() {}

    /** See {@link StreamOptions#to()}. */
    public Builder to(String to) {
      this.to = to;
      return this;
    }

    /** See {@link StreamOptions#batchSize()}. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** See {@link StreamOptions#maxDelay()}. */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
      return this;
    }

    /** See {@link StreamOptions#capacity()}. */
    public Builder capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /** See {@link StreamOptions#overflow()}. */
    public Builder overflow(Overflow overflow) {
      this.overflow = Objects.requireNonNull(overflow, "overflow");
      return this;
    }

    /** See {@link StreamOptions#subject()}. */
    public Builder subject(String subject) {
      this.subject = subject;
      return this;
    }

    /** See {@link StreamOptions#pilot()}. */
    public Builder pilot(String pilot) {
      this.pilot = pilot;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the setting out of range
     */
    public StreamOptions build() {
      if (batchSize < 1 || batchSize > 100_000) {
        throw new IllegalArgumentException("batchSize must be 1..100000, got " + batchSize);
      }
      if (maxDelay.isNegative()) {
        throw new IllegalArgumentException("maxDelay must not be negative");
      }
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive, got " + capacity);
      }
      return new StreamOptions(this);
    }
  }
}
