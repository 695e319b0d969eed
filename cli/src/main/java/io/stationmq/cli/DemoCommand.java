package io.stationmq.cli;

import io.stationmq.examples.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stationmq demo}: the rig topology demo on loopback. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    header = "Runs a rig topology on loopback and checks that nothing is lost.",
    description = "Runs a rig topology on loopback: a terminal Station, two rig Stations under it, and "
        + "hardware-controller NetNodes streaming sensor samples up while the terminal sends them "
        + "confirmed commands. Exit 0 only when nothing was lost.")
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10", description = "How long to run, 1..86400 (default: 10).")
  long duration;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "2", description = "Controllers per rig, 1..50 (default: 2).")
  long nodes;

  @Option(names = "--rate", paramLabel = "HZ", defaultValue = "1000",
      description = "Samples per second per controller, 1..100000 (default: 1000).")
  long rate;

  @Override
  public Integer call() {
    Check.range(spec, "--duration", duration, 1, (long) Check.MAX_SECONDS);
    Check.range(spec, "--nodes", nodes, 1, 50);
    Check.range(spec, "--rate", rate, 1, 100_000);
    Demo.Settings settings = new Demo.Settings(Duration.ofSeconds(duration), (int) nodes, (int) rate);
    Demo.Report report = Demo.run(settings, System.out, System.console() != null);
    return report.ok() ? 0 : Main.FAILURE;
  }
}
