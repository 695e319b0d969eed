package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.NetNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq topics}: the topic registry of a Station tree. */
@Command(name = "topics", mixinStandardHelpOptions = true,
    header = "Lists the topics declared in a Station tree.",
    description = "Sends a TOPICS request to the Station at --connect, which knows every topic declared "
        + "(Topics.declare) in its subtree, and prints each topic, the type of its values, who declared "
        + "it, how many subscriptions the Station knows of (a child Station counts once) and its "
        + "description. A Python Station does not answer.")
final class TopicsCommand extends AskingCommand {
  @Option(names = "--json", description = "One JSON object per topic.")
  boolean json;

  @Override
  int run(NetNode node) throws InterruptedException {
    Duration timeout = timeout();
    JsonNode topics = Ask.value(node, List.of(node.upstreamId()), "TOPICS", timeout);
    PrintWriter out = out();
    if (json) {
      topics.forEach(out::println);
      return 0;
    }
    Table table = new Table("TOPIC", "TYPE", "DECLARED BY", "SUBSCRIBERS", "DESCRIPTION");
    for (JsonNode t : topics) {
      table.row(t.path("topic").asText(), t.path("type").asText(), t.path("declared_by").asText(),
          t.path("subscribers").asText(), t.path("description").asText());
    }
    table.print(out);
    return 0;
  }
}
