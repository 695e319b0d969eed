package io.stationmq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code stationmq}: run the demo, a Station, send or listen to messages, or benchmark.
 *
 * <p>Exit codes: 0 success; 1 failure (the reason on one line of standard error); 2 bad
 * arguments; 3 a confirmed message's ttl was spent; 4 the recipient is unreachable; 5 timed out.
 */
@Command(name = "stationmq", mixinStandardHelpOptions = true, version = "stationmq 0.1.0",
    description = "Messaging between lab agents and hardware controllers over ZeroMQ, wire-compatible with autopilot.",
    subcommands = {DemoCommand.class, StationCommand.class, SendCommand.class, ListenCommand.class, KeygenCommand.class,
        BenchCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure (reason on standard error)", "2:bad arguments", "3:ttl spent",
        "4:recipient unreachable", "5:timed out"})
public final class Main implements Runnable {
  static final int FAILURE = 1;
  static final int TTL_SPENT = 3;
  static final int UNREACHABLE = 4;
  static final int TIMED_OUT = 5;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with the error handling every subcommand shares. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("stationmq " + commandLine.getCommandName() + ": " + e.getMessage());
      return FAILURE;
    });
    return cl;
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
