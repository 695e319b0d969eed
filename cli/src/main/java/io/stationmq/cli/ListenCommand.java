package io.stationmq.cli;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.Listen;
import io.stationmq.netnode.NetNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stationmq listen}: prints every message a NetNode receives as one JSON line. */
@Command(name = "listen", mixinStandardHelpOptions = true,
    description = {"Runs a NetNode that prints every message it receives (all keys, or the --key ones) as one",
        "JSON line (the wire body) on standard output, until interrupted. Stream samples: one line each."})
final class ListenCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  Connect connect;

  @Option(names = "--id", required = true, paramLabel = "NODE_ID", description = "this node's id")
  String id;

  @Option(names = "--key", paramLabel = "KEY", description = "print only these keys (repeatable; default: all)")
  List<String> keys;

  @Override
  public Integer call() throws InterruptedException {
    PrintStream out = System.out;
    Listen print = m -> printLine(out, m);
    NetNode.Builder b = connect.node(spec, id);
    if (keys == null || keys.isEmpty()) {
      b.fallback(print);
    } else {
      keys.forEach(k -> b.listen(k, print));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    NetNode node = b.build();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "stationmq-listen-shutdown"));
    System.err.println("listening as " + id + " via " + connect.upstreamId + " at " + connect.connect);
    try {
      stopped.await();
    } finally {
      node.close();
    }
    return 0;
  }

  private static void printLine(PrintStream out, Message m) {
    String line = new String(MessageCodec.encode(m), StandardCharsets.UTF_8);
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
