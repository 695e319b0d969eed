package io.stationmq.bench;

import java.util.List;

/**
 * What one measured run of one side gives: its figures (one rate, or three percentiles), the
 * process CPU time it used per message (or per round trip), and anything that went wrong
 * meanwhile (drops, failures, lost messages), which the report lists.
 */
record Sample(double[] values, double cpuMicros, List<String> problems) {
  static Sample of(Measure.Rate rate, List<String> problems) {
    return new Sample(new double[] {rate.perSecond()}, rate.cpuMicrosPerEvent(), List.copyOf(problems));
  }

  static Sample of(double[] values, double cpuMicros, List<String> problems) {
    return new Sample(values.clone(), cpuMicros, List.copyOf(problems));
  }

  /** This sample with one more problem. */
  Sample withProblem(String problem) {
    List<String> all = new java.util.ArrayList<>(problems);
    all.add(problem);
    return new Sample(values, cpuMicros, List.copyOf(all));
  }
}
