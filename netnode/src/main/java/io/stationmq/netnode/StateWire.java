package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.MessageCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of replicated state on the wire (README, Replicated state): an {@link Keys#STATE}
 * message holds one change ({@code {"owner", "epoch", "seq", "kind": "change", "key", "value"}},
 * {@code "removed": true} instead of a value for a removal) or one snapshot ({@code {"owner",
 * "epoch", "seq", "kind": "snapshot", "entries": {key: value}}}); the snapshot requests answer
 * snapshots in the same form. Stateless.
 */
final class StateWire {
  static final String CHANGE = "change";
  static final String SNAPSHOT = "snapshot";

  private StateWire() {}

  static Map<String, Object> change(String owner, long epoch, long seq, String key, JsonNode value) {
    Map<String, Object> m = header(owner, epoch, seq, CHANGE);
    m.put("key", key);
    if (value == null) {
      m.put("removed", true);
    } else {
      m.put("value", value);
    }
    return m;
  }

  static Map<String, Object> snapshot(StateTable.Snapshot s) {
    Map<String, Object> m = header(s.owner(), s.epoch(), s.seq(), SNAPSHOT);
    m.put("entries", s.entries());
    return m;
  }

  private static Map<String, Object> header(String owner, long epoch, long seq, String kind) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("owner", owner);
    m.put("epoch", epoch);
    m.put("seq", seq);
    m.put("kind", kind);
    return m;
  }

  /** A body as read: a change ({@code entries} null) or a snapshot ({@code key} null). */
  record Body(String owner, long epoch, long seq, String key, JsonNode value, Map<String, JsonNode> entries) {
    boolean isSnapshot() {
      return entries != null;
    }

    StateTable.Snapshot asSnapshot() {
      return new StateTable.Snapshot(owner, epoch, seq, entries);
    }
  }

  /**
   * Reads a body.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static Body read(JsonNode v) {
    if (v == null || !v.isObject()) {
      throw new IllegalArgumentException("not an object");
    }
    String owner = v.path("owner").asText("");
    if (owner.isEmpty() || !v.path("epoch").canConvertToLong() || !v.path("seq").canConvertToLong()) {
      throw new IllegalArgumentException("owner, epoch or seq missing");
    }
    long epoch = v.path("epoch").asLong();
    long seq = v.path("seq").asLong();
    String kind = v.path("kind").asText("");
    if (kind.equals(SNAPSHOT)) {
      JsonNode entries = v.path("entries");
      if (!entries.isObject()) {
        throw new IllegalArgumentException("snapshot without entries");
      }
      Map<String, JsonNode> map = new LinkedHashMap<>();
      entries.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
      return new Body(owner, epoch, seq, null, null, map);
    }
    if (!kind.equals(CHANGE) || !v.path("key").isTextual() || v.path("key").asText().isEmpty()) {
      throw new IllegalArgumentException("neither a change with a key nor a snapshot");
    }
    boolean removed = v.path("removed").asBoolean(false);
    if (!removed && !v.has("value")) {
      throw new IllegalArgumentException("change without value");
    }
    return new Body(owner, epoch, seq, v.path("key").asText(), removed ? null : v.get("value"), null);
  }

  /** Snapshots in a subscription's reply ({@code {"owners": [snapshot...]}}). */
  static List<Body> readAll(JsonNode reply) {
    List<Body> all = new ArrayList<>();
    for (JsonNode s : reply.path("owners")) {
      all.add(read(s));
    }
    return all;
  }

  /** A value as a JSON tree (copied). */
  static JsonNode tree(Object value) {
    return MessageCodec.toJson(value);
  }
}
