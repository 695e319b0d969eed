package io.stationmq.bridge;

import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.StreamOptions;
import java.util.function.LongSupplier;

/**
 * What every {@link Bridge} shares: the key it forwards under, to whom, how ({@link
 * Forwarding}), decimation ({@code every}), a rate limit and the bound on confirmed messages in
 * flight. Immutable and thread-safe; {@link Builder#build()} throws {@link
 * IllegalArgumentException} for a bad value.
 *
 * <p>Order of the steps: each input is decoded (malformed ones counted and dropped), then
 * decimated (every {@code every}-th decoded input is kept, the others counted), then rate
 * limited (a token bucket of {@code maxRate} per second holding at most one second's worth;
 * what finds it empty is counted and dropped, never queued), then forwarded.
 */
public final class BridgeOptions {
  private final String key;
  private final String to;
  private final Forwarding forwarding;
  private final long every;
  private final double maxRate;
  private final int maxInFlight;
  private final StreamOptions streamOptions;
  private final LongSupplier nanoClock;

  private BridgeOptions(Builder b) {
    this.key = b.key;
    this.to = b.to;
    this.forwarding = b.forwarding;
    this.every = b.every;
    this.maxRate = b.maxRate;
    this.maxInFlight = b.maxInFlight;
    this.streamOptions = b.streamOptions != null ? b.streamOptions
        : StreamOptions.builder().to(b.to).overflow(Overflow.FAIL).build();
    this.nanoClock = b.nanoClock;
  }

  /** A builder; {@link Builder#key} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The key messages and stream samples are sent under. */
  public String key() {
    return key;
  }

  /** The recipient, or null for the node's upstream. */
  public String to() {
    return to;
  }

  public Forwarding forwarding() {
    return forwarding;
  }

  /** Keep every N-th decoded input (1: all). */
  public long every() {
    return every;
  }

  /** At most this many forwarded per second (0: no limit). */
  public double maxRate() {
    return maxRate;
  }

  /** With {@link Forwarding#CONFIRMED}: at most this many awaiting confirmation. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * With {@link Forwarding#STREAM}: the stream's options (default: {@link
   * StreamOptions#defaults()} but to {@link #to()} and with overflow {@link Overflow#FAIL}, so a
   * full stream is counted as dropped rather than blocking the bridge or dropping silently).
   */
  public StreamOptions streamOptions() {
    return streamOptions;
  }

  /** The clock the rate limit reads, in nanoseconds (default {@link System#nanoTime()}). */
  public LongSupplier nanoClock() {
    return nanoClock;
  }

  @Override
  public String toString() {
    return "BridgeOptions{key=" + key + ", to=" + to + ", " + forwarding + ", every=" + every + ", maxRate=" + maxRate
        + "}";
  }

  /** Builds {@link BridgeOptions}. Not thread-safe. */
  public static final class Builder {
    private String key;
    private String to;
    private Forwarding forwarding = Forwarding.STREAM;
    private long every = 1;
    private double maxRate;
    private int maxInFlight = 1000;
    private StreamOptions streamOptions;
    private LongSupplier nanoClock = System::nanoTime;

    private Builder() {}

    public Builder key(String key) {
      this.key = key;
      return this;
    }

    /** The recipient (default: the node's upstream). */
    public Builder to(String to) {
      this.to = to;
      return this;
    }

    public Builder forwarding(Forwarding forwarding) {
      this.forwarding = forwarding;
      return this;
    }

    /** Keep every N-th input, N ≥ 1 (default 1). */
    public Builder every(long every) {
      this.every = every;
      return this;
    }

    /** At most this many per second, more than 0 (default: no limit). */
    public Builder maxRate(double perSecond) {
      this.maxRate = perSecond;
      return this;
    }

    /** The bound on confirmed messages in flight, 1..1,000,000 (default 1,000). */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** The stream's options with {@link Forwarding#STREAM}; see {@link BridgeOptions#streamOptions()}. */
    public Builder streamOptions(StreamOptions streamOptions) {
      this.streamOptions = streamOptions;
      return this;
    }

    /** The rate limit's clock (for tests). */
    public Builder nanoClock(LongSupplier nanoClock) {
      this.nanoClock = nanoClock;
      return this;
    }

    public BridgeOptions build() {
      if (key == null || key.isEmpty()) {
        throw new IllegalArgumentException("key is required");
      }
      if (to != null && to.isEmpty()) {
        throw new IllegalArgumentException("to must be non-empty (or null for the upstream)");
      }
      if (forwarding == null || nanoClock == null) {
        throw new IllegalArgumentException("forwarding and nanoClock must not be null");
      }
      if (every < 1) {
        throw new IllegalArgumentException("every must be at least 1, got " + every);
      }
      if (!(maxRate >= 0 && maxRate <= 1e9)) {
        throw new IllegalArgumentException("maxRate must be 0 (no limit) or up to 1e9 per second, got " + maxRate);
      }
      if (maxInFlight < 1 || maxInFlight > 1_000_000) {
        throw new IllegalArgumentException("maxInFlight must be 1..1000000, got " + maxInFlight);
      }
      return new BridgeOptions(this);
    }
  }
}
