package io.stationmq.bench;

import io.stationmq.netnode.Durability;
import io.stationmq.netnode.EndpointOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What durability costs: confirmed messages node → station → node (scenario 4 of {@link
 * BenchMain}, a window of 1,000 futures from one sending thread) with durability off, with a
 * durable de-duplication window on the receiver, a durable outbox on the sender, and both; the
 * configurations alternate run by run in one process, each store in a fresh temporary
 * directory. Prints the median, min and max of each, the ratio of medians to "off", and CPU
 * time per message.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.stationmq.bench.DurabilityBench [--runs R] [--sync]
 * </pre>
 *
 * <p>{@code --sync} adds the two durable configurations with {@link Durability#syncToDisk()}.
 */
public final class DurabilityBench {
  private DurabilityBench() {}

  /** One configuration: durability of the sender and of the receiver, null for none. */
  private record Config(String name, Durability.Builder sender, Durability.Builder receiver) {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    int runs = 3;
    boolean sync = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--sync" -> sync = true;
        default -> throw new IllegalArgumentException("usage: DurabilityBench [--runs R] [--sync]");
      }
    }
    Settings settings = Settings.full();
    Path root = Files.createTempDirectory("stationmq-durability-bench");
    Path dir = root.resolve("store");
    List<Config> configs = new ArrayList<>(List.of(
        new Config("off", null, null),
        new Config("durable de-dup (receiver)", null, Durability.builder(dir).outbox(false)),
        new Config("durable outbox (sender)", Durability.builder(dir).deduplication(false), null),
        new Config("both", Durability.builder(dir), Durability.builder(dir))));
    if (sync) {
      configs.add(new Config("durable de-dup, syncToDisk", null, Durability.builder(dir).outbox(false).syncToDisk(true)));
      configs.add(new Config("durable outbox, syncToDisk", Durability.builder(dir).deduplication(false).syncToDisk(true),
          null));
    }
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<List<Sample>> samples = new ArrayList<>();
    configs.forEach(c -> samples.add(new ArrayList<>()));
    try {
      for (int run = -1; run < runs; run++) { // run -1 warms up
        for (int k = 0; k < configs.size(); k++) {
          int i = run % 2 == 0 ? k : configs.size() - 1 - k; // alternate the order: drift hits all alike
          Config c = configs.get(i);
          Sample s = once(settings, c, dir);
          System.err.printf(Locale.ROOT, "%s %-30s %,.0f msgs/s, CPU %.1f µs%s%n", run < 0 ? "warm-up" : "run " + run,
              c.name(), s.values()[0], s.cpuMicros(), s.problems().isEmpty() ? "" : "  problems: " + s.problems());
          if (run >= 0) {
            samples.get(i).add(s);
          }
        }
      }
    } finally {
      delete(root);
    }
    System.out.printf(Locale.ROOT, "confirmed node -> station -> node, window 1,000, %d runs of %s, medians; load average"
        + " at start %.2f%n%n| durability | msgs/s (median) | min | max | vs off | CPU µs/msg |%n|---|---:|---:|---:|---:|---:|%n",
        runs, Measure.seconds(settings.measure()), load);
    double off = Measure.median(rates(samples.get(0)));
    for (int i = 0; i < configs.size(); i++) {
      double[] r = rates(samples.get(i));
      double median = Measure.median(r);
      double cpu = Measure.median(samples.get(i).stream().mapToDouble(Sample::cpuMicros).toArray());
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f | %.2f | %.1f |%n", configs.get(i).name(), median,
          Measure.min(r), Measure.max(r), median / off, cpu);
    }
  }

  private static Sample once(Settings settings, Config c, Path dir) throws Exception {
    System.gc();
    try {
      return StationmqSides.viaStationConfirmed(settings, options(c.sender()), options(c.receiver()));
    } finally {
      delete(dir); // every run starts with empty stores
    }
  }

  private static EndpointOptions options(Durability.Builder durability) {
    return EndpointOptions.builder().durability(durability == null ? null : durability.build()).build();
  }

  private static double[] rates(List<Sample> samples) {
    return samples.stream().mapToDouble(s -> s.values()[0]).toArray();
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
