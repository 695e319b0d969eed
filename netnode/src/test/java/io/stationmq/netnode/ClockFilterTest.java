package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The offset estimator against simulated clocks: a local clock with a known offset and drift
 * from a reference clock, exchanges with known (and asymmetric, and outlying) delays. The truth
 * must always lie within the stated uncertainty. No sockets, no threads.
 */
@Timeout(10)
class ClockFilterTest {
  private static final long US = 1_000;
  private static final long MS = 1_000_000;
  private static final long S = 1_000_000_000;
  private static final long EPOCH = 1_800_000_000L * S;

  /** A local clock: true time plus {@code offset} plus {@code drift} times the time since {@link #EPOCH}. */
  private static final class Clocks {
    long offset;
    final double drift;
    long now = EPOCH; // true time (the reference clock reads it exactly)

    Clocks(long offset, double driftPpm) {
      this.offset = offset;
      this.drift = driftPpm * 1e-6;
    }

    long local(long trueTime) {
      return trueTime + offset + Math.round(drift * (trueTime - EPOCH));
    }

    /** The true offset (local minus reference) at a true time. */
    long truth(long trueTime) {
      return local(trueTime) - trueTime;
    }

    /** One exchange starting now: {@code out} to the reference, {@code work} there, {@code back}. */
    ClockFilter.Sample exchange(long out, long work, long back) {
      long t0 = local(now);
      long t1 = now + out;
      long t2 = t1 + work;
      long t3 = local(t2 + back);
      now = t2 + back;
      return new ClockFilter.Sample(t0, t1, t2, t3);
    }
  }

  private static void assertWithin(Clocks c, ClockOffset e) {
    long truth = c.truth(c.now);
    long error = Math.abs(e.offsetNanos() - truth);
    assertTrue(error <= e.uncertaintyNanos(),
        "estimate " + e + " is " + error + " ns from the truth " + truth + " ns, beyond its uncertainty");
  }

  @Test
  void symmetricDelaysGiveTheOffsetWithinHalfTheRoundTrip() {
    Clocks c = new Clocks(250 * MS, 0);
    ClockFilter f = new ClockFilter();
    for (int i = 0; i < 8; i++) {
      f.add(c.exchange(100 * US, 20 * US, 100 * US));
    }
    ClockOffset e = f.estimate(c.local(c.now));
    assertWithin(c, e);
    assertTrue(Math.abs(e.offsetNanos() - 250 * MS) <= 2 * US, e.toString());
    assertTrue(e.uncertaintyNanos() <= 102 * US, "at most half the round trip (plus resolution): " + e);
    assertEquals(8, e.samples());
  }

  @Test
  void asymmetricDelaysStayWithinTheBound() {
    Clocks c = new Clocks(-40 * MS, 0);
    ClockFilter f = new ClockFilter();
    for (int i = 0; i < 8; i++) {
      f.add(c.exchange(50 * US, 10 * US, 2 * MS)); // the way back is 40 times slower
    }
    ClockOffset e = f.estimate(c.local(c.now));
    assertWithin(c, e);
    assertTrue(Math.abs(e.offsetNanos() + 40 * MS) > 900 * US, "asymmetry biases the midpoint: " + e);
    assertTrue(e.uncertaintyNanos() <= 1_030 * US, e.toString());
  }

  @Test
  void driftIsMeasuredAndTheTruthStaysWithinTheUncertaintyThroughout() {
    Clocks c = new Clocks(250 * MS, 100); // 250 ms ahead, gaining 100 us a second
    ClockFilter f = new ClockFilter();
    Random r = new Random(42);
    for (int i = 0; i < 200; i++) {
      long out = 50 * US + r.nextInt(400) * US;
      long back = 50 * US + r.nextInt(400) * US;
      f.add(c.exchange(out, 30 * US, back));
      assertWithin(c, f.estimate(c.local(c.now)));
      c.now += 2 * S - out - back;
      assertWithin(c, f.estimate(c.local(c.now))); // between exchanges, carried by the drift
    }
    ClockOffset e = f.estimate(c.local(c.now));
    assertTrue(Math.abs(e.drift() - 100) <= e.driftUncertainty(), e.toString());
    assertTrue(e.driftUncertainty() < 20, "a minute of exchanges pins the drift: " + e);
    assertTrue(e.uncertaintyNanos() < 500 * US, e.toString());
    Instant later = e.measuredAt().plusSeconds(10);
    ClockOffset carried = e.at(later);
    long truthLater = c.truth(c.now + 10 * S);
    assertTrue(Math.abs(carried.offsetNanos() - truthLater) <= carried.uncertaintyNanos(), carried.toString());
  }

  @Test
  void outliersAreTooWideToMatter() {
    Clocks c = new Clocks(3 * MS, 20);
    ClockFilter f = new ClockFilter();
    Random r = new Random(7);
    for (int i = 0; i < 100; i++) {
      boolean outlier = i % 3 == 1; // the first exchange is a good one
      long out = outlier ? 40 * MS + r.nextInt(20) * MS : 100 * US;
      long back = outlier ? r.nextInt(3) * MS : 100 * US;
      f.add(c.exchange(out, 10 * US, back));
      ClockOffset e = f.estimate(c.local(c.now));
      assertWithin(c, e);
      assertTrue(e.uncertaintyNanos() < 1 * MS, "outliers must not widen the estimate: " + e);
      c.now += S;
    }
  }

  @Test
  void impossibleExchangesAreRefused() {
    ClockFilter f = new ClockFilter();
    assertFalse(f.add(new ClockFilter.Sample(100, 50, 60, 90)), "answer back before it left");
    assertFalse(f.add(new ClockFilter.Sample(100, 60, 50, 200)), "sent before it received");
    assertFalse(f.add(new ClockFilter.Sample(100, 0, 1_000, 200)), "negative round trip");
    assertEquals(3, f.rejected());
    assertFalse(f.estimate(0).isKnown());
  }

  @Test
  void aClockSetMeanwhileRestartsTheWindow() {
    Clocks c = new Clocks(10 * MS, 0);
    ClockFilter f = new ClockFilter();
    for (int i = 0; i < 8; i++) {
      f.add(c.exchange(100 * US, 0, 100 * US));
    }
    c.offset = 1_010 * MS; // someone set the local clock a second ahead
    f.add(c.exchange(100 * US, 0, 100 * US));
    ClockOffset e = f.estimate(c.local(c.now));
    assertWithin(c, e);
    assertEquals(1, f.restarts());
    assertEquals(1, e.samples());
  }

  @Test
  void conversionsUseTheOffsetAndItsDrift() {
    Instant at = Instant.parse("2027-01-01T00:00:00Z");
    ClockOffset o = new ClockOffset(250 * MS, 100 * US, 100, 5, 10, at);
    assertEquals(at.minusMillis(250), o.toReference(at));
    assertEquals(at.plusMillis(250), o.fromReference(at));
    ClockOffset later = o.at(at.plusSeconds(10));
    assertEquals(250 * MS + MS, later.offsetNanos(), "100 ppm for 10 s is 1 ms");
    assertEquals(100 * US + 50 * US, later.uncertaintyNanos(), "5 ppm for 10 s is 50 us more");
    assertEquals(at.plusSeconds(10).minusNanos(251 * MS), o.toReference(at.plusSeconds(10)));
    assertEquals(at, ClockOffset.unknown().toReference(at));
    assertEquals("+250.000 ms ± 0.100 ms (drift +100.0 ± 5.0 ppm, 10 samples)", o.toString());
    assertEquals(Duration.ofMillis(250), o.offset());
  }
}
