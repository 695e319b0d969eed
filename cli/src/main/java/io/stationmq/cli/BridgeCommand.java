package io.stationmq.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code stationmq bridge}: the parent of {@code bridge udp} and {@code bridge serial}. */
@Command(name = "bridge", mixinStandardHelpOptions = true,
    header = "Forwards a UDP or serial device's readings into the network.",
    description = "Runs an ingress bridge in front of a NetNode: each UDP datagram (bridge udp) or each "
        + "framed payload on a serial line (bridge serial) becomes a sample {sensor, captured, value} "
        + "sent under --key to the Station at --connect (or --to), as a stream by default. Prints one "
        + "line when serving and its counters when it stops (Ctrl-C, or --count inputs).",
    subcommands = {BridgeUdpCommand.class, BridgeSerialCommand.class})
final class BridgeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "name the bridge: bridge udp or bridge serial");
  }
}
