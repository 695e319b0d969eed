package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq nodes}: the directory of a Station tree. */
@Command(name = "nodes", mixinStandardHelpOptions = true,
    header = "Lists the endpoints of a Station tree with their liveness.",
    description = "Asks the Station at --connect for its DIRECTORY, and each Station below it for its own, "
        + "and prints one line per endpoint: id (indented under its Station), role, status, "
        + "address, when its Station last heard from it, its round trip to its Station, and its "
        + "software, and its clock's offset to its Station's (its clock minus the Station's, "
        + "± the bound on the error) once it has measured it. Only downwards: the Station's own upstream is not visited. Python endpoints "
        + "say no HELLO, so their role and status stay unknown, and a Python station is not asked. "
        + "Exits 1 when a Station below did not answer (named on standard error).")
final class NodesCommand extends AskingCommand {
  @Option(names = "--all", description = "Also list command-line nodes (cli_<pid>, as these commands name themselves).")
  boolean all;

  @Option(names = "--json", description = "One JSON object per endpoint and line (its directory entry, path and depth).")
  boolean json;

  @Override
  int run(NetNode node) throws InterruptedException {
    Duration timeout = timeout();
    Tree tree = Tree.walk(node, timeout, all);
    PrintWriter out = out();
    if (json) {
      for (Tree.Peer p : tree.peers()) {
        ObjectNode line = ((ObjectNode) p.entry().deepCopy()).put("depth", p.depth());
        p.path().forEach(line.putArray("path")::add);
        out.println(line);
      }
    } else {
      Instant now = Instant.now();
      Table table = new Table("ID", "ROLE", "STATUS", "ADDRESS", "LAST HEARD", "RTT", "CLOCK", "VERSION");
      for (Tree.Peer p : tree.peers()) {
        JsonNode e = p.entry();
        boolean top = p.depth() == 0;
        table.row("  ".repeat(p.depth()) + p.id(), p.role(), e.path("status").asText("-"),
            top ? connect.connect : e.path("address").asText("-"), Table.ago(e.path("last_seen").asText(null), now),
            Table.millis(e.path("rtt_us").asLong(-1)), clock(e), e.path("software").asText("-"));
      }
      table.print(out);
    }
    out.flush();
    return problems(tree);
  }

  /** The offset ± uncertainty in milliseconds, e.g. {@code +250.41±0.88 ms}, or "-" when not measured. */
  static String clock(JsonNode e) {
    JsonNode offset = e.path("clock_offset_us");
    JsonNode uncertainty = e.path("clock_uncertainty_us");
    if (!offset.isNumber() || !uncertainty.isNumber()) {
      return "-";
    }
    return String.format(java.util.Locale.ROOT, "%+.2f±%.2f ms", offset.asDouble() / 1e3, uncertainty.asDouble() / 1e3);
  }
}
