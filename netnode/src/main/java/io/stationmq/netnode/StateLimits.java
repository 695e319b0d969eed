package io.stationmq.netnode;

/**
 * The bounds of an endpoint's replicated state (see {@link OwnState}, {@link StateReplica} and
 * README, Replicated state): what one owner may hold, how many owners a replica table keeps, and
 * how much history the last-value cache keeps per owner. An owner that would pass a bound is
 * refused at once with an exception; a Station or replica that receives more than its bounds
 * allow drops the excess, counts it ({@link StateStats}) and logs it at a limited rate.
 *
 * <p>Worst-case memory of a Station's table: {@code maxOwners x (maxBytesPerOwner +
 * maxHistoryBytesPerOwner)} plus per-entry overhead; with the defaults about 1.25 GiB for
 * 1,000 full owners, 1.25 MiB each.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class StateLimits {
  private static final StateLimits DEFAULTS = builder().build();

  private final int maxOwners;
  private final int maxKeysPerOwner;
  private final int maxValueBytes;
  private final int maxBytesPerOwner;
  private final int historyLength;
  private final int maxHistoryBytesPerOwner;

  private StateLimits(Builder b) {
    this.maxOwners = b.maxOwners;
    this.maxKeysPerOwner = b.maxKeysPerOwner;
    this.maxValueBytes = b.maxValueBytes;
    this.maxBytesPerOwner = b.maxBytesPerOwner;
    this.historyLength = b.historyLength;
    this.maxHistoryBytesPerOwner = b.maxHistoryBytesPerOwner;
  }

  /** The defaults (1,000 owners, 1,000 keys, 16 KiB values, 256 KiB per owner, 100 entries of history, 1 MiB of history per owner). */
  public static StateLimits defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Owners a replica table (a Station's, a subscriber's) keeps; default 1,000. */
  public int maxOwners() {
    return maxOwners;
  }

  /** Keys one owner may hold; default 1,000. */
  public int maxKeysPerOwner() {
    return maxKeysPerOwner;
  }

  /** The largest value, in bytes of its JSON encoding; default 16 KiB. */
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /** The bytes of one owner's keys and encoded values together; default 256 KiB. */
  public int maxBytesPerOwner() {
    return maxBytesPerOwner;
  }

  /** History entries the last-value cache keeps per (owner, key); default 100 (0: none). */
  public int historyLength() {
    return historyLength;
  }

  /** The bytes of history the last-value cache keeps per owner, the oldest dropped first; default 1 MiB. */
  public int maxHistoryBytesPerOwner() {
    return maxHistoryBytesPerOwner;
  }

  @Override
  public String toString() {
    return "StateLimits{owners=" + maxOwners + ", keys=" + maxKeysPerOwner + ", valueBytes=" + maxValueBytes
        + ", bytesPerOwner=" + maxBytesPerOwner + ", history=" + historyLength + ", historyBytesPerOwner="
        + maxHistoryBytesPerOwner + "}";
  }

  /** Builds {@link StateLimits}; each setter rejects a value out of range. Not thread-safe. */
  public static final class Builder {
    private int maxOwners = 1_000;
    private int maxKeysPerOwner = 1_000;
    private int maxValueBytes = 16 << 10;
    private int maxBytesPerOwner = 256 << 10;
    private int historyLength = 100;
    private int maxHistoryBytesPerOwner = 1 << 20;

    private Builder() {}

    /** See {@link StateLimits#maxOwners()}; at least 1. */
    public Builder maxOwners(int n) {
      this.maxOwners = atLeast(n, 1, "maxOwners");
      return this;
    }

    /** See {@link StateLimits#maxKeysPerOwner()}; at least 1. */
    public Builder maxKeysPerOwner(int n) {
      this.maxKeysPerOwner = atLeast(n, 1, "maxKeysPerOwner");
      return this;
    }

    /** See {@link StateLimits#maxValueBytes()}; at least 4 (the size of {@code null}). */
    public Builder maxValueBytes(int n) {
      this.maxValueBytes = atLeast(n, 4, "maxValueBytes");
      return this;
    }

    /** See {@link StateLimits#maxBytesPerOwner()}; at least 1. */
    public Builder maxBytesPerOwner(int n) {
      this.maxBytesPerOwner = atLeast(n, 1, "maxBytesPerOwner");
      return this;
    }

    /** See {@link StateLimits#historyLength()}; at least 0. */
    public Builder historyLength(int n) {
      this.historyLength = atLeast(n, 0, "historyLength");
      return this;
    }

    /** See {@link StateLimits#maxHistoryBytesPerOwner()}; at least 0. */
    public Builder maxHistoryBytesPerOwner(int n) {
      this.maxHistoryBytesPerOwner = atLeast(n, 0, "maxHistoryBytesPerOwner");
      return this;
    }

    private static int atLeast(int n, int min, String name) {
      if (n < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", got " + n);
      }
      return n;
    }

    /** The limits. */
    public StateLimits build() {
      return new StateLimits(this);
    }
  }
}
