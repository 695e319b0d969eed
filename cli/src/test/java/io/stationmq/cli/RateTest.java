package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The arithmetic of {@code hz}, with made-up arrival times. */
@Timeout(10)
class RateTest {
  private static final long MS = 1_000_000;

  @Test
  void plainMessagesAreArrivalsEachWithMeanJitterAndMax() {
    Rate rate = new Rate(0);
    long[] at = {0, 10, 20, 40};
    for (int i = 0; i < at.length; i++) {
      rate.add("rig", "rig_" + i, at[i] * MS);
    }
    Rate.Window w = rate.take(1000 * MS);
    assertEquals(4, w.messages());
    assertEquals(4, w.arrivals());
    assertEquals(4.0, w.messagesPerSecond(), 1e-9);
    assertEquals(40.0 / 3, w.meanMillis(), 1e-9);
    // intervals 10, 10, 20: standard deviation sqrt(200/9)
    assertEquals(Math.sqrt(200.0 / 9), w.jitterMillis(), 1e-9);
    assertEquals(20.0, w.maxMillis(), 1e-9);
  }

  @Test
  void theSamplesOfOneBatchAreOneArrivalAndWindowsStartAfresh() {
    Rate rate = new Rate(0);
    for (int batch = 0; batch < 3; batch++) {
      for (int sample = 0; sample < 8; sample++) {
        rate.add("cam", "s_" + batch, (batch * 5 + sample / 100) * MS);
      }
    }
    Rate.Window w = rate.take(500 * MS);
    assertEquals(24, w.messages());
    assertEquals(3, w.arrivals());
    assertEquals(48.0, w.messagesPerSecond(), 1e-9);
    assertEquals(5.0, w.meanMillis(), 1e-9);
    assertEquals(0.0, w.jitterMillis(), 1e-9);

    Rate.Window empty = rate.take(1000 * MS);
    assertEquals(0, empty.messages());
    assertTrue(Double.isNaN(empty.meanMillis()));
    rate.add("cam", "s_3", 1005 * MS); // the interval from the last arrival of the previous window counts
    assertEquals(1005.0 - 10.0, rate.take(1500 * MS).meanMillis(), 1e-9);
  }
}
