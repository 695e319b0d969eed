package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KeyCountsTest {
  @Test
  void countsPerKeyInKeyOrder() {
    KeyCounts counts = new KeyCounts();
    counts.count("STATE");
    counts.count("DATA");
    counts.count("STATE");
    assertEquals(Map.of("DATA", 1L, "STATE", 2L), counts.snapshot());
    assertEquals("DATA", counts.snapshot().keySet().iterator().next());
  }

  @Test
  void keysBeyondTheBoundShareOneEntry() {
    KeyCounts counts = new KeyCounts();
    for (int i = 0; i < KeyCounts.MAX_KEYS + 5; i++) {
      counts.count("K" + i);
    }
    counts.count("K0");
    Map<String, Long> snapshot = counts.snapshot();
    assertEquals(KeyCounts.MAX_KEYS + 1, snapshot.size());
    assertEquals(5L, snapshot.get(KeyCounts.OTHER));
    assertEquals(2L, snapshot.get("K0"));
  }
}
