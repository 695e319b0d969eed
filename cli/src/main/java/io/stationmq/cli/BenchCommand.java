package io.stationmq.cli;

import io.stationmq.bench.BenchMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq bench}: the benchmark table, stationmq beside raw JeroMQ. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Runs the benchmarks against raw JeroMQ in the same run and prints figures and ratios.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "fewer and shorter runs (a rough table in about a minute)")
  boolean quick;

  @Override
  public Integer call() throws Exception {
    BenchMain.main(quick ? new String[] {"--quick"} : new String[0]);
    return 0;
  }
}
