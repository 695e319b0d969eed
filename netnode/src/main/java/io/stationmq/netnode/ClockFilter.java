package io.stationmq.netnode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The clock offset estimator: a sliding window of NTP-style exchanges with the reference clock
 * (the upstream Station's), turned into an offset, a drift and a bound on their errors.
 *
 * <p>One exchange: this side reads its clock when it sends ({@code t0}), the reference stamps
 * when it received and answered ({@code t1}, {@code t2}, its clock), this side reads its clock
 * when the answer is back ({@code t3}). The reference's reading happened somewhere between
 * {@code t0} and {@code t3} on this clock, so the offset (this clock minus the reference's) at
 * the exchange's midpoint is {@code ((t0 - t1) + (t3 - t2)) / 2} within half the round trip
 * {@code (t3 - t0) - (t2 - t1)}: a bound, not a statistic, whatever the delays' asymmetry. (NTP
 * writes the offset with the opposite sign, reference minus local.)
 *
 * <p>Drift: the two exchanges at least {@link #MIN_DRIFT_SPAN_NANOS} apart whose bounds give
 * the tightest slope bound {@code (h_a + h_b) / span} set the drift and its bound; until such a
 * pair exists, drift is taken as 0 within an assumed {@link #PRIOR_DRIFT_PPM}. Each exchange in
 * the window, carried to now with the drift, bounds the offset now within its half round trip
 * plus the drift bound times its age; the estimate is the intersection of these bounds (the
 * exchange with the shortest round trip dominates, as in NTP's clock filter and LSL, and an
 * exchange delayed on the way, an outlier, is too wide to matter). An empty intersection means
 * a clock was set meanwhile: the window then restarts from the newest exchange.
 *
 * <p>Not thread-safe; times are epoch nanoseconds of this side's wall clock, passed in.
 */
final class ClockFilter {
  /** Exchanges kept. */
  static final int WINDOW = 32;
  /** The drift assumed possible before it is measured (NTP's limit for a clock's frequency error). */
  static final double PRIOR_DRIFT_PPM = 500;
  /** The least time between the two exchanges that measure the drift. */
  static final long MIN_DRIFT_SPAN_NANOS = 5_000_000_000L;
  /** Added to every bound: the clocks' readings are truncated to a microsecond on some systems. */
  static final long RESOLUTION_NANOS = 1_000;

  /** One exchange: {@code t0}, {@code t3} on this clock, {@code t1}, {@code t2} on the reference's. */
  record Sample(long t0, long t1, long t2, long t3) {
    /** This clock minus the reference's, at {@link #midpoint()}. */
    long offset() {
      return Math.floorDiv((t0 - t1) + (t3 - t2), 2);
    }

    long roundTrip() {
      return (t3 - t0) - (t2 - t1);
    }

    /** The bound on {@link #offset()}'s error: half the round trip, plus the clocks' resolution. */
    long halfWidth() {
      return roundTrip() / 2 + 1 + RESOLUTION_NANOS;
    }

    long midpoint() {
      return t0 + (t3 - t0) / 2;
    }
  }

  private final ArrayDeque<Sample> window = new ArrayDeque<>();
  private long rejected;
  private long restarts;

  /**
   * Adds an exchange; false (and not kept) when it is impossible: a negative round trip or the
   * reference answering before it received.
   */
  boolean add(Sample s) {
    if (s.t3() < s.t0() || s.t2() < s.t1() || s.roundTrip() < 0) {
      rejected++;
      return false;
    }
    if (window.size() == WINDOW) {
      window.removeFirst();
    }
    window.addLast(s);
    return true;
  }

  int size() {
    return window.size();
  }

  /** Exchanges refused as impossible. */
  long rejected() {
    return rejected;
  }

  /** Times the window restarted because the exchanges contradicted each other (a clock was set). */
  long restarts() {
    return restarts;
  }

  /** The estimate at {@code now} (this clock's epoch nanoseconds); {@link ClockOffset#unknown()} without exchanges. */
  ClockOffset estimate(long now) {
    if (window.isEmpty()) {
      return ClockOffset.unknown();
    }
    double[] drift = drift();
    ClockOffset e = intersect(now, drift[0], drift[1]);
    if (e == null) {
      restarts++;
      Sample newest = window.getLast();
      window.clear();
      window.add(newest);
      e = intersect(now, 0, PRIOR_DRIFT_PPM * 1e-6);
    }
    return e;
  }

  /** {drift, bound on its error} as fractions (1e-6 is 1 ppm). */
  private double[] drift() {
    List<Sample> s = new ArrayList<>(window);
    double best = PRIOR_DRIFT_PPM * 1e-6;
    double drift = 0;
    for (int a = 0; a < s.size(); a++) {
      for (int b = a + 1; b < s.size(); b++) {
        long span = s.get(b).midpoint() - s.get(a).midpoint();
        if (span < MIN_DRIFT_SPAN_NANOS) {
          continue;
        }
        double bound = (double) (s.get(a).halfWidth() + s.get(b).halfWidth()) / span;
        if (bound < best) {
          best = bound;
          drift = (double) (s.get(b).offset() - s.get(a).offset()) / span;
        }
      }
    }
    return new double[] {drift, best};
  }

  /** The intersection of every exchange's bound carried to {@code now}, or null when empty. */
  private ClockOffset intersect(long now, double drift, double driftBound) {
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.POSITIVE_INFINITY;
    for (Sample s : window) {
      long age = now - s.midpoint();
      double center = s.offset() + drift * age;
      double half = s.halfWidth() + driftBound * Math.abs(age);
      lo = Math.max(lo, center - half);
      hi = Math.min(hi, center + half);
    }
    if (lo > hi) {
      return null;
    }
    long offset = Math.round((lo + hi) / 2);
    long uncertainty = (long) Math.ceil((hi - lo) / 2);
    return new ClockOffset(offset, uncertainty, drift * 1e6, driftBound * 1e6, window.size(), WallTime.instant(now));
  }
}
