package io.stationmq.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.ReceivedStream;
import io.stationmq.netnode.Station;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the JSON a {@link WebView} serves: the Station and the tree below it (its own directory,
 * and the directories of the Stations below, from {@link ChildDirectories}), its counters, rates
 * per key and per stream, and its recent warnings. Rates are counter differences since the
 * previous snapshot, per second. Thread-safe ({@link #build()} is synchronized: one snapshot at
 * a time); it only reads the Station's snapshots ({@code directory()}, {@code stats()}, ...), so
 * it runs on the caller's thread, never the socket loop.
 */
final class Snapshotter {
  static final int MAX_DEPTH = 8;
  static final int MAX_STATIONS = 64;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Station station;
  private final RecentEvents events;
  private final ChildDirectories children;
  private final Duration interval;
  private Map<String, double[]> previous = new HashMap<>();
  private Map<String, double[]> current = new HashMap<>();
  private long nowNanos;

  Snapshotter(Station station, RecentEvents events, ChildDirectories children, Duration interval) {
    this.station = station;
    this.events = events;
    this.children = children;
    this.interval = interval;
  }

  /** A snapshot now, as JSON (see the README's "Live web view" for its fields). */
  synchronized ObjectNode build() {
    nowNanos = System.nanoTime();
    Instant now = Instant.now();
    ObjectNode root = JSON.createObjectNode();
    root.put("station", station.id());
    root.put("time", now.toString());
    root.put("interval_ms", interval.toMillis());
    root.put("closed", station.isClosed());

    EndpointStats stats = station.stats();
    ObjectNode statsJson = JSON.valueToTree(stats);
    root.set("stats", statsJson);
    ObjectNode rates = root.putObject("rates");
    for (String counter : List.of("received", "sent", "forwarded", "dispatched")) {
      rates.put(counter, rate("stat:" + counter, statsJson.path(counter).asLong()));
    }

    ArrayNode tree = root.putArray("tree");
    ObjectNode self = tree.addObject();
    self.put("id", station.id()).put("depth", 0).put("role", "station").put("status", "self").put("station", true);
    self.putArray("path").add(station.id());
    self.put("upstream", station.upstreamId());
    self.put("rate", rates.path("received").asDouble());
    List<String> problems = new ArrayList<>();
    Set<List<String>> stations = new LinkedHashSet<>();
    addEntries(tree, List.of(), 1, local(), now, stations, problems);
    children.ask(stations);
    ArrayNode problemsJson = root.putArray("problems");
    problems.forEach(problemsJson::add);

    ArrayNode keys = root.putArray("keys");
    for (Map.Entry<String, Long> k : station.receivedByKey().entrySet()) {
      keys.addObject().put("key", k.getKey()).put("count", k.getValue()).put("rate", rate("key:" + k.getKey(), k.getValue()));
    }
    ArrayNode streams = root.putArray("streams");
    List<ReceivedStream> received = new ArrayList<>(station.receivedStreams());
    received.sort(Comparator.comparing(ReceivedStream::sender).thenComparing(ReceivedStream::stream));
    for (ReceivedStream s : received) {
      streams.addObject().put("sender", s.sender()).put("stream", s.stream()).put("key", s.key())
          .put("samples", s.samples()).put("batches", s.batches()).put("gaps", s.gaps())
          .put("rate", rate("stream:" + s.sender() + "\u0000" + s.stream(), s.samples()));
    }

    ArrayNode recent = root.putArray("events");
    if (events != null) {
      for (RecentEvents.Event e : events.events()) {
        recent.addObject().put("time", e.time().toString()).put("kind", e.kind()).put("text", e.text())
            .put("count", e.count()).put("last", e.last().toString());
      }
    }
    root.put("events_total", events == null ? 0 : events.total());
    previous = current;
    current = new HashMap<>();
    return root;
  }

  /** The Station's own directory, as the {@code DIRECTORY} request answers it (the fields used here). */
  private JsonNode local() {
    ArrayNode list = JSON.createArrayNode();
    for (DirectoryEntry e : station.directory()) {
      ObjectNode o = list.addObject();
      o.put("id", e.id()).put("role", e.role()).put("protocol", e.protocol()).put("status", e.status().name())
          .put("last_seen", e.lastSeen().toString()).put("rtt_us", e.rttMicros()).put("address", e.address())
          .put("software", e.software()).put("messages", e.messages());
    }
    return list;
  }

  /** Adds rows for {@code entries}, the directory of the Station at {@code parent}, and below them their Stations'. */
  private void addEntries(ArrayNode tree, List<String> parent, int depth, JsonNode entries, Instant now,
      Set<List<String>> stations, List<String> problems) {
    List<JsonNode> sorted = new ArrayList<>();
    entries.forEach(sorted::add);
    sorted.sort(Comparator.comparing(e -> e.path("id").asText("")));
    for (JsonNode e : sorted) {
      String id = e.path("id").asText("");
      if (id.isEmpty()) {
        continue;
      }
      List<String> path = new ArrayList<>(parent);
      path.add(id);
      String status = status(e.path("status").asText("UNKNOWN"));
      boolean isStation = e.path("role").asText("").equals("station") && e.path("protocol").asInt(0) > 0;
      ObjectNode row = tree.addObject();
      row.put("id", id).put("depth", depth).put("role", e.path("role").asText("unknown")).put("status", status)
          .put("station", isStation);
      ArrayNode pathJson = row.putArray("path");
      path.forEach(pathJson::add);
      row.put("last_heard_ms", ageMillis(e.path("last_seen").asText(null), now));
      row.put("rtt_us", e.path("rtt_us").asLong(-1));
      row.put("address", e.path("address").asText(null));
      row.put("software", e.path("software").asText(null));
      long messages = e.path("messages").asLong(0);
      row.put("messages", messages);
      row.put("rate", rate("node:" + String.join("\u0000", path), messages));
      if (!isStation || status.equals("gone")) {
        continue;
      }
      if (depth >= MAX_DEPTH || stations.size() >= MAX_STATIONS) {
        problems.add(id + ": not asked (more than " + MAX_DEPTH + " levels or " + MAX_STATIONS + " Stations)");
        continue;
      }
      if (!stations.add(path)) {
        continue;
      }
      ChildDirectories.Answer answer = children.answer(path);
      if (answer != null && answer.error() != null) {
        row.put("error", answer.error());
        problems.add(id + ": " + answer.error());
      }
      if (answer != null && answer.entries() != null) { // ages as of when the answer came
        Instant answered = now.minusNanos(Math.max(0, nowNanos - answer.atNanos()));
        addEntries(tree, path, depth + 1, answer.entries(), answered, stations, problems);
      }
    }
  }

  /** The page's word for a directory status. */
  static String status(String directoryStatus) {
    try {
      return switch (PeerStatus.valueOf(directoryStatus)) {
        case ALIVE -> "alive";
        case SUSPECT -> "suspect";
        case DEAD -> "gone";
        case UNKNOWN -> "unknown";
      };
    } catch (IllegalArgumentException e) {
      return directoryStatus.toLowerCase(Locale.ROOT);
    }
  }

  private static long ageMillis(String instant, Instant now) {
    if (instant == null) {
      return -1;
    }
    try {
      return Math.max(0, Duration.between(Instant.parse(instant), now).toMillis());
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  /** Per second since the previous snapshot (0 for the first, or after a counter went back). */
  private double rate(String name, long value) {
    current.put(name, new double[] {value, nowNanos});
    double[] before = previous.get(name);
    if (before == null || nowNanos <= before[1] || value < before[0]) {
      return 0;
    }
    return Math.round((value - before[0]) * 1e9 / (nowNanos - before[1]) * 10) / 10.0;
  }
}
