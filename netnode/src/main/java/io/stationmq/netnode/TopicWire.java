package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON of the topic keys (README, Topics; {@link Keys#TOPIC_SUB}, {@link Keys#TOPIC_PUB},
 * {@link Keys#TOPIC_INTEREST}, {@link Keys#BROADCAST}): subscription snapshots, declared topics,
 * groups, patterns and broadcasts, written and read. Stateless. Not public API.
 */
final class TopicWire {
  private TopicWire() {}

  /** A subscription snapshot as it was read. */
  record Snapshot(String instance, long seq, List<TopicTable.Sub> subs, List<TopicInfo> declared) {}

  /** The value of a snapshot. */
  static Map<String, Object> snapshot(String instance, long seq, List<Map<String, Object>> subs,
      List<Map<String, Object>> topics) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("instance", instance);
    v.put("seq", seq);
    v.put("subs", subs);
    v.put("topics", topics);
    return v;
  }

  /** Subscriptions as JSON. */
  static List<Map<String, Object>> subs(List<TopicTable.Sub> subs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (TopicTable.Sub sub : subs) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("pattern", sub.pattern());
      s.put("group", sub.group());
      s.put("mode", sub.mode().name());
      out.add(s);
    }
    return out;
  }

  /** A declared topic as JSON (also one entry of the {@code TOPICS} answer). */
  static Map<String, Object> info(TopicInfo t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("topic", t.topic());
    m.put("type", t.valueType());
    m.put("description", t.description());
    m.put("declared_by", t.declaredBy());
    return m;
  }

  /**
   * Reads a snapshot sent by {@code sender}.
   *
   * @throws IllegalArgumentException when a subscription or declaration is unreadable
   */
  static Snapshot readSnapshot(JsonNode v, String sender) {
    List<TopicTable.Sub> subs = new ArrayList<>();
    List<TopicInfo> declared = new ArrayList<>();
    for (JsonNode sub : v.path("subs")) {
      String pattern = sub.path("pattern").asText("");
      if (pattern.isEmpty()) {
        throw new IllegalArgumentException("a subscription without a pattern");
      }
      String group = sub.path("group").isTextual() ? sub.path("group").asText() : null;
      subs.add(new TopicTable.Sub(pattern, group, TopicMode.valueOf(sub.path("mode").asText("EVERY"))));
    }
    for (JsonNode t : v.path("topics")) {
      declared.add(TopicInfo.builder().topic(t.path("topic").asText()).valueType(t.path("type").asText(""))
          .description(t.path("description").asText("")).declaredBy(t.path("declared_by").asText(sender)).build());
    }
    return new Snapshot(v.path("instance").asText(""), v.path("seq").asLong(0), subs, declared);
  }

  /** The groups a topic message picked this endpoint for (its extra field {@code groups}). */
  static Set<String> groups(Message m) {
    JsonNode g = m.extras().get("groups");
    Set<String> out = new HashSet<>();
    if (g != null && g.isArray()) {
      g.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  /** The value of a broadcast to a child Station. */
  static Map<String, Object> broadcast(String key, Object value) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("key", key);
    v.put("value", value);
    return v;
  }

  /** The value of an interest message. */
  static Map<String, Object> interest(Collection<String> patterns) {
    return Map.of("patterns", List.copyOf(patterns));
  }

  /** The patterns of an interest message. */
  static Set<String> readInterest(JsonNode v) {
    Set<String> out = new TreeSet<>();
    v.path("patterns").forEach(p -> out.add(p.asText()));
    return out;
  }
}
