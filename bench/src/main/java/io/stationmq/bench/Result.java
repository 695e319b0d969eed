package io.stationmq.bench;

import java.util.ArrayList;
import java.util.List;

/** The samples of both sides of one scenario, and the runs that failed. */
final class Result {
  final Scenario scenario;
  final List<Sample> stationmq = new ArrayList<>();
  final List<Sample> raw = new ArrayList<>();
  final List<String> failures = new ArrayList<>();

  Result(Scenario scenario) {
    this.scenario = scenario;
  }

  /** Figure {@code index} of every sample of a side. */
  static double[] figure(List<Sample> samples, int index) {
    return samples.stream().mapToDouble(s -> s.values()[index]).filter(v -> !Double.isNaN(v)).toArray();
  }

  /** stationmq's median over raw's median for figure {@code index}; NaN without samples. */
  double ratio(int index) {
    double[] a = figure(stationmq, index);
    double[] b = figure(raw, index);
    return a.length == 0 || b.length == 0 ? Double.NaN : Measure.median(a) / Measure.median(b);
  }

  /** stationmq's median of figure {@code index}; NaN without samples. */
  double stationmqMedian(int index) {
    double[] a = figure(stationmq, index);
    return a.length == 0 ? Double.NaN : Measure.median(a);
  }
}
