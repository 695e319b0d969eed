package io.stationmq.bench;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares stationmq with raw JeroMQ in the same run on {@code tcp://127.0.0.1}, scenario by
 * scenario, and prints one table of medians and ratios. See README.md.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.stationmq.bench.BenchMain [--quick] [--scenario N] [--runs R]
 * </pre>
 *
 * <p>Each side of each scenario is warmed up once, then measured {@code R} times (default 5,
 * {@code --quick} 2), stationmq and raw runs alternating so that the machine's drift hits
 * both alike. Every run builds its endpoints or sockets afresh and closes them.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    Settings settings = Settings.full();
    int only = 0;
    Integer runs = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> settings = Settings.quick();
        case "--scenario" -> only = Integer.parseInt(value(args, ++i));
        case "--runs" -> runs = Integer.parseInt(value(args, ++i));
        case "-h", "--help" -> {
          out.println("usage: BenchMain [--quick] [--scenario N (1-5)] [--runs R]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (try --help)");
      }
    }
    if (runs != null) {
      settings = settings.withRuns(runs);
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (Scenario sc : Scenario.all()) {
      if (only == 0 || sc.number() == only) {
        scenarios.add(sc);
      }
    }
    if (scenarios.isEmpty()) {
      throw new IllegalArgumentException("no scenario " + only + " (1-" + Scenario.all().size() + ")");
    }

    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    long start = System.nanoTime();
    List<Result> results = new ArrayList<>();
    for (Scenario sc : scenarios) {
      results.add(run(sc, settings));
    }
    String header = String.format(Locale.ROOT,
        "stationmq vs raw JeroMQ on tcp://127.0.0.1 | JVM %s (%s, %s) | availableProcessors %d | "
            + "%d measured runs per side (+1 warm-up), medians | throughput runs %s after a %s ramp, "
            + "latency runs %,d timed round trips after %,d untimed | load average at start %.2f | took %.0f s",
        Runtime.version(), System.getProperty("java.vm.name"), System.getProperty("java.vendor"),
        Runtime.getRuntime().availableProcessors(), settings.runs(), Measure.seconds(settings.measure()),
        Measure.seconds(settings.ramp()), settings.roundTrips(), settings.settleRoundTrips(), load, (System.nanoTime() - start) / 1e9);
    new Report(out).print(results, header);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  /** Warms up both sides once, then measures them alternately. */
  private static Result run(Scenario sc, Settings settings) throws InterruptedException {
    Result result = new Result(sc);
    progress("%d. %s: warming up", sc.number(), sc.title());
    once(sc, "stationmq", sc.stationmq(), settings, true, null, result);
    once(sc, "raw", sc.raw(), settings, true, null, result);
    for (int i = 0; i < settings.runs(); i++) {
      boolean stationmqFirst = i % 2 == 0;
      if (stationmqFirst) {
        once(sc, "stationmq", sc.stationmq(), settings, false, result.stationmq, result);
      }
      once(sc, "raw", sc.raw(), settings, false, result.raw, result);
      if (!stationmqFirst) {
        once(sc, "stationmq", sc.stationmq(), settings, false, result.stationmq, result);
      }
    }
    return result;
  }

  private static void once(Scenario sc, String name, Scenario.Side side, Settings settings, boolean warmup,
      List<Sample> into, Result result) throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    try {
      Sample s = side.run(settings, warmup);
      if (into != null) {
        into.add(s);
      }
      progress("%d. %-9s %s %s%s", sc.number(), name, warmup ? "warm-up" : "run    ", figures(sc, s),
          s.problems().isEmpty() ? "" : "  problems: " + s.problems());
    } catch (Exception e) {
      String what = name + (warmup ? " warm-up" : " run") + ": " + e;
      result.failures.add(what);
      progress("%d. FAILED %s", sc.number(), what);
      e.printStackTrace();
    }
  }

  private static String figures(Scenario sc, Sample s) {
    StringBuilder b = new StringBuilder();
    List<String> names = sc.figures();
    for (int i = 0; i < names.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(names.get(i)).append(' ').append(Report.whole(s.values()[i]));
    }
    return b.append(sc.latency() ? " µs" : "").append(", CPU ").append(Report.fmt(s.cpuMicros(), 1)).append(" µs")
        .toString();
  }

  private static void progress(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
