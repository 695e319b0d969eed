package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.SendResult;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code stationmq send}: sends one message from a short-lived NetNode. */
@Command(name = "send", mixinStandardHelpOptions = true,
    header = "Sends one message, to a recipient or along a multihop path.",
    description = "Sends one message from a short-lived NetNode, once the Station at --connect answers "
        + "(exit 6 when nothing answers there within --connect-timeout, or it has another id). "
        + "--path reaches a node under a child Station: --path rig_A,ctl_1 (the Station at "
        + "--connect may be named first or left out). With --confirm, waits for the confirmation: "
        + "exit 0, or 3 (ttl spent), 4 (unreachable), 5 (timed out).")
final class SendCommand extends NetworkCommand {
  @Mixin
  NodeId nodeId;

  @Option(names = "--to", paramLabel = "ID", description = "The recipient's id (or give --path).")
  String to;

  @Option(names = "--path", paramLabel = "HOP", split = ",",
      description = "A multihop path, the recipient last, e.g. rig_A,ctl_1 (instead of --to).")
  List<String> path;

  @Option(names = "--key", required = true, paramLabel = "KEY", description = "The message key.")
  String key;

  @Option(names = "--value", paramLabel = "JSON", description = "The value, as JSON (default: null).")
  String value;

  @Option(names = "--confirm", description = "Wait for the recipient's confirmation.")
  boolean confirm;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "How long --confirm waits (default: 10).")
  double timeout;

  private JsonNode json;

  @Override
  String nodeId() {
    return nodeId.orDefault();
  }

  @Override
  void validate() {
    Check.seconds(spec, "--timeout", timeout);
    if ((to == null) == (path == null || path.isEmpty())) {
      throw new ParameterException(spec.commandLine(), "give the recipient with --to ID or --path HOP,...,ID (one of them)");
    }
    if (path != null && path.stream().anyMatch(String::isEmpty)) {
      throw new ParameterException(spec.commandLine(), "--path must be ids separated by commas, got " + String.join(",", path));
    }
    json = parseValue();
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    Message.Builder b = node.message(to != null ? to : path.get(path.size() - 1), key, json);
    if (path != null && path.size() > 1) {
      b.path(path);
    }
    Message m = b.build();
    String where = m.isMultihop() ? " along " + String.join(",", m.path()) : " to " + m.to();
    if (!confirm) {
      SendResult result = node.send(m);
      if (result != SendResult.QUEUED) {
        throw new CliException(Main.FAILURE, m.id() + " not sent: " + result);
      }
      out().println("sent " + m.id() + where);
      return 0;
    }
    try {
      DeliveryReceipt r = node.sendConfirmed(m).get((long) (timeout * 1000), TimeUnit.MILLISECONDS);
      out().printf("confirmed %s by %s in %.1f ms after %d attempt(s)%n", r.messageId(), r.recipient(),
          r.roundTrip().toNanos() / 1e6, r.attempts());
      return 0;
    } catch (ExecutionException e) {
      throw Ask.failure(e.getCause(), m.path());
    } catch (TimeoutException e) {
      throw new CliException(Main.TIMED_OUT, "no confirmation of " + m.id() + " from '" + m.to() + "' within "
          + Check.format(timeout) + " s");
    }
  }

  private JsonNode parseValue() {
    if (value == null) {
      return null;
    }
    try {
      return new ObjectMapper().readTree(value);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--value is not valid JSON: " + value
          + " (a string needs quotes: --value '\"text\"')");
    }
  }
}
