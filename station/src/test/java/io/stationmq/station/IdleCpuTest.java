package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Ports;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Threads;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An idle endpoint costs nothing: a NetNode whose upstream is down, a stationmq Station, or a
 * Python station (a ROUTER that never answers HELLO) uses under 1% of a core over 10 s. Until
 * its HELLO logic was split out, the last one spun its socket thread at a whole core.
 */
@Timeout(60)
class IdleCpuTest {
  private static final Duration WINDOW = Duration.ofSeconds(10);

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void idleNodesUseUnderOnePercentOfACoreWhateverTheirUpstream() throws Exception {
    try (Station station = Station.builder().id("T").bindAddress("127.0.0.1").build();
        RawPeer python = RawPeer.router("P");
        NetNode toStation = NetNode.builder().id("up").upstream("127.0.0.1", station.port(), "T").build();
        NetNode toNothing = NetNode.builder().id("down").upstream("127.0.0.1", Ports.free(), "T").build();
        NetNode toPython = NetNode.builder().id("python").upstream("127.0.0.1", python.port(), "P").build()) {
      Await.until("'up' ALIVE at T", () -> station.directory().stream()
          .anyMatch(e -> e.id().equals("up") && e.status() == PeerStatus.ALIVE));
      python.receiveAny(Duration.ofSeconds(10)); // the HELLO reached the Python station
      // Past the HELLO timeout (1 s), so every node is in its steady state.
      Await.until("steady state", Duration.ofSeconds(5), () -> toPython.stats() != null && idleSince(1_500));

      Map<String, Long> before = cpuNanosByEndpoint();
      long start = System.nanoTime();
      Await.until("the measuring window", WINDOW.plusSeconds(5), () -> System.nanoTime() - start >= WINDOW.toNanos());
      Map<String, Long> after = cpuNanosByEndpoint();
      double wallNanos = System.nanoTime() - start;
      for (String id : new String[] {"up", "down", "python", "T"}) {
        double share = (after.getOrDefault(id, 0L) - before.getOrDefault(id, 0L)) / wallNanos;
        System.out.printf("idle CPU of '%s' over %d s: %.3f%% of a core%n", id, WINDOW.toSeconds(), 100 * share);
        assertTrue(share < 0.01, String.format("'%s' used %.2f%% of a core while idle", id, 100 * share));
      }
    }
  }

  private final long created = System.nanoTime();

  private boolean idleSince(long millis) {
    return System.nanoTime() - created > millis * 1_000_000L;
  }

  /** CPU time of every thread named after an endpoint ({@code stationmq-node-ID-...}), summed by ID. */
  private static Map<String, Long> cpuNanosByEndpoint() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> byId = new LinkedHashMap<>();
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null || !info.getThreadName().startsWith("stationmq-")) {
        continue;
      }
      String[] parts = info.getThreadName().split("-");
      long cpu = mx.getThreadCpuTime(info.getThreadId());
      if (parts.length >= 3 && cpu >= 0) {
        byId.merge(parts[2], cpu, Long::sum);
      }
    }
    return byId;
  }
}
