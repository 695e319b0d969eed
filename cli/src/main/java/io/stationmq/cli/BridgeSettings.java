package io.stationmq.cli;

import io.stationmq.bridge.Bridge;
import io.stationmq.bridge.BridgeOptions;
import io.stationmq.bridge.Forwarding;
import io.stationmq.bridge.SensorBridge;
import java.io.IOException;
import io.stationmq.netnode.NetNode;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options {@code bridge udp} and {@code bridge serial} share, and running a started bridge
 * until it is stopped. Used by one thread.
 */
final class BridgeSettings {
  @Option(names = "--key", required = true, paramLabel = "KEY", description = "The key samples are sent under.")
  String key;

  @Option(names = "--to", paramLabel = "ID", description = "The recipient (default: the Station at --connect).")
  String to;

  @Option(names = "--sensor", paramLabel = "NAME", description = "The sensor name in each sample (default: udp or serial).")
  String sensor;

  @Option(names = "--forwarding", paramLabel = "HOW", defaultValue = "stream",
      description = "stream (batched, for high rates; default), confirmed (each one confirmed, for events) or unconfirmed.")
  String forwarding;

  @Option(names = "--every", paramLabel = "N", defaultValue = "1", description = "Forward every N-th input (default: 1, all).")
  long every;

  @Option(names = "--max-rate", paramLabel = "PER_SECOND", defaultValue = "0",
      description = "Forward at most this many per second, dropping (and counting) the rest (default: 0, no limit).")
  double maxRate;

  @Option(names = "--count", paramLabel = "N", defaultValue = "0",
      description = "Stop after N inputs received (default: 0, run until Ctrl-C).")
  long count;

  private Forwarding parsedForwarding;

  /** Checks the values (exit 2 naming the option). */
  void validate(CommandSpec spec) {
    Check.range(spec, "--every", every, 1, Long.MAX_VALUE);
    Check.range(spec, "--count", count, 0, Long.MAX_VALUE);
    if (!(maxRate >= 0 && maxRate <= 1e9)) {
      throw new ParameterException(spec.commandLine(), "--max-rate must be 0 (no limit) up to 1e9 per second, got "
          + Check.format(maxRate));
    }
    try {
      parsedForwarding = Forwarding.valueOf(forwarding.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--forwarding must be stream, confirmed or unconfirmed, got "
          + forwarding);
    }
    if (sensor != null && sensor.isEmpty() || to != null && to.isEmpty() || key.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--key, --to and --sensor must not be empty");
    }
  }

  /** Starts a bridge, its IOException (a port in use, no such device) a failure (exit 1). */
  interface Start<T extends Bridge> {
    T start() throws IOException;
  }

  /** {@code builder} forwarding through {@code node} with these options and sensor name. */
  <B extends SensorBridge.Builder<B>> B configure(B builder, NetNode node) {
    builder.node(node, false).options(
        BridgeOptions.builder().key(key).to(to).forwarding(parsedForwarding).every(every).maxRate(maxRate).build());
    return sensor != null ? builder.sensor(sensor) : builder;
  }

  /** Runs {@code start}; exit 1 with its reason when it fails. */
  static <T extends Bridge> T start(Start<T> start) {
    try {
      return start.start();
    } catch (IOException e) {
      throw new CliException(Main.FAILURE, e.getMessage());
    }
  }

  /** " to ID as KEY (forwarding)": where and how the bridge forwards. */
  String describe(NetNode node) {
    return " to " + (to != null ? to : node.upstreamId()) + " as " + key + " (" + forwarding + ")";
  }

  /**
   * Prints {@code serving}, waits for Ctrl-C, {@code --count} inputs or the bridge to stop
   * serving (a device gone: exit 1), closes it and prints its counters.
   */
  int runUntilStopped(NetworkCommand command, Bridge bridge, String serving) throws InterruptedException {
    command.out().println(serving);
    command.out().flush();
    boolean failed = false;
    try (bridge) {
      while (!command.foreground.awaitStop(Duration.ofMillis(100))) {
        if (count > 0 && bridge.stats().received() >= count) {
          break;
        }
        if (!bridge.isServing()) {
          failed = true;
          break;
        }
      }
    }
    command.out().println(bridge.name() + ": " + bridge.stats().summary());
    command.out().flush(); // before a Ctrl-C's shutdown hook lets the JVM end
    if (failed) {
      throw new CliException(Main.FAILURE, "the bridge stopped serving: its input failed or went away (-v says why)");
    }
    return 0;
  }
}
