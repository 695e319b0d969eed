package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stationmq stats NODE}: one endpoint's counters. */
@Command(name = "stats", mixinStandardHelpOptions = true,
    header = "Prints the counters of an endpoint of a Station tree.",
    description = "Sends an INFO request (every stationmq endpoint answers it) to NODE, found below the "
        + "Station at --connect as 'nodes' finds it (default: that Station), and prints its id, "
        + "role, software and upstream, then every counter since it started (see EndpointStats).")
final class StatsCommand extends AskingCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "NODE", description = "The endpoint (default: the Station at --connect).")
  String target;

  @Option(names = "--json", description = "The INFO answer as one JSON line.")
  boolean json;

  @Override
  int run(NetNode node) throws InterruptedException {
    Duration timeout = timeout();
    List<String> path = Tree.pathTo(node, target != null ? target : node.upstreamId(), timeout);
    JsonNode info = Ask.value(node, path, "INFO", timeout);
    PrintWriter out = out();
    if (json) {
      out.println(info);
      return 0;
    }
    out.println(info.path("id").asText() + " (" + info.path("role").asText("?") + ", "
        + info.path("software").asText("?") + ", upstream " + info.path("upstream").asText("none") + ")");
    Table table = new Table("COUNTER", "VALUE");
    info.path("stats").fields().forEachRemaining(f -> table.row(f.getKey(), f.getValue().asText()));
    table.print(out);
    return 0;
  }
}
