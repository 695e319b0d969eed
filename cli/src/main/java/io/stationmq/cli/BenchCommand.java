package io.stationmq.cli;

import io.stationmq.bench.BenchMain;
import io.stationmq.bench.RequestBench;
import io.stationmq.bench.StreamBench;
import io.stationmq.bench.TopicBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq bench}: every benchmark table, stationmq beside raw JeroMQ. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    header = "Runs the benchmarks against raw JeroMQ.",
    description = "Runs the benchmarks against raw JeroMQ in the same run and prints figures and ratios: "
        + "messages and round trips, streams, requests, topic fan-out.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "Fewer and shorter runs (rough tables in about two minutes).")
  boolean quick;

  @Override
  public Integer call() throws Exception {
    String[] args = quick ? new String[] {"--quick"} : new String[0];
    BenchMain.main(args);
    System.out.println();
    StreamBench.main(args);
    System.out.println();
    RequestBench.main(args);
    System.out.println();
    TopicBench.main(args);
    return 0;
  }
}
