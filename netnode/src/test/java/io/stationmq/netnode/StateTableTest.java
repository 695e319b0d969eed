package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sequence, gap and snapshot rules of replicated state and the last-value cache, without sockets, on a fake clock. */
@Timeout(10)
class StateTableTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final WallClock clock = now::get;
  private final List<StateChange> out = new ArrayList<>();

  private StateTable table(StateLimits limits) {
    return new StateTable(limits, clock);
  }

  private static JsonNode v(int i) {
    return IntNode.valueOf(i);
  }

  @Test
  void changesApplyInOrderRepeatsAreStaleAndASkipIsAGap() {
    StateTable t = table(StateLimits.defaults());
    assertEquals(StateTable.Outcome.GAP, t.applyChange("o", 7, 2, "a", v(1), "S", out), "unknown owner, not from the start");
    assertEquals(StateTable.Outcome.APPLIED, t.applyChange("o", 7, 1, "a", v(1), "S", out));
    assertEquals(StateTable.Outcome.STALE, t.applyChange("o", 7, 1, "a", v(1), "S", out), "a repeat");
    assertEquals(StateTable.Outcome.GAP, t.applyChange("o", 7, 3, "a", v(3), "S", out), "2 was missed");
    assertEquals(StateTable.Outcome.APPLIED, t.applyChange("o", 7, 2, "b", v(2), "S", out));
    assertEquals(StateTable.Outcome.APPLIED, t.applyChange("o", 7, 3, "a", null, "S", out), "a removal");
    assertEquals(Map.of("b", v(2)), Map.copyOf(t.replica("o").entries));
    assertEquals(3, t.replica("o").seq);
    assertEquals(List.of(1L, 2L, 3L), out.stream().map(StateChange::seq).toList());
    StateChange removal = out.get(2);
    assertEquals(v(1), removal.oldValue());
    assertNull(removal.newValue());
    assertTrue(removal.isRemoval());
  }

  @Test
  void aSnapshotReplacesAnOlderReplicaAndReportsOnlyWhatDiffers() {
    StateTable t = table(StateLimits.defaults());
    t.applyChange("o", 7, 1, "a", v(1), "S", out);
    t.applyChange("o", 7, 2, "b", v(2), "S", out);
    out.clear();
    assertEquals(StateTable.Outcome.STALE, t.applySnapshot("o", 7, 2, Map.of("a", v(9)), "S", out), "not newer");
    assertEquals(StateTable.Outcome.APPLIED, t.applySnapshot("o", 7, 5, Map.of("a", v(1), "c", v(3)), "S", out));
    assertEquals(Map.of("a", v(1), "c", v(3)), Map.copyOf(t.replica("o").entries));
    assertEquals(2, out.size(), "b removed, c added; a unchanged: " + out);
    assertTrue(out.stream().allMatch(c -> c.resync() && c.seq() == 5));
    assertEquals(StateTable.Outcome.APPLIED, t.applyChange("o", 7, 6, "a", v(2), "S", out), "changes go on after the snapshot");
  }

  @Test
  void aNewIncarnationNeedsASnapshotAndAnOlderOneIsStale() {
    StateTable t = table(StateLimits.defaults());
    t.applyChange("o", 7, 1, "a", v(1), "S", out);
    t.applyChange("o", 7, 2, "b", v(2), "S", out);
    assertEquals(StateTable.Outcome.GAP, t.applyChange("o", 8, 1, "x", v(1), "S", out), "the owner restarted");
    assertEquals(StateTable.Outcome.APPLIED, t.applySnapshot("o", 8, 0, Map.of(), "S", out), "its new, empty state");
    assertEquals(Map.of(), Map.copyOf(t.replica("o").entries));
    assertEquals(StateTable.Outcome.STALE, t.applyChange("o", 7, 3, "a", v(3), "S", out), "late, from the old run");
    assertEquals(StateTable.Outcome.STALE, t.applySnapshot("o", 7, 9, Map.of("a", v(3)), "S", out));
    assertEquals(StateTable.Outcome.APPLIED, t.applyChange("o", 8, 1, "x", v(1), "S", out));
  }

  /** Random changes delivered with losses, repeats and reordering: gaps repaired by snapshots converge. */
  @Test
  void lossyReorderedDeliveryRepairedBySnapshotsConverges() {
    Random r = new Random(42);
    StateTable t = table(StateLimits.defaults());
    TreeMap<String, JsonNode> owner = new TreeMap<>();
    List<Object[]> sent = new ArrayList<>();
    long seq = 0;
    for (int i = 0; i < 2_000; i++) {
      String key = "k" + r.nextInt(20);
      JsonNode value = r.nextInt(4) == 0 ? null : v(i);
      if (value == null && !owner.containsKey(key)) {
        continue;
      }
      seq++;
      if (value == null) {
        owner.remove(key);
      } else {
        owner.put(key, value);
      }
      sent.add(new Object[] {seq, key, value});
    }
    long lastSeen = -1;
    int snapshots = 0;
    for (int i = 0; i < sent.size(); i++) {
      int pick = r.nextInt(10) == 0 && i + 1 < sent.size() ? i + 1 : i; // sometimes swapped
      if (r.nextInt(20) == 0) {
        continue; // lost
      }
      Object[] c = sent.get(pick);
      out.clear();
      StateTable.Outcome o = t.applyChange("o", 1, (long) c[0], (String) c[1], (JsonNode) c[2], "S", out);
      if (o == StateTable.Outcome.GAP) {
        snapshots++;
        TreeMap<String, JsonNode> at = replay(sent, (long) c[0]);
        t.applySnapshot("o", 1, (long) c[0], at, "S", out);
      }
      for (StateChange ch : out) {
        assertTrue(ch.seq() > lastSeen || ch.resync(), "a change is never older than what was seen: " + ch);
        lastSeen = Math.max(lastSeen, ch.seq());
      }
    }
    t.applySnapshot("o", 1, seq, owner, "S", out);
    assertEquals(owner, new TreeMap<>(t.replica("o").entries));
    assertTrue(snapshots > 10, "the losses caused gaps: " + snapshots);
  }

  private static TreeMap<String, JsonNode> replay(List<Object[]> sent, long upTo) {
    TreeMap<String, JsonNode> m = new TreeMap<>();
    for (Object[] c : sent) {
      if ((long) c[0] > upTo) {
        break;
      }
      if (c[2] == null) {
        m.remove((String) c[1]);
      } else {
        m.put((String) c[1], (JsonNode) c[2]);
      }
    }
    return m;
  }

  @Test
  void historyIsTimestampedAndBoundedByLengthAndBytes() {
    StateTable t = table(StateLimits.builder().historyLength(3).maxHistoryBytesPerOwner(40).build());
    for (int i = 1; i <= 5; i++) {
      now.addAndGet(1_000);
      t.applyChange("o", 1, i, "a", v(i), "S", out);
    }
    List<StateTable.HistoryEntry> h = t.history("o", "a", 10);
    assertEquals(List.of(3L, 4L, 5L), h.stream().map(StateTable.HistoryEntry::seq).toList(), "the last 3");
    assertEquals(1_000_005_000L, h.get(2).epochNanos(), "stamped with the injected clock");
    t.applyChange("o", 1, 6, "b", new TextNode("x".repeat(35)), "S", out);
    assertTrue(t.history("o", "a", 10).size() < 3, "the oldest entries went to keep 40 bytes: " + t.history("o", "a", 10));
    assertEquals(1, t.history("o", "b", 10).size());
  }

  @Test
  void limitsDropWhatPassesThemAndCount() {
    StateTable t = table(StateLimits.builder().maxOwners(1).maxKeysPerOwner(2).maxValueBytes(8).build());
    assertEquals(StateTable.Outcome.APPLIED, t.applyChange("o", 1, 1, "a", v(1), "S", out));
    assertEquals(StateTable.Outcome.REFUSED, t.applyChange("p", 1, 1, "a", v(1), "S", out), "a second owner");
    assertEquals(StateTable.Outcome.REFUSED, t.applyChange("o", 1, 2, "b", new TextNode("123456789"), "S", out));
    assertEquals(StateTable.Outcome.APPLIED, t.applyChange("o", 1, 3, "b", v(2), "S", out), "its number was taken: no gap");
    assertEquals(StateTable.Outcome.REFUSED, t.applyChange("o", 1, 4, "c", v(3), "S", out), "a third key");
    assertEquals(StateTable.Outcome.APPLIED, t.applySnapshot("o", 1, 9, Map.of("a", v(1), "b", v(2), "c", v(3)), "S", out));
    assertEquals(2, t.replica("o").entries.size());
    assertEquals(4, t.refused());
  }

  @Test
  void limitsRejectValuesOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> StateLimits.builder().maxOwners(0));
    assertThrows(IllegalArgumentException.class, () -> StateLimits.builder().historyLength(-1));
    assertThrows(IllegalArgumentException.class, () -> StateLimits.builder().maxValueBytes(3));
  }
}
