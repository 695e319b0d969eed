package io.stationmq.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StationmqMetricsTest {
  @Test
  void namesSplitTheComponentsWords() {
    assertEquals("stationmq.confirms.sent", StationmqMetrics.meterName("confirmsSent"));
    assertEquals("stationmq.received", StationmqMetrics.meterName("received"));
    assertEquals("stationmq.dedup.evicted.early", StationmqMetrics.meterName("dedupEvictedEarly"));
  }

  @Test
  void metersEqualStatsAfterTrafficThroughAStation() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Station station = Station.builder().id("T").port(0).bindAddress("127.0.0.1").build();
        NetNode a = NetNode.builder().id("a").upstream("127.0.0.1", station.port(), "T").build();
        NetNode b = NetNode.builder().id("b").upstream("127.0.0.1", station.port(), "T").listen("DATA", m -> { }).build()) {
      StationmqMetrics.bind(station, registry);
      StationmqMetrics.bind(a, registry);
      Await.registered(station, "a");
      Await.registered(station, "b");
      for (int i = 0; i < 200; i++) {
        a.sendConfirmed("b", "DATA", Map.of("i", i)).get(10, TimeUnit.SECONDS);
      }
      for (int i = 0; i < 100; i++) {
        a.send("b", "DATA", i);
      }
      a.send("nobody", "DATA", 1);
      Await.equal("b's dispatched", 300L, () -> b.stats().dispatched());

      for (var endpoint : new io.stationmq.netnode.Endpoint[] {station, a}) {
        Await.equal("meters of " + endpoint.id() + " equal to its stats()", expected(endpoint.stats()),
            () -> measured(registry, endpoint.id()));
      }
      Map<String, Double> station1 = measured(registry, "T");
      assertTrue(station1.get("stationmq.forwarded") >= 300, "forwarded: " + station1);
      assertTrue(measured(registry, "a").get("stationmq.confirms.received") >= 200);

      Gauge alive = registry.find("stationmq.peers").tags("endpoint", "T", "status", "alive").gauge();
      assertNotNull(alive, "stationmq.peers{status=alive}");
      Await.until("two alive peers", () -> alive.value() == 2.0);
      assertEquals(0.0, registry.find("stationmq.peers").tags("endpoint", "T", "status", "dead").gauge().value());
    }
    Threads.assertNoneLeft();
  }

  @Test
  void unbindRemovesTheMeters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Station station = Station.builder().id("U").port(0).bindAddress("127.0.0.1").build()) {
      StationmqMetrics metrics = StationmqMetrics.bind(station, registry);
      assertNotNull(registry.find("stationmq.received").tag("endpoint", "U").functionCounter());
      metrics.unbind();
      assertTrue(registry.getMeters().isEmpty(), "left: " + registry.getMeters());
    }
  }

  private static Map<String, Double> expected(EndpointStats stats) throws Exception {
    Map<String, Double> m = new LinkedHashMap<>();
    for (RecordComponent c : EndpointStats.class.getRecordComponents()) {
      m.put(StationmqMetrics.meterName(c.getName()), ((Number) c.getAccessor().invoke(stats)).doubleValue());
    }
    return m;
  }

  private static Map<String, Double> measured(SimpleMeterRegistry registry, String id) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (RecordComponent c : EndpointStats.class.getRecordComponents()) {
      String name = StationmqMetrics.meterName(c.getName());
      if (StationmqMetrics.GAUGES.contains(c.getName())) {
        Gauge g = registry.find(name).tag("endpoint", id).gauge();
        m.put(name, g == null ? null : g.value());
      } else {
        FunctionCounter f = registry.find(name).tag("endpoint", id).functionCounter();
        m.put(name, f == null ? null : f.count());
      }
    }
    return m;
  }
}
