package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stationmq state NODE}: a node's replicated state from the Station's last-value cache. */
@Command(name = "state", mixinStandardHelpOptions = true,
    header = "Prints the replicated state of an endpoint, from the Station's last-value cache.",
    description = "Sends a STATE_GET request to the Station at --connect, which answers from its own replica "
        + "(the owners below it, and those it replicates from its parent) without contacting NODE, and prints "
        + "each key with its value, sequence number and when it last changed; '*' prints every owner the "
        + "Station holds. --history N adds each key's last N changes.")
final class StateCommand extends AskingCommand {

  @Parameters(index = "0", paramLabel = "NODE", description = "The owner, or '*' for every owner the Station holds.")
  String owner;

  @Option(names = "--key", paramLabel = "KEY", description = "Only this key (also when removed).")
  String key;

  @Option(names = "--history", paramLabel = "N", description = "Each key's last N changes (default: ${DEFAULT-VALUE}).")
  int history;

  @Option(names = "--json", description = "The STATE_GET answer as one JSON line.")
  boolean json;

  @Override
  void validate() {
    super.validate();
    if (history < 0) {
      throw new CliException(Main.BAD_ARGUMENTS, "--history must be 0 or more, got " + history);
    }
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    String station = node.upstreamId();
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("owner", owner);
    if (key != null) {
      args.put("key", key);
    }
    args.put("history", history);
    JsonNode answer = Ask.reply(node.request(station, "STATE_GET", args, timeout()), List.of(station)).valueNode();
    PrintWriter out = out();
    if (json) {
      out.println(answer);
      return 0;
    }
    JsonNode owners = answer.path("owners");
    if (owners.isEmpty()) {
      err().println("stationmq state: '" + station + "' holds no state of " + (owner.equals("*") ? "anyone" : "'" + owner + "'"));
      return Main.FAILURE;
    }
    Instant now = Instant.now();
    owners.fields().forEachRemaining(o -> {
      out.println(o.getKey() + " (seq " + o.getValue().path("seq").asLong() + ")");
      Table table = new Table("  KEY", "VALUE", "SEQ", "UPDATED");
      o.getValue().path("keys").fields().forEachRemaining(k -> {
        JsonNode v = k.getValue();
        table.row("  " + k.getKey(), v.path("removed").asBoolean() ? "(removed)" : v.path("value").toString(),
            v.path("seq").asText("-"), Table.ago(v.path("updated").asText(null), now));
        for (JsonNode h : v.path("history")) {
          table.row("    " + h.path("time").asText(), h.path("removed").asBoolean() ? "(removed)" : h.path("value").toString(),
              h.path("seq").asText(), "");
        }
      });
      table.print(out);
    });
    return 0;
  }
}
