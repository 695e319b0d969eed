package io.stationmq.cli;

import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.ReceivedStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stationmq hz KEY}: the rate, jitter and gaps of what a node receives under one key. */
@Command(name = "hz", mixinStandardHelpOptions = true,
    header = "Measures the rate, jitter and gaps of the messages a node receives under one key.",
    description = "Runs a NetNode with id --id and prints, every --window seconds, how many messages "
        + "(stream samples count one each) arrived under KEY per second, the mean interval between "
        + "arrivals (a stream batch is one arrival), its jitter (standard deviation) and longest, "
        + "and the stream batches lost (gaps in their numbers); then a summary when interrupted, or "
        + "after --windows lines or --count messages. Without --topic it sees only what is sent to --id; with "
        + "--topic, KEY is a topic or a prefix ending in '*' that the node subscribes to anywhere in the tree.")
final class HzCommand extends NetworkCommand {
  @Parameters(index = "0", paramLabel = "KEY", description = "The key to measure.")
  String key;

  @Option(names = "--id", required = true, paramLabel = "NODE_ID", description = "This node's id: the one senders address.")
  String hzId;

  @Option(names = "--topic", description = "Subscribe to KEY as a topic (or prefix ending in '*') instead of listening to it.")
  boolean topic;

  @Option(names = "--window", paramLabel = "SECONDS", defaultValue = "1", description = "Seconds per line (default: 1).")
  double window;

  @Option(names = "--windows", paramLabel = "N", defaultValue = "0", description = "Stop after N lines (default: 0, never).")
  long windows;

  @Option(names = "--count", paramLabel = "N", defaultValue = "0",
      description = "Stop after N messages (default: 0, never).")
  long count;

  private final long created = System.nanoTime();
  private final Rate rate = new Rate(created);
  private final AtomicLong received = new AtomicLong();

  @Override
  String nodeId() {
    return hzId;
  }

  @Override
  void validate() {
    Check.seconds(spec, "--window", window);
    Check.range(spec, "--windows", windows, 0, Long.MAX_VALUE);
    Check.range(spec, "--count", count, 0, Long.MAX_VALUE);
  }

  @Override
  boolean runsUntilStopped() {
    return true;
  }

  @Override
  void customize(NetNode.Builder b) {
    if (!topic) {
      b.listen(key, this::arrived);
    }
  }

  private void arrived(Message m) {
    rate.add(m.sender(), m.id(), System.nanoTime());
    if (received.incrementAndGet() == count) {
      foreground.stop();
    }
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    PrintWriter out = out();
    if (topic) {
      node.topics().subscribe(key, this::arrived);
      err().println("hz: topic " + key + " via " + connect.upstreamId + " at " + connect.connect);
    } else {
      err().println("hz: " + key + " messages sent to '" + hzId + "' via " + connect.upstreamId + " at "
          + connect.connect);
    }
    // The first window runs from when the listen was registered: what arrived before this line
    // (the node is connected before run() is called) is counted, not reset away.
    long start = created;
    long total = 0;
    long lostBefore = 0;
    Duration each = Duration.ofMillis(Math.max(1, (long) (window * 1000)));
    for (long line = 1; windows == 0 || line <= windows; line++) {
      boolean stopped = foreground.awaitStop(each);
      Rate.Window w = rate.take(System.nanoTime());
      long lost = lost(node);
      total += w.messages();
      out.println(describe(w, lost - lostBefore));
      out.flush();
      lostBefore = lost;
      if (stopped) {
        break;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf("%s: %d messages in %.1f s, %.1f per second; %d stream batches lost%n", key, total, seconds,
        total / seconds, lostBefore);
    return 0;
  }

  private long lost(NetNode node) {
    return node.receivedStreams().stream().filter(s -> s.key().equals(key)).mapToLong(ReceivedStream::gaps).sum();
  }

  /** One line: the window's rate and intervals, and the batches lost in it. */
  String describe(Rate.Window w, long lost) {
    if (w.messages() == 0) {
      return String.format("%s: nothing in %.1f s", key, w.seconds());
    }
    StringBuilder s = new StringBuilder(String.format("%s: %.1f/s", key, w.messagesPerSecond()));
    if (w.arrivals() != w.messages()) {
      s.append(String.format(" in %.1f batches/s", w.arrivalsPerSecond()));
    }
    if (!Double.isNaN(w.meanMillis())) {
      s.append(String.format("  interval %.2f ms", w.meanMillis()));
      if (!Double.isNaN(w.jitterMillis())) {
        s.append(String.format(", jitter %.2f ms", w.jitterMillis()));
      }
      s.append(String.format(", max %.2f ms", w.maxMillis()));
    }
    if (lost > 0) {
      s.append("  lost ").append(lost).append(lost == 1 ? " batch" : " batches");
    }
    return s.toString();
  }
}
