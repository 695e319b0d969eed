package io.stationmq.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that name the option and what it allows; a failure is a {@link
 * ParameterException}, which the command line reports on one line and exits 2 with.
 * Stateless.
 */
final class Check {
  /** The longest time in seconds any option takes (a day). */
  static final double MAX_SECONDS = 86_400;

  private Check() {}

  /** {@code value} must be in {@code min..max}. */
  static void range(CommandSpec spec, String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ParameterException(spec.commandLine(), option + " must be " + min + ".." + max + ", got " + value);
    }
  }

  /** {@code seconds} must be more than 0 and at most {@link #MAX_SECONDS}. */
  static void seconds(CommandSpec spec, String option, double seconds) {
    if (!(seconds > 0 && seconds <= MAX_SECONDS)) {
      throw new ParameterException(spec.commandLine(), option + " must be more than 0 and at most "
          + (long) MAX_SECONDS + " seconds, got " + format(seconds));
    }
  }

  /** A number of seconds as the user would write it: {@code 3}, {@code 0.5}. */
  static String format(double seconds) {
    return seconds == Math.rint(seconds) && !Double.isInfinite(seconds) ? Long.toString((long) seconds)
        : Double.toString(seconds);
  }
}
