package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The broker's bookkeeping without sockets: matching, aggregation, routing, round-robin. */
@Timeout(10)
class TopicTableTest {
  private static TopicTable.Sub sub(String pattern, String group, TopicMode mode) {
    return new TopicTable.Sub(pattern, group, mode);
  }

  @Test
  void patternsMatchATopicOrAPrefix() {
    assertTrue(TopicTable.matches("rig.temp", "rig.temp"));
    assertFalse(TopicTable.matches("rig.temp", "rig.temp2"));
    assertTrue(TopicTable.matches("rig.*", "rig.temp"));
    assertFalse(TopicTable.matches("rig.*", "rig"));
    assertTrue(TopicTable.matches("*", "anything"));
  }

  @Test
  void theSubtreeSubscribesUpstreamOncePerPatternAndGroupEveryWinning() {
    TopicTable t = new TopicTable();
    t.replace("a", "i", 1, List.of(sub("x", null, TopicMode.LATEST)), List.of());
    t.replace("b", "i", 1, List.of(sub("x", null, TopicMode.EVERY), sub("x", "g", TopicMode.LATEST)), List.of());
    t.replace("c", "i", 1, List.of(sub("x", null, TopicMode.LATEST), sub("x", "g", TopicMode.LATEST)), List.of());
    assertEquals(List.of(sub("x", null, TopicMode.EVERY), sub("x", "g", TopicMode.LATEST)), t.aggregate());
    assertEquals(5, t.subscribers("x"));
  }

  @Test
  void anOlderSnapshotOfTheSameRunIsIgnoredANewRunReplaces() {
    TopicTable t = new TopicTable();
    assertTrue(t.replace("a", "run1", 5, List.of(sub("x", null, TopicMode.EVERY)), List.of()));
    assertFalse(t.replace("a", "run1", 4, List.of(), List.of()));
    assertEquals(1, t.subscribers("x"));
    assertTrue(t.replace("a", "run2", 1, List.of(), List.of()));
    assertEquals(0, t.subscribers("x"));
    assertTrue(t.remove("a"));
    assertFalse(t.remove("a"));
  }

  @Test
  void plainSubscribersGetItExceptWhereItCameFrom() {
    TopicTable t = new TopicTable();
    t.replace("a", "i", 1, List.of(sub("x.*", null, TopicMode.EVERY)), List.of());
    t.replace("b", "i", 1, List.of(sub("x.y", null, TopicMode.LATEST)), List.of());
    t.replace("c", "i", 1, List.of(sub("z", null, TopicMode.EVERY)), List.of());
    List<TopicTable.Target> r = t.route("x.y", true, "a", false, Set.of());
    assertEquals(List.of(new TopicTable.Target("b", true, List.of(), TopicMode.LATEST)), r);
    assertEquals(List.of(), t.route("x.y", false, null, false, Set.of()), "not for plain subscribers");
  }

  @Test
  void groupMembersTakeTurnsIncludingTheOneItCameFrom() {
    TopicTable t = new TopicTable();
    for (String peer : List.of("a", "b", "c")) {
      t.replace(peer, "i", 1, List.of(sub("jobs", "w", TopicMode.EVERY)), List.of());
    }
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      List<TopicTable.Target> r = t.route("jobs", true, "a", true, Set.of());
      assertEquals(1, r.size());
      assertEquals(List.of("w"), r.get(0).groups());
      assertFalse(r.get(0).all());
      counts.merge(r.get(0).peer(), 1, Integer::sum);
    }
    assertEquals(Map.of("a", 1_000, "b", 1_000, "c", 1_000), counts);
  }

  @Test
  void aStationBelowTheTopPicksOnlyForTheGroupsItWasPickedFor() {
    TopicTable t = new TopicTable();
    t.replace("a", "i", 1, List.of(sub("jobs", "w", TopicMode.EVERY), sub("jobs", null, TopicMode.EVERY)), List.of());
    t.replace("b", "i", 1, List.of(sub("jobs", "other", TopicMode.EVERY)), List.of());
    assertEquals(List.of(new TopicTable.Target("a", true, List.of(), TopicMode.EVERY)),
        t.route("jobs", true, null, false, Set.of()), "not picked: no group member gets it");
    List<TopicTable.Target> picked = t.route("jobs", false, null, false, Set.of("w"));
    assertEquals(List.of(new TopicTable.Target("a", false, List.of("w"), TopicMode.EVERY)), picked);
  }

  @Test
  void declaredTopicsOfTheSubtreeAreListedOnce() {
    TopicTable t = new TopicTable();
    TopicInfo temp = TopicInfo.builder().topic("rig.temp").valueType("float").declaredBy("a").build();
    t.replace("a", "i", 1, List.of(), List.of(temp));
    t.replace("b", "i", 1, List.of(), List.of(temp));
    assertEquals(List.of(temp), t.declared());
  }
}
