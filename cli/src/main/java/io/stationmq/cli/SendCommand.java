package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.SendResult;
import io.stationmq.netnode.TtlExpiredException;
import io.stationmq.netnode.UnreachableException;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code stationmq send}: sends one message from a short-lived NetNode. */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Sends one message from a short-lived NetNode.",
        "With --confirm, waits for the confirmation: exit 0, or 3 (ttl spent), 4 (unreachable), 5 (timed out)."})
final class SendCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  Connect connect;

  @Option(names = "--to", required = true, description = "recipient id")
  String to;

  @Option(names = "--key", required = true, description = "message key")
  String key;

  @Option(names = "--value", paramLabel = "JSON", description = "the value, as JSON (default: null)")
  String value;

  @Option(names = "--confirm", description = "wait for the recipient's confirmation")
  boolean confirm;

  @Option(names = "--id", paramLabel = "NODE_ID", description = "this sender's id (default: send_<pid>)")
  String id;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10", description = "how long --confirm waits (default: 10)")
  double timeout;

  @Override
  public Integer call() throws InterruptedException {
    JsonNode json = parseValue();
    String nodeId = id != null ? id : "send_" + ProcessHandle.current().pid();
    try (NetNode node = connect.node(spec, nodeId).build()) {
      Message m = node.message(to, key, json).build();
      if (!confirm) {
        SendResult result = node.send(m);
        if (result != SendResult.QUEUED) {
          System.err.println("stationmq send: " + m.id() + " not sent: " + result);
          return Main.FAILURE;
        }
        System.out.println("sent " + m.id() + " to " + to);
        return 0;
      }
      try {
        DeliveryReceipt r = node.sendConfirmed(m).get((long) (timeout * 1000), TimeUnit.MILLISECONDS);
        System.out.printf("confirmed %s by %s in %.1f ms after %d attempt(s)%n", r.messageId(), r.recipient(),
            r.roundTrip().toNanos() / 1e6, r.attempts());
        return 0;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        System.err.println("stationmq send: " + cause.getMessage());
        if (cause instanceof TtlExpiredException) {
          return Main.TTL_SPENT;
        }
        return cause instanceof UnreachableException ? Main.UNREACHABLE : Main.FAILURE;
      } catch (TimeoutException e) {
        System.err.println("stationmq send: no confirmation of " + m.id() + " from '" + to + "' within " + timeout + " s");
        return Main.TIMED_OUT;
      }
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
