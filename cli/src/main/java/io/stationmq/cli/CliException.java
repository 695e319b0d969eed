package io.stationmq.cli;

/**
 * A command's failure with the exit code it means (see {@link Main}); the command line prints
 * its message as one line on standard error. Immutable.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
