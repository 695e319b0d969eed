package io.stationmq.netnode;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How far one endpoint's wall clock is from its Station's, as estimated by NTP-style {@code
 * TIME} exchanges (see the README, "Clock offsets"): {@link #offset()} is the endpoint's clock
 * minus the Station's (positive when the endpoint's clock is ahead), and the true offset lies
 * within {@link #uncertainty()} of it at {@link #measuredAt()}, provided the clocks' rates stay
 * within {@link #drift()} ± {@link #driftUncertainty()} of each other. {@link #at(Instant)}
 * carries the estimate to another time; {@link #toReference(Instant)} and {@link
 * #fromReference(Instant)} convert timestamps.
 *
 * <p>An endpoint's own estimate is {@link NetNode#clockOffset()}; a Station's view of each
 * peer's is {@link DirectoryEntry#clockOffset()}. Before the first exchange (or with a Python
 * upstream, which answers none) the offset is {@link #unknown()}: {@link #isKnown()} is false
 * and conversions return their argument unchanged.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClockOffset {
  private static final ClockOffset UNKNOWN = new ClockOffset(0, Long.MAX_VALUE, 0, 0, 0, Instant.EPOCH);

  private final long offsetNanos;
  private final long uncertaintyNanos;
  private final double driftPpm;
  private final double driftUncertaintyPpm;
  private final int samples;
  private final Instant measuredAt;

  ClockOffset(long offsetNanos, long uncertaintyNanos, double driftPpm, double driftUncertaintyPpm, int samples,
      Instant measuredAt) {
    if (uncertaintyNanos < 0 || driftUncertaintyPpm < 0 || samples < 0) {
      throw new IllegalArgumentException("uncertainties and samples must not be negative");
    }
    this.offsetNanos = offsetNanos;
    this.uncertaintyNanos = uncertaintyNanos;
    this.driftPpm = driftPpm;
    this.driftUncertaintyPpm = driftUncertaintyPpm;
    this.samples = samples;
    this.measuredAt = Objects.requireNonNull(measuredAt, "measuredAt");
  }

  /** No estimate (yet): no exchange has succeeded. */
  public static ClockOffset unknown() {
    return UNKNOWN;
  }

  /** False before the first successful exchange. */
  public boolean isKnown() {
    return samples > 0;
  }

  /** The endpoint's clock minus its Station's at {@link #measuredAt()}; zero when unknown. */
  public Duration offset() {
    return Duration.ofNanos(offsetNanos);
  }

  /** {@link #offset()} in nanoseconds. */
  public long offsetNanos() {
    return offsetNanos;
  }

  /**
   * The true offset lies within this of {@link #offset()} at {@link #measuredAt()}: half the
   * best round trip, narrowed by combining exchanges, plus what drift may have added since.
   * {@code Long.MAX_VALUE} nanoseconds when unknown.
   */
  public Duration uncertainty() {
    return Duration.ofNanos(uncertaintyNanos);
  }

  /** {@link #uncertainty()} in nanoseconds. */
  public long uncertaintyNanos() {
    return uncertaintyNanos;
  }

  /**
   * How fast the offset grows, in parts per million (microseconds per second): the endpoint's
   * clock runs this much faster than the Station's. 0 until exchanges span enough time to tell.
   */
  public double drift() {
    return driftPpm;
  }

  /** The bound on {@link #drift()}'s error, in ppm (an assumed 500 ppm until measured). */
  public double driftUncertainty() {
    return driftUncertaintyPpm;
  }

  /** How many exchanges the estimate rests on (0 when unknown). */
  public int samples() {
    return samples;
  }

  /** When the offset and uncertainty hold, on the clock of whoever made this value. */
  public Instant measuredAt() {
    return measuredAt;
  }

  /**
   * This estimate carried to {@code when}: the offset moved by the drift, the uncertainty grown
   * by the drift's uncertainty over the time between.
   */
  public ClockOffset at(Instant when) {
    if (!isKnown()) {
      return this;
    }
    double seconds = Duration.between(measuredAt, when).toNanos() / 1e9;
    long offset = offsetNanos + Math.round(driftPpm * 1e3 * seconds);
    long grown = uncertaintyNanos + (long) Math.ceil(driftUncertaintyPpm * 1e3 * Math.abs(seconds));
    return new ClockOffset(offset, grown, driftPpm, driftUncertaintyPpm, samples, when);
  }

  /** A time read on the endpoint's clock, converted to its Station's clock (unchanged when unknown). */
  public Instant toReference(Instant endpointTime) {
    return isKnown() ? endpointTime.minusNanos(at(endpointTime).offsetNanos) : endpointTime;
  }

  /** A time read on the Station's clock, converted to the endpoint's clock (unchanged when unknown). */
  public Instant fromReference(Instant stationTime) {
    return isKnown() ? stationTime.plusNanos(at(stationTime).offsetNanos) : stationTime;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClockOffset c && c.offsetNanos == offsetNanos && c.uncertaintyNanos == uncertaintyNanos
        && Double.compare(c.driftPpm, driftPpm) == 0 && Double.compare(c.driftUncertaintyPpm, driftUncertaintyPpm) == 0
        && c.samples == samples && c.measuredAt.equals(measuredAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(offsetNanos, uncertaintyNanos, driftPpm, driftUncertaintyPpm, samples, measuredAt);
  }

  /** For example {@code +250.012 ms ± 0.150 ms (drift +100.0 ± 3.1 ppm, 24 samples)}. */
  @Override
  public String toString() {
    if (!isKnown()) {
      return "unknown";
    }
    return String.format(java.util.Locale.ROOT, "%+.3f ms ± %.3f ms (drift %+.1f ± %.1f ppm, %d samples)", offsetNanos / 1e6,
        uncertaintyNanos / 1e6, driftPpm, driftUncertaintyPpm, samples);
  }
}
