package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A peer that stops reading cannot stall a Station for long, what it costs is counted, and the
 * producer whose messages were dropped is told.
 */
@Timeout(60)
class StuckPeerTest {
  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void stationWaitsForAFullPeerThenDropsCountsAndKeepsServingOthers() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    EndpointOptions options = EndpointOptions.builder().highWaterMark(4).sendTimeout(Duration.ofMillis(300)).build();
    try (Station s = Station.builder().id("S").bindAddress("127.0.0.1").options(options)
            .listen("PING", m -> handled.incrementAndGet()).build();
        ZContext ctx = new ZContext(1)) {
      // A consumer that announces itself and then never reads again.
      ZMQ.Socket stuck = ctx.createSocket(SocketType.DEALER);
      stuck.setIdentity("stuck".getBytes(StandardCharsets.UTF_8));
      stuck.setRcvHWM(1);
      stuck.setLinger(0);
      stuck.connect(s.endpoint());
      // A ping registers "stuck". The first message on a fresh JeroMQ connection is sometimes
      // lost (the handshake race), and a raw socket does not repeat it: ping until listed.
      long[] lastPing = {0};
      Await.until("stuck registered at S", () -> {
        if (System.nanoTime() - lastPing[0] > 200_000_000L) {
          stuck.send(new byte[0], ZMQ.DONTWAIT);
          lastPing[0] = System.nanoTime();
        }
        return s.directory().stream().anyMatch(e -> e.id().equals("stuck"));
      });

      try (NetNode src = NetNode.builder().id("src").upstream("127.0.0.1", s.port(), "S").build()) {
        byte[] big = new byte[256 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        String payload = new String(big, StandardCharsets.US_ASCII);
        for (int i = 0; i < 200; i++) {
          src.send("stuck", "BULK", payload);
        }
        Await.until("the station gave up on the stuck peer and counted it", Duration.ofSeconds(20),
            () -> s.stats().dropped() > 0);

        // The producer is told what the Station dropped of its unconfirmed messages (SMQ_DROPPED,
        // once a second): every drop, since all of them were src's.
        Await.until("src told of every drop", Duration.ofSeconds(20),
            () -> src.stats().droppedDownstream() == s.stats().dropped());
        assertTrue(src.stats().droppedDownstream() > 0);

        // The station still serves everyone else, promptly.
        DeliveryReceipt r = src.sendConfirmed("S", "PING", 1).get(10, TimeUnit.SECONDS);
        assertEquals(1, r.attempts());
        Await.equal("ping handled", 1, handled::get);
      }
      assertTrue(s.stats().forwarded() > 0, "some bulk messages got through before the peer filled up");
      assertEquals(0, s.stats().malformed());
    }
  }
}
