package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The directory of a Station tree as a command-line node sees it: the Station it connects to
 * (from its {@code INFO}) and every peer below it, found by asking each Station below for its
 * {@code DIRECTORY}, one level at a time with that level's requests in flight together. Only
 * Stations that said HELLO are asked (a Python station answers no request); only downwards
 * (the Station's own upstream is not visited); at most {@link #MAX_DEPTH} levels and {@link
 * #MAX_STATIONS} Stations. Immutable once walked.
 */
final class Tree {
  static final int MAX_DEPTH = 8;
  static final int MAX_STATIONS = 256;

  /** The ids the command line gives its own short-lived nodes by default ({@link NodeId}). */
  private static final Pattern COMMAND_LINE_ID = Pattern.compile("cli_\\d+");

  /**
   * One endpoint of the tree.
   *
   * @param depth 0 for the Station the node connects to
   * @param path the hops to it below that Station, itself last (the Station: its own id alone)
   * @param entry its directory entry as the DIRECTORY reply has it ({@code id}, {@code role},
   *     {@code status}, {@code address}, {@code last_seen}, {@code rtt_us}, {@code software},
   *     {@code listens}, ...)
   */
  record Peer(int depth, List<String> path, JsonNode entry) {
    String id() {
      return path.get(path.size() - 1);
    }

    String role() {
      return entry.path("role").asText("unknown");
    }

    /** True for a stationmq Station, which answers DIRECTORY. */
    boolean isStation() {
      return role().equals("station") && entry.path("protocol").asInt(0) > 0;
    }
  }

  private final List<Peer> peers;
  private final List<String> problems;

  private Tree(List<Peer> peers, List<String> problems) {
    this.peers = List.copyOf(peers);
    this.problems = List.copyOf(problems);
  }

  /** Every endpoint, depth first: each Station followed by what is below it. */
  List<Peer> peers() {
    return peers;
  }

  /** Stations below that did not answer, and limits reached; one line each. */
  List<String> problems() {
    return problems;
  }

  /** The endpoint {@code id}, or null when it is not in the tree. */
  Peer find(String id) {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
  }

  /**
   * The path to {@code target} (see {@link Peer#path()}): the node's Station itself, or an
   * endpoint found in the tree below it.
   *
   * @throws CliException (exit 4) when {@code target} is not in the tree
   */
  static List<String> pathTo(NetNode node, String target, Duration timeout) throws InterruptedException {
    if (target.equals(node.upstreamId())) {
      return List.of(target);
    }
    Peer p = walk(node, timeout, true).find(target);
    if (p == null) {
      throw new CliException(Main.UNREACHABLE, "'" + target + "' is not in the tree below '" + node.upstreamId()
          + "' (see 'stationmq nodes')");
    }
    return p.path();
  }

  /**
   * Walks the tree below {@code node}'s Station, leaving {@code node} itself out, and other
   * command-line nodes ({@code cli_<pid>}, live or lately gone) unless {@code all}.
   *
   * @throws CliException when the Station itself does not answer
   */
  static Tree walk(NetNode node, Duration timeout, boolean all) throws InterruptedException {
    String root = node.upstreamId();
    Peer top = new Peer(0, List.of(root), rootEntry(Ask.value(node, List.of(root), "INFO", timeout)));
    Map<List<String>, List<Peer>> below = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    Set<String> asked = new HashSet<>();
    List<Peer> level = List.of(top);
    for (int depth = 0; !level.isEmpty(); depth++) {
      if (depth == MAX_DEPTH) {
        problems.add("deeper than " + MAX_DEPTH + " levels: not asked");
        break;
      }
      Map<Peer, CompletableFuture<Message>> replies = new LinkedHashMap<>();
      for (Peer station : level) {
        if (asked.size() == MAX_STATIONS) {
          problems.add("more than " + MAX_STATIONS + " Stations: not all asked");
          break;
        }
        if (asked.add(station.id())) { // a loop of Stations is asked once
          replies.put(station, Ask.send(node, station.path(), "DIRECTORY", timeout));
        }
      }
      List<Peer> next = new ArrayList<>();
      for (Map.Entry<Peer, CompletableFuture<Message>> r : replies.entrySet()) {
        Peer station = r.getKey();
        JsonNode list;
        try {
          list = Ask.reply(r.getValue(), station.path()).valueNode();
        } catch (CliException e) {
          if (station == top) {
            throw e;
          }
          problems.add(station.id() + ": " + e.getMessage());
          continue;
        }
        List<Peer> children = new ArrayList<>();
        for (JsonNode e : list) {
          String id = e.path("id").asText("");
          if (id.isEmpty() || id.equals(node.id()) || (!all && COMMAND_LINE_ID.matcher(id).matches())) {
            continue;
          }
          List<String> path = new ArrayList<>(station == top ? List.of() : station.path());
          path.add(id);
          Peer child = new Peer(depth + 1, List.copyOf(path), e);
          children.add(child);
          if (child.isStation()) {
            next.add(child);
          }
        }
        below.put(station.path(), children);
      }
      level = next;
    }
    List<Peer> ordered = new ArrayList<>();
    addDepthFirst(top, below, ordered);
    return new Tree(ordered, problems);
  }

  private static void addDepthFirst(Peer p, Map<List<String>, List<Peer>> below, List<Peer> out) {
    out.add(p);
    for (Peer child : below.getOrDefault(p.path(), List.of())) {
      addDepthFirst(child, below, out);
    }
  }

  /** The Station's own entry, from its INFO (it is in no directory the node can ask). */
  private static JsonNode rootEntry(JsonNode info) {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("id", info.path("id").asText());
    e.put("role", info.path("role").asText("station"));
    e.put("software", info.path("software").asText(null));
    e.put("protocol", 1);
    e.set("listens", info.path("listens"));
    e.put("upstream", info.path("upstream").asText(null));
    return e;
  }
}
