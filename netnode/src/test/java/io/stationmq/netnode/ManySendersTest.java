package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two senders, 10,000 confirmed messages each, into one node: nothing lost, nothing doubled, order kept. */
@Timeout(60)
class ManySendersTest {
  private static final EndpointOptions NO_CLOCK_SYNC = EndpointOptions.builder().clockSyncInterval(Duration.ZERO).build();

  private static final int PER_SENDER = 10_000;

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void tenThousandConfirmedFromEachOfTwoSendersAreHandledOnceInOrder() throws Exception {
    Map<String, List<Integer>> bySender = new ConcurrentHashMap<>();
    try (NetNode hub = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1")
            .listen("SEQ", m -> bySender.computeIfAbsent(m.sender(), s -> new CopyOnWriteArrayList<>()).add(m.value(Integer.class)))
            .build();
        // No TIME exchanges: the test counts what the hub dispatched and what is in flight.
        NetNode a = NetNode.builder().id("a").upstream("127.0.0.1", hub.routerPort(), "hub").options(NO_CLOCK_SYNC).build();
        NetNode b = NetNode.builder().id("b").upstream("127.0.0.1", hub.routerPort(), "hub").options(NO_CLOCK_SYNC).build()) {
      CompletableFuture<List<CompletableFuture<DeliveryReceipt>>> fromA = CompletableFuture.supplyAsync(() -> sendAll(a));
      CompletableFuture<List<CompletableFuture<DeliveryReceipt>>> fromB = CompletableFuture.supplyAsync(() -> sendAll(b));
      List<CompletableFuture<DeliveryReceipt>> futures = new ArrayList<>(fromA.get(30, TimeUnit.SECONDS));
      futures.addAll(fromB.get(30, TimeUnit.SECONDS));

      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(40, TimeUnit.SECONDS);

      Await.until("all handled", Duration.ofSeconds(20),
          () -> bySender.values().stream().mapToInt(List::size).sum() >= 2 * PER_SENDER);
      List<Integer> expected = IntStream.range(0, PER_SENDER).boxed().toList();
      assertEquals(expected, bySender.get("a"), "a: each once, in order");
      assertEquals(expected, bySender.get("b"), "b: each once, in order");
      assertEquals(2 * PER_SENDER, hub.stats().dispatched());
      assertEquals(0, a.stats().inFlight());
      assertEquals(0, b.stats().inFlight());
      assertEquals(0, hub.stats().malformed());
    }
  }

  private static List<CompletableFuture<DeliveryReceipt>> sendAll(NetNode node) {
    List<CompletableFuture<DeliveryReceipt>> futures = new ArrayList<>(PER_SENDER);
    for (int i = 0; i < PER_SENDER; i++) {
      futures.add(node.sendConfirmed("hub", "SEQ", i));
    }
    return futures;
  }
}
