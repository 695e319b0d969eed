package io.stationmq.cli;

import java.time.Duration;
import picocli.CommandLine.Mixin;

/**
 * A command that asks endpoints of the tree and waits for their answers ({@code nodes}, {@code
 * keys}, {@code ping}, {@code stats}): a node with an optional {@code --id}, and a {@code
 * --timeout} per answer. Used by one thread.
 */
abstract class AskingCommand extends NetworkCommand {
  @Mixin
  Answers answers;

  @Mixin
  NodeId nodeId;

  @Override
  String nodeId() {
    return nodeId.orDefault();
  }

  @Override
  void validate() {
    answers.timeout(spec);
  }

  /** How long to wait for each answer. */
  Duration timeout() {
    return answers.timeout(spec);
  }

  /** Prints what part of {@code tree} did not answer; the exit code: 0, or 1 when something did not. */
  int problems(Tree tree) {
    tree.problems().forEach(p -> err().println("stationmq " + spec.name() + ": " + p));
    return tree.problems().isEmpty() ? 0 : Main.FAILURE;
  }
}
