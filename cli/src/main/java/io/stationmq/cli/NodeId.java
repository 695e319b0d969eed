package io.stationmq.cli;

import picocli.CommandLine.Option;

/** The optional {@code --id} of a command's short-lived node; by default {@code cli_<pid>}. */
final class NodeId {
  @Option(names = "--id", paramLabel = "NODE_ID", description = "This node's id (default: cli_<pid>).")
  String id;

  /** {@code --id}, or {@code cli_<pid>}. */
  String orDefault() {
    return id != null ? id : "cli_" + ProcessHandle.current().pid();
  }
}
