package io.stationmq.cli;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.Listen;
import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq listen}: prints every message a NetNode receives as one JSON line. */
@Command(name = "listen", mixinStandardHelpOptions = true,
    header = "Prints every message sent to a node, as JSON lines.",
    description = "Runs a NetNode that prints every message it receives (all keys, or the --key ones) as "
        + "one JSON line (the wire body) on standard output, until interrupted. Stream samples: one "
        + "line each.")
final class ListenCommand extends NetworkCommand {
  @Option(names = "--id", required = true, paramLabel = "NODE_ID", description = "This node's id.")
  String listenId;

  @Option(names = "--key", paramLabel = "KEY", description = "Print only these keys (repeatable; default: all).")
  List<String> keys;

  @Override
  String nodeId() {
    return listenId;
  }

  @Override
  void customize(NetNode.Builder b) {
    PrintWriter out = out();
    Listen print = m -> printLine(out, m);
    if (keys == null || keys.isEmpty()) {
      b.fallback(print);
    } else {
      keys.forEach(k -> b.listen(k, print));
    }
  }

  @Override
  boolean runsUntilStopped() {
    return true;
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    err().println("listening as " + listenId + " via " + connect.upstreamId + " at " + connect.connect);
    foreground.awaitStop();
    return 0;
  }

  private static void printLine(PrintWriter out, Message m) {
    String line = new String(MessageCodec.encode(m), StandardCharsets.UTF_8);
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
