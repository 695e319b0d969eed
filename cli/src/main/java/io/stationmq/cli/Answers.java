package io.stationmq.cli;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --timeout} of commands that ask endpoints and wait for their answers. */
final class Answers {
  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
      description = "How long to wait for each answer (default: 5).")
  double timeout;

  /** The checked timeout. */
  Duration timeout(CommandSpec spec) {
    Check.seconds(spec, "--timeout", timeout);
    return Duration.ofMillis((long) (timeout * 1000));
  }
}
