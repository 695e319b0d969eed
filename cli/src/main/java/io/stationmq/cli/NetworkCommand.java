package io.stationmq.cli;

import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that works through a short-lived NetNode connected to a Station ({@link
 * Connect}): it connects, lets the subclass {@link #run} with the node, and closes the node.
 * Used by one thread.
 */
abstract class NetworkCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  Connect connect;

  /** For a command that {@link #runsUntilStopped()}: its wait for Ctrl-C or its own end. */
  Foreground foreground;

  @Override
  public final Integer call() throws Exception {
    validate();
    try (Foreground f = runsUntilStopped() ? new Foreground(spec.name()) : null) {
      foreground = f;
      try (NetNode node = connect.open(spec, nodeId(), this::customize)) {
        return run(node);
      }
    } finally {
      out().flush();
    }
  }

  /** True for a command that runs until Ctrl-C, SIGTERM or {@link Foreground#stop()}: it gets a {@link #foreground}. */
  boolean runsUntilStopped() {
    return false;
  }

  /** Where results go: the command line's standard output. */
  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Where notes and warnings go: the command line's standard error. */
  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** This node's id. */
  abstract String nodeId();

  /** Checks the command's own options (throw a {@link picocli.CommandLine.ParameterException}). */
  void validate() {}

  /** Adds what the node needs before it starts (listens, so that its HELLO names them). */
  void customize(NetNode.Builder builder) {}

  /** Does the command's work with a connected node; returns the exit code. */
  abstract int run(NetNode node) throws Exception;
}
