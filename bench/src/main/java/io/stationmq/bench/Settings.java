package io.stationmq.bench;

import java.time.Duration;

/**
 * How long and how often {@link BenchMain} measures.
 *
 * @param runs measured runs per side of each scenario (the report gives their median)
 * @param measure how long a throughput run counts messages
 * @param ramp how long a throughput run sends before it starts counting
 * @param roundTrips timed round trips per latency run
 * @param settleRoundTrips untimed round trips at the start of each latency run, on fresh
 *     connections and threads, before the timed ones
 * @param warmupRoundTrips round trips of the latency warm-up
 * @param unconfirmedWindow most messages sent but not yet received in the unconfirmed
 *     scenarios, so that no high-water mark is reached and nothing is dropped
 * @param confirmWindow most confirmed messages in flight in the confirmed scenarios
 */
record Settings(
    int runs,
    Duration measure,
    Duration ramp,
    int roundTrips,
    int settleRoundTrips,
    int warmupRoundTrips,
    int unconfirmedWindow,
    int confirmWindow) {

  /** The defaults: 5 runs of about 2 s, 20,000 round trips. */
  static Settings full() {
    return new Settings(5, Duration.ofSeconds(2), Duration.ofMillis(300), 20_000, 500, 5_000, 5_000, 1_000);
  }

  /** {@code --quick}: 2 runs of about 0.5 s, 3,000 round trips. */
  static Settings quick() {
    return new Settings(2, Duration.ofMillis(500), Duration.ofMillis(200), 3_000, 200, 1_000, 5_000, 1_000);
  }

  Settings withRuns(int runs) {
    return new Settings(runs, measure, ramp, roundTrips, settleRoundTrips, warmupRoundTrips, unconfirmedWindow, confirmWindow);
  }

  /** The round trips of one latency run, fewer when warming up. */
  int roundTrips(boolean warmup) {
    return warmup ? warmupRoundTrips : roundTrips;
  }
}
