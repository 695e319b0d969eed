package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without CURVE, a second connection claiming a live node's id takes its traffic (ZeroMQ hands
 * an id to its newest connection); the Station cannot refuse it, but it must not be silent:
 * every move of a live id to another connection is counted and logged with both addresses.
 */
@Timeout(60)
class IdTakeoverTest {
  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void aSecondConnectionClaimingALiveNodesIdIsCountedAndLogged() {
    try (Station t = Station.builder().id("T").bindAddress("127.0.0.1").build();
        NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", t.port(), "T").build()) {
      Await.until("rig ALIVE", () -> t.directory().stream()
          .anyMatch(e -> e.id().equals("rig") && e.status() == PeerStatus.ALIVE));
      long before = t.stats().handovers();
      try (RawPeer impostor = RawPeer.dealer("rig", t.endpoint())) {
        long[] lastPing = {0};
        Await.until("the takeover counted", Duration.ofSeconds(10), () -> {
          if (System.nanoTime() - lastPing[0] > 200_000_000L) {
            impostor.send(""); // a ping: the Station hears 'rig' over the impostor's connection
            lastPing[0] = System.nanoTime();
          }
          return t.stats().handovers() > before;
        });
      }
      assertTrue(t.stats().handovers() >= 1);
    }
  }
}
