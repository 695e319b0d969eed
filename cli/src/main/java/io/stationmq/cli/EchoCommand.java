package io.stationmq.cli;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stationmq echo KEY}: prints the messages and stream samples a node receives under one key. */
@Command(name = "echo", mixinStandardHelpOptions = true,
    header = "Prints the messages a node receives under one key.",
    description = "Runs a NetNode with id --id that prints each message under KEY, and each sample of a "
        + "stream whose key is KEY, as it arrives: time, sender and value (or, with --json, the "
        + "whole message as one JSON line), until interrupted or --count messages. Without --topic "
        + "this shows only what is sent to --id (a sender's 'send --to ID', a stream opened with "
        + "StreamOptions.to(ID)); with --topic, KEY is a topic or a prefix ending in '*' that the node "
        + "subscribes to anywhere in the tree (Topics.subscribe), and each line shows the publisher.")
final class EchoCommand extends NetworkCommand {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Parameters(index = "0", paramLabel = "KEY", description = "The key to print.")
  String key;

  @Option(names = "--id", required = true, paramLabel = "NODE_ID", description = "This node's id: the one senders address.")
  String echoId;

  @Option(names = "--topic", description = "Subscribe to KEY as a topic (or prefix ending in '*') instead of listening to it.")
  boolean topic;

  @Option(names = "--json", description = "Each message as one JSON line (the wire body).")
  boolean json;

  @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N messages (default: 0, never).")
  long count;

  private final AtomicLong printed = new AtomicLong();

  @Override
  String nodeId() {
    return echoId;
  }

  @Override
  void validate() {
    Check.range(spec, "--count", count, 0, Long.MAX_VALUE);
  }

  @Override
  void customize(NetNode.Builder b) {
    if (!topic) {
      PrintWriter out = out();
      b.listen(key, m -> print(out, m));
    }
  }

  @Override
  boolean runsUntilStopped() {
    return true;
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    if (topic) {
      PrintWriter out = out();
      node.topics().subscribe(key, m -> print(out, m));
      err().println("echo: topic " + key + " via " + connect.upstreamId + " at " + connect.connect);
    } else {
      err().println("echo: " + key + " messages sent to '" + echoId + "' via " + connect.upstreamId + " at "
          + connect.connect);
    }
    foreground.awaitStop();
    return 0;
  }

  private void print(PrintWriter out, Message m) {
    if (count > 0 && printed.get() >= count) {
      return;
    }
    String line = json ? new String(MessageCodec.encode(m), StandardCharsets.UTF_8)
        : LocalTime.now().format(TIME) + " " + m.sender() + " " + m.key() + " " + m.valueNode();
    synchronized (out) {
      out.println(line);
      out.flush();
    }
    if (printed.incrementAndGet() == count) {
      foreground.stop();
    }
  }
}
