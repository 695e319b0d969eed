package io.stationmq.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * One in-process run of the command line, with its standard output and error captured.
 *
 * @param code the exit code
 * @param out what it printed as its result
 * @param err what it printed on standard error
 */
record CliRun(int code, String out, String err) {
  /** Runs {@code args} as {@code stationmq args...} would, in this JVM. */
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** {@code base} followed by {@code more}. */
  static String[] args(List<String> base, String... more) {
    String[] all = base.toArray(new String[base.size() + more.length]);
    System.arraycopy(more, 0, all, base.size(), more.length);
    return all;
  }

  List<String> outLines() {
    return Arrays.asList(out.split("\n"));
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
  }
}
