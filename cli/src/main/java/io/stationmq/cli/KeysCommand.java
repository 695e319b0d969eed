package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.NetNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq keys}: what each endpoint of a Station tree listens to. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    header = "Lists the keys each endpoint of a Station tree listens to.",
    description = "Walks the tree as 'nodes' does and prints each endpoint's keys, as it announced them in "
        + "its HELLO (keys a node starts listening to later show after its next HELLO). stationmq's "
        + "own keys (SMQ_*) are left out. A Python endpoint announces none: its keys show as "
        + "unknown. Exits 1 when a Station below did not answer (named on standard error).")
final class KeysCommand extends AskingCommand {
  @Option(names = "--all", description = "Also list command-line nodes (cli_<pid>, as these commands name themselves).")
  boolean all;

  @Override
  int run(NetNode node) throws InterruptedException {
    Duration timeout = timeout();
    Tree tree = Tree.walk(node, timeout, all);
    Table table = new Table("ID", "KEYS");
    for (Tree.Peer p : tree.peers()) {
      table.row("  ".repeat(p.depth()) + p.id(), keys(p.entry()));
    }
    table.print(out());
    return problems(tree);
  }

  private static String keys(JsonNode entry) {
    if (entry.path("protocol").asInt(0) == 0) {
      return "(unknown: no HELLO)";
    }
    List<String> keys = new ArrayList<>();
    entry.path("listens").forEach(k -> {
      if (!k.asText().startsWith("SMQ_")) {
        keys.add(k.asText());
      }
    });
    return keys.isEmpty() ? "(none)" : String.join(", ", keys);
  }
}
