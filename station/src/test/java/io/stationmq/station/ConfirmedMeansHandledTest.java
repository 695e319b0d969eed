package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A confirmation means the listen ran, not that the message was queued for it; and a
 * recipient that is briefly away is waited for within the ttl, not declared unreachable.
 */
@Timeout(60)
class ConfirmedMeansHandledTest {
  private final Closer open = new Closer();

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    open.closeAllAndCheckThreads();
  }

  private <T extends AutoCloseable> T track(T c) {
    return open.track(c);
  }

  @Test
  void noFutureSucceedsBeforeItsListenHasRun() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").build());
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    NetNode rx = track(NetNode.builder().id("rx").upstream("127.0.0.1", s.port(), "S")
        .listen("DATA", m -> {
          assertTrue(release.await(30, TimeUnit.SECONDS));
          handled.incrementAndGet();
        }).build());
    NetNode tx = track(NetNode.builder().id("tx").upstream("127.0.0.1", s.port(), "S").build());
    Await.until("rx ALIVE", () -> s.directory().stream().anyMatch(e -> e.id().equals("rx")
        && e.status() == PeerStatus.ALIVE));

    List<CompletableFuture<DeliveryReceipt>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(tx.sendConfirmed(tx.message("rx", "DATA", i).ttl(50).build()));
    }
    // Every message has reached the receiver and waits in its worker queues (4 workers of 4,096).
    Await.until("all 200 read by rx", () -> rx.stats().received() >= 200);
    assertEquals(0, futures.stream().filter(CompletableFuture::isDone).count(),
        "no confirmation while the listens have not run (the old engine confirmed all 200 here)");
    assertEquals(0, rx.stats().confirmsSent());

    release.countDown();
    for (CompletableFuture<DeliveryReceipt> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertEquals(200, handled.get(), "each handled once");
  }

  @Test
  void aRecipientAwayForASecondGetsItsMessagesWhenItComesBack() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1")
        .options(EndpointOptions.builder().reconnectGrace(Duration.ZERO).build()).build());
    Map<Integer, Integer> handled = new ConcurrentHashMap<>();
    NetNode first = NetNode.builder().id("rx").upstream("127.0.0.1", s.port(), "S")
        .listen("DATA", m -> handled.merge(m.value(Integer.class), 1, Integer::sum)).build();
    NetNode tx = track(NetNode.builder().id("tx").upstream("127.0.0.1", s.port(), "S").build());
    Await.until("rx known to S", () -> s.directory().stream().anyMatch(e -> e.id().equals("rx")
        && e.status() == PeerStatus.ALIVE));
    first.close();
    Await.until("rx gone from S's ROUTER", () -> s.stats().unreachable() > 0 || probeFails(tx));

    // ttl 4: repeats after 0.5, 1, 2 and 4 s; the recipient is back after about 1 s.
    List<CompletableFuture<DeliveryReceipt>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      futures.add(tx.sendConfirmed(tx.message("rx", "DATA", i).ttl(4).build()));
    }
    Await.until("the Station said rx is away", () -> s.stats().unreachable() >= 100);
    assertEquals(0, futures.stream().filter(CompletableFuture::isCompletedExceptionally).count(),
        "a known recipient that is away is waited for, not failed at once");
    track(NetNode.builder().id("rx").upstream("127.0.0.1", s.port(), "S")
        .listen("DATA", m -> handled.merge(m.value(Integer.class), 1, Integer::sum)).build());
    for (CompletableFuture<DeliveryReceipt> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertEquals(100, handled.size(), "every message handled");
    assertTrue(handled.values().stream().allMatch(n -> n == 1), "each once: " + handled);
  }

  /** Sends one unconfirmed probe: the Station counts it unreachable once rx's connection is gone. */
  private static boolean probeFails(NetNode tx) {
    tx.send("rx", "PROBE", 0);
    return false;
  }
}
