package io.stationmq.netnode;

import io.stationmq.message.Timestamps;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The requests every endpoint answers: {@code PING} (its id and time), {@code TIME} (its wall
 * clock, in epoch nanoseconds, when it ran the responder: {@code receive_ns} and {@code
 * send_ns}, for {@link ClockSync}), {@code INFO} (role,
 * software, upstream, the keys it listens to, counters) and, on a Station, {@code DIRECTORY} (who is connected). The
 * answers are JSON a Python peer can read too (times as ISO-8601 instants). Stateless.
 */
final class BuiltInRequests {
  private BuiltInRequests() {}

  static void provide(Requests requests, EngineConfig config, Supplier<EndpointStats> stats,
      Supplier<List<DirectoryEntry>> directory, Supplier<? extends Collection<String>> listens) {
    WallClock wall = config.options().wallClock();
    requests.provide("PING", request -> Map.of("id", config.id(), "time", Timestamps.format(WallTime.timestamp(wall))));
    requests.provide(ClockSync.REQUEST, request -> {
      long received = wall.epochNanos(); // when the responder ran: the receive and send of NTP's exchange
      return new ClockSync.TimeAnswer(received, Math.max(received, wall.epochNanos())).toValue();
    });
    requests.provide("INFO", request -> {
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("id", config.id());
      info.put("role", config.forwarding() ? "station" : "node");
      info.put("software", "stationmq 0.1.0");
      info.put("upstream", config.upstreamId());
      info.put("listens", List.copyOf(listens.get()));
      info.put("stats", stats.get());
      return info;
    });
    if (config.forwarding()) {
      requests.provide("DIRECTORY", request -> directory.get().stream().map(BuiltInRequests::directoryJson).toList());
    }
  }

  /** A directory entry as JSON. */
  static Map<String, Object> directoryJson(DirectoryEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("role", e.role());
    m.put("instance", e.instance());
    m.put("software", e.software());
    m.put("protocol", e.protocol());
    m.put("listens", e.listens());
    m.put("meta", e.meta());
    m.put("connected_since", e.connectedSince().toString());
    m.put("last_seen", e.lastSeen().toString());
    m.put("rtt_us", e.rttMicros());
    m.put("status", e.status().name());
    m.put("messages", e.messages());
    m.put("address", e.address());
    ClockOffset clock = e.clockOffset();
    m.put("clock_offset_us", clock.isKnown() ? clock.offsetNanos() / 1e3 : null);
    m.put("clock_uncertainty_us", clock.isKnown() ? clock.uncertaintyNanos() / 1e3 : null);
    m.put("clock_drift_ppm", clock.isKnown() ? clock.drift() : null);
    return m;
  }
}
