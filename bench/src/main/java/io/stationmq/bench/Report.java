package io.stationmq.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** Prints the results: one table of medians and ratios, then every run and every problem. */
final class Report {
  private final PrintStream out;

  Report(PrintStream out) {
    this.out = out;
  }

  void print(List<Result> results, String header) {
    out.println();
    out.println(header);
    out.println();
    out.println("| scenario | stationmq | raw JeroMQ | ratio | floor |");
    out.println("|---|---|---|---|---|");
    for (Result r : results) {
      Scenario sc = r.scenario;
      List<String> figures = sc.figures();
      for (int i = 0; i < figures.size(); i++) {
        String unit = sc.latency() ? figures.get(i) + " µs" : "msgs/s";
        String floor = "";
        if (i == sc.floorFigure()) {
          floor = (sc.latency() ? "≤ " : "≥ ") + fmt(sc.floor(), 1) + verdict(sc.meetsFloor(r.ratio(i)), r.ratio(i));
        }
        out.printf("| %d. %s, %s | %s | %s | %s | %s |%n", sc.number(), sc.title(), unit,
            cell(Result.figure(r.stationmq, i)), cell(Result.figure(r.raw, i)), fmt(r.ratio(i), 2), floor);
      }
      if (sc.absoluteFloor() > 0) {
        double rate = r.stationmqMedian(0);
        out.printf("| %d. %s, absolute stationmq rate, msgs/s | %s | | | ≥ %s%s |%n", sc.number(), sc.title(),
            whole(rate), whole(sc.absoluteFloor()), verdict(rate >= sc.absoluteFloor(), rate));
      }
    }
    out.println();
    out.println("Ratio: stationmq median / raw median (for µs rows: stationmq / raw, lower is better). "
        + "Cells: median (min–max) of the runs.");
    printCpu(results);
    printRuns(results);
  }

  /** CPU per message: a figure that other load on the machine disturbs less than rates. */
  private void printCpu(List<Result> results) {
    out.println();
    out.println("CPU time of this JVM (all threads) per message, or per round trip for 5, in µs: lower is better.");
    out.println();
    out.println("| scenario | stationmq | raw JeroMQ | ratio |");
    out.println("|---|---|---|---|");
    for (Result r : results) {
      double[] a = cpu(r.stationmq);
      double[] b = cpu(r.raw);
      double ratio = a.length == 0 || b.length == 0 ? Double.NaN : Measure.median(a) / Measure.median(b);
      out.printf("| %d. %s | %s | %s | %s |%n", r.scenario.number(), r.scenario.title(), cell(a, 1), cell(b, 1), fmt(ratio, 2));
    }
  }

  private static double[] cpu(List<Sample> samples) {
    return samples.stream().mapToDouble(Sample::cpuMicros).filter(v -> !Double.isNaN(v)).toArray();
  }

  private void printRuns(List<Result> results) {
    out.println();
    out.println("Runs (in order; stationmq and raw runs alternate):");
    for (Result r : results) {
      Scenario sc = r.scenario;
      for (int i = 0; i < sc.figures().size(); i++) {
        String label = sc.latency() ? " " + sc.figures().get(i) + " µs" : "";
        out.printf("  %d%s stationmq: %s%n", sc.number(), label, list(Result.figure(r.stationmq, i)));
        out.printf("  %d%s raw:       %s%n", sc.number(), label, list(Result.figure(r.raw, i)));
      }
      out.printf("  %d CPU µs stationmq: %s%n", sc.number(), list(cpu(r.stationmq), 1));
      out.printf("  %d CPU µs raw:       %s%n", sc.number(), list(cpu(r.raw), 1));
      for (Sample s : r.stationmq) {
        s.problems().forEach(p -> out.printf("  %d stationmq problem: %s%n", sc.number(), p));
      }
      for (Sample s : r.raw) {
        s.problems().forEach(p -> out.printf("  %d raw problem: %s%n", sc.number(), p));
      }
      r.failures.forEach(f -> out.printf("  %d FAILED RUN: %s%n", sc.number(), f));
    }
  }

  private static String verdict(boolean ok, double value) {
    return Double.isNaN(value) ? " (no data)" : ok ? " ok" : " NOT MET";
  }

  private static String cell(double[] values) {
    if (values.length == 0) {
      return "no data";
    }
    return whole(Measure.median(values)) + " (" + whole(Measure.min(values)) + "–" + whole(Measure.max(values)) + ")";
  }

  private static String cell(double[] values, int decimals) {
    if (values.length == 0) {
      return "no data";
    }
    return fmt(Measure.median(values), decimals) + " (" + fmt(Measure.min(values), decimals) + "–"
        + fmt(Measure.max(values), decimals) + ")";
  }

  private static String list(double[] values) {
    return list(values, 0);
  }

  private static String list(double[] values, int decimals) {
    StringBuilder b = new StringBuilder();
    for (double v : values) {
      b.append(b.length() == 0 ? "" : ", ").append(decimals == 0 ? whole(v) : fmt(v, decimals));
    }
    return b.toString();
  }

  static String whole(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
