package io.stationmq.cli;

import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stationmq ping NODE}: round trips to one endpoint of the tree. */
@Command(name = "ping", mixinStandardHelpOptions = true,
    header = "Measures the round trip to an endpoint of a Station tree.",
    description = "Sends PING requests (every stationmq endpoint answers them) to NODE, found below the "
        + "Station at --connect as 'nodes' finds it, and prints each round trip, then a summary. "
        + "Exits 0 when at least one answer came, 5 when none did, 4 when NODE is unreachable.")
final class PingCommand extends AskingCommand {

  @Parameters(index = "0", paramLabel = "NODE", description = "The endpoint to ping (the Station's id pings the Station).")
  String target;

  @Option(names = "--count", paramLabel = "N", defaultValue = "3", description = "How many pings (default: 3).")
  int count;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
      description = "Time between the starts of two pings (default: 1).")
  double interval;

  @Override
  void validate() {
    super.validate();
    Check.range(spec, "--count", count, 1, 1_000_000);
    Check.seconds(spec, "--interval", interval);
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    Duration timeout = timeout();
    List<String> path = Tree.pathTo(node, target, timeout);
    PrintWriter out = out();
    out.println("PING " + target + (path.size() > 1 ? " via " + String.join(",", path) : ""));
    long intervalNanos = (long) (interval * 1e9);
    int answered = 0;
    double min = Double.MAX_VALUE;
    double max = 0;
    double sum = 0;
    for (int seq = 1; seq <= count; seq++) {
      long start = System.nanoTime();
      try {
        Ask.reply(Ask.send(node, path, "PING", timeout), path);
        double ms = (System.nanoTime() - start) / 1e6;
        answered++;
        min = Math.min(min, ms);
        max = Math.max(max, ms);
        sum += ms;
        out.printf("reply from %s: seq=%d time=%.2f ms%n", target, seq, ms);
      } catch (CliException e) {
        if (e.exitCode() != Main.TIMED_OUT) {
          throw e;
        }
        out.printf("no reply from %s: seq=%d within %s s%n", target, seq, Check.format(timeout.toMillis() / 1000.0));
      }
      out.flush();
      long next = start + intervalNanos;
      while (seq < count && System.nanoTime() < next) {
        LockSupport.parkNanos(next - System.nanoTime());
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    }
    out.printf("%d sent, %d answered", count, answered);
    if (answered > 0) {
      out.printf(", round trip min/avg/max %.2f/%.2f/%.2f ms", min, sum / answered, max);
    }
    out.println();
    return answered > 0 ? 0 : Main.TIMED_OUT;
  }
}
