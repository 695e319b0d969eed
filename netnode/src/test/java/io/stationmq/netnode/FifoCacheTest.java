package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.stationmq.netnode.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounded first-in-first-out map, on a fake clock. */
@Timeout(10)
class FifoCacheTest {
  private final FakeTicker clock = new FakeTicker();

  @Test
  void theFirstValueStaysAndTheOldestGoFirstPastTheWeight() {
    FifoCache<String, String> cache = new FifoCache<>(10, Long.MAX_VALUE, clock, String::length);
    assertNull(cache.putIfAbsent("a", "xxxx"));
    assertEquals("xxxx", cache.putIfAbsent("a", "yy"), "a key keeps its first value");
    assertNull(cache.putIfAbsent("b", "xxxx"));
    assertNull(cache.putIfAbsent("c", "xxx")); // 11 > 10: a goes
    assertNull(cache.get("a"));
    assertEquals("xxxx", cache.get("b"));
    assertEquals("xxx", cache.get("c"));
    assertNull(cache.putIfAbsent("d", "x".repeat(11)), "heavier than the bound: not kept");
    assertNull(cache.get("d"));
    assertEquals(2, cache.size());
  }

  @Test
  void entriesOlderThanTheAgeGoAtTheNextWrite() {
    FifoCache<String, String> cache = new FifoCache<>(1_000, Duration.ofSeconds(60).toNanos(), clock, v -> 1);
    cache.putIfAbsent("old", "1");
    clock.advance(Duration.ofSeconds(30));
    cache.putIfAbsent("newer", "2");
    clock.advance(Duration.ofSeconds(31));
    assertEquals("1", cache.get("old"), "reading forgets nothing");
    cache.putIfAbsent("newest", "3");
    assertNull(cache.get("old"), "61 s old");
    assertEquals("2", cache.get("newer"));
    assertEquals(2, cache.size());
  }

  @Test
  void aMillionWritesKeepItBounded() {
    FifoCache<Integer, Integer> cache = new FifoCache<>(10_000, Long.MAX_VALUE, clock, v -> 1);
    for (int i = 0; i < 1_000_000; i++) {
      cache.putIfAbsent(i, i);
    }
    assertEquals(10_000, cache.size());
    assertEquals(999_999, cache.get(999_999));
    assertNull(cache.get(989_999));
  }
}
