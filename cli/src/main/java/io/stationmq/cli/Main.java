package io.stationmq.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code stationmq}: run the demo or a Station, look at a running network, send or listen to
 * messages, or benchmark.
 *
 * <p>Quiet by default: a command prints its result; the library's own log lines appear with
 * {@code -v} (INFO and up) or {@code -vv} (DEBUG). Exit codes: 0 success; 1 failure (the reason
 * on one line of standard error); 2 bad arguments; 3 a confirmed message's ttl was spent; 4 the
 * recipient is unreachable; 5 timed out; 6 not connected (nothing answers at {@code --connect},
 * another {@code --upstream-id} there, or refused).
 */
@Command(name = "stationmq", mixinStandardHelpOptions = true, version = "stationmq 0.1.0",
    description = "Messaging between lab agents and hardware controllers over ZeroMQ, wire-compatible with autopilot.",
    subcommands = {DemoCommand.class, StationCommand.class, NodesCommand.class, KeysCommand.class, PingCommand.class,
        StatsCommand.class, StateCommand.class, EchoCommand.class, HzCommand.class, SendCommand.class, ListenCommand.class,
        SendFileCommand.class, ReceiveFilesCommand.class, RecordCommand.class,
        BridgeCommand.class, KeygenCommand.class, BenchCommand.class, TopicsCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure (reason on standard error)", "2:bad arguments", "3:ttl spent",
        "4:recipient unreachable", "5:timed out",
        "6:not connected: nothing answers at --connect, another --upstream-id there, or refused"})
public final class Main implements Runnable {
  static final int FAILURE = 1;
  static final int BAD_ARGUMENTS = 2;
  static final int TTL_SPENT = 3;
  static final int UNREACHABLE = 4;
  static final int TIMED_OUT = 5;
  static final int NOT_CONNECTED = 6;

  /** The system property slf4j-simple reads its level from, once, when the first logger is made. */
  static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  @Spec
  CommandSpec spec;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Also show the library's log lines: -v for INFO and up, -vv for DEBUG.")
  boolean[] verbose = new boolean[0];

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with the error handling and logging every subcommand shares. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionStrategy(parseResult -> {
      configureLogging(verbosity(parseResult));
      return new CommandLine.RunLast().execute(parseResult);
    });
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      int code = e instanceof CliException c ? c.exitCode() : FAILURE;
      commandLine.getErr().println("stationmq " + commandLine.getCommandName() + ": " + e.getMessage());
      return code;
    });
    cl.setParameterExceptionHandler((e, args) -> {
      CommandLine bad = e.getCommandLine();
      PrintWriter err = bad.getErr();
      String name = bad.getCommandSpec().qualifiedName();
      err.println(name + ": " + e.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
      err.println("(see '" + name + " --help')");
      return BAD_ARGUMENTS;
    });
    return cl;
  }

  /** How many {@code -v} were given, at any level of the command line. */
  private static int verbosity(ParseResult parseResult) {
    int n = 0;
    for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
      OptionSpec v = level.matchedOption("--verbose");
      if (v != null) {
        n = Math.max(n, ((boolean[]) v.getValue()).length);
      }
    }
    return n;
  }

  /**
   * Sets the library's log level before its first logger exists: off by default (a level set
   * with {@code -D} is kept), INFO with {@code -v}, DEBUG with {@code -vv}.
   */
  static void configureLogging(int verbosity) {
    if (verbosity > 0) {
      System.setProperty(LOG_LEVEL, verbosity == 1 ? "info" : "debug");
    } else if (System.getProperty(LOG_LEVEL) == null) {
      System.setProperty(LOG_LEVEL, "off");
    }
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
