package io.stationmq.cli;

import io.stationmq.examples.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq demo}: the rig topology demo on loopback. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Runs a rig topology on loopback: a terminal Station, two rig Stations under it, and",
        "hardware-controller NetNodes streaming sensor samples up while the terminal sends them",
        "confirmed commands. Exit 0 only when nothing was lost."})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10", description = "how long to run (default: 10)")
  int duration;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "2", description = "controllers per rig (default: 2)")
  int nodes;

  @Option(names = "--rate", paramLabel = "HZ", defaultValue = "1000", description = "samples per second per controller (default: 1000)")
  int rate;

  @Override
  public Integer call() {
    Demo.Settings settings = new Demo.Settings(Duration.ofSeconds(duration), nodes, rate);
    Demo.Report report = Demo.run(settings, System.out, System.console() != null);
    return report.ok() ? 0 : Main.FAILURE;
  }
}
