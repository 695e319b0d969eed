package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One full peer costs only itself: while a Station's writes to a peer that stopped reading
 * wait (or are dropped, counted), two other nodes keep exchanging confirmed messages promptly,
 * and nobody is suspected. Before writes waited per peer, each write to the full peer held
 * the Station's socket thread for up to the send timeout (2 s), for everyone.
 */
@Timeout(90)
class FullPeerIsolationTest {
  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void aPeerThatStopsReadingDoesNotStallTheOthers() throws Exception {
    List<String> trouble = new CopyOnWriteArrayList<>();
    EndpointListener events = new EndpointListener() {
      @Override
      public void peerStatusChanged(DirectoryEntry entry, PeerStatus previous, String reason) {
        if (!entry.id().equals("stuck") && entry.status() != PeerStatus.ALIVE) {
          trouble.add(entry.id() + " " + entry.status() + ": " + reason);
        }
      }

      @Override
      public void peerLeft(DirectoryEntry entry, String reason) {
        if (!entry.id().equals("stuck")) {
          trouble.add(entry.id() + " left: " + reason);
        }
      }
    };
    EndpointOptions stationOptions = EndpointOptions.builder().highWaterMark(4).listener(events).build();
    AtomicInteger handled = new AtomicInteger();
    try (Station s = Station.builder().id("S").bindAddress("127.0.0.1").options(stationOptions).build();
        ZContext ctx = new ZContext(1);
        NetNode src = NetNode.builder().id("src").upstream("127.0.0.1", s.port(), "S").build();
        NetNode a = NetNode.builder().id("a").upstream("127.0.0.1", s.port(), "S").build();
        NetNode b = NetNode.builder().id("b").upstream("127.0.0.1", s.port(), "S")
            .listen("DATA", m -> handled.incrementAndGet()).build()) {
      ZMQ.Socket stuck = ctx.createSocket(SocketType.DEALER);
      stuck.setIdentity("stuck".getBytes(StandardCharsets.UTF_8));
      stuck.setRcvHWM(1);
      stuck.setLinger(0);
      stuck.connect(s.endpoint());
      long[] lastPing = {0};
      Await.until("stuck, a and b registered at S", () -> {
        if (System.nanoTime() - lastPing[0] > 200_000_000L) {
          stuck.send(new byte[0], ZMQ.DONTWAIT);
          lastPing[0] = System.nanoTime();
        }
        return s.directory().stream().filter(e -> List.of("stuck", "a", "b").contains(e.id())).count() == 3;
      });
      a.sendConfirmed("b", "DATA", -1).get(10, TimeUnit.SECONDS); // warm: the route works

      byte[] big = new byte[64 * 1024];
      java.util.Arrays.fill(big, (byte) 'x');
      String payload = new String(big, StandardCharsets.US_ASCII);
      for (int i = 0; i < 400; i++) {
        src.send("stuck", "BULK", payload);
      }
      Await.until("the stuck peer's queue is full at S", () -> s.stats().forwarded() > 0 && s.stats().sent() > 0);

      List<Long> roundTrips = new ArrayList<>();
      int repeated = 0;
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        DeliveryReceipt r = a.sendConfirmed("b", "DATA", roundTrips.size()).get(10, TimeUnit.SECONDS);
        roundTrips.add((System.nanoTime() - t0) / 1_000_000);
        repeated += r.attempts() - 1;
      }
      Collections.sort(roundTrips);
      long max = roundTrips.get(roundTrips.size() - 1);
      long p50 = roundTrips.get(roundTrips.size() / 2);
      System.out.printf("round trips a -> S -> b while S writes to a full peer: %d, p50 %d ms, max %d ms, "
          + "repeats %d; S dropped %d%n", roundTrips.size(), p50, max, repeated, s.stats().dropped());
      assertTrue(max < 1_000, "no round trip waits for the full peer: max " + max + " ms");
      assertEquals(roundTrips.size() + 1, handled.get(), "each handled once");
      assertEquals(List.of(), trouble, "nobody else was suspected or evicted");
      Await.until("the full peer's waiting writes are dropped after the send timeout", Duration.ofSeconds(20),
          () -> s.stats().dropped() > 0);
    }
  }
}
