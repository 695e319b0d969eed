package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A slow listen makes the node stop reading; nothing is lost and order is kept once it catches up. */
@Timeout(60)
class BackPressureTest {
  private static final int CAPACITY = 2;
  private static final int COUNT = 200;

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void blockedListenStopsReadingThenAllMessagesAreHandledInOrder() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Recorder recorder = new Recorder();
    EndpointOptions options = EndpointOptions.builder().workers(1).workerQueueCapacity(CAPACITY).build();
    try (NetNode node = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1").options(options)
            .listen("SEQ", m -> {
              recorder.handle(m);
              assertTrue(release.await(30, TimeUnit.SECONDS), "released");
            }).build();
        // No TIME exchanges: the test counts every message the node receives.
        NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", node.routerPort(), "hub")
            .options(EndpointOptions.builder().clockSyncInterval(Duration.ZERO).build()).build()) {
      for (int i = 0; i < COUNT; i++) {
        rig.send("hub", "SEQ", i);
      }
      Await.equal("all written by the sender", (long) COUNT, () -> rig.stats().sent());
      // ping + HELLO + the message in the blocked listen + a full queue + the one the socket thread holds
      long heldBack = 1 + 1 + 1 + CAPACITY + 1;
      // The rig's HELLO may be queued behind its 200 sends (its first tick can come after
      // them), and then it is among the messages the node has not read yet.
      Await.until("the node fills its worker queue", () -> node.stats().received() >= heldBack - 1);
      Await.equal("the first listen call, blocked", 1, recorder::count);

      EndpointStats blocked = node.stats();
      assertEquals(1, blocked.dispatched(), "one listen call, blocked");
      assertTrue(blocked.received() <= heldBack + 2,
          "the node stops reading while its worker is full; read " + blocked.received());

      release.countDown();

      Await.equal("all handled", COUNT, recorder::count);
      List<Integer> values = recorder.all().stream().map(m -> m.value(Integer.class)).toList();
      assertEquals(IntStream.range(0, COUNT).boxed().toList(), values, "nothing lost, order kept");
      EndpointStats after = node.stats();
      assertEquals(COUNT, after.dispatched());
      assertEquals(COUNT + 2, after.received(), "the messages, the ping and the HELLO");
      assertEquals(0, after.malformed());
      assertEquals(0, after.dropped());
      assertEquals(0, rig.stats().dropped());
    }
  }

  @Test
  void confirmedMessagesHeldBackByABlockedListenAreConfirmedAfterRelease() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Recorder recorder = new Recorder();
    EndpointOptions options = EndpointOptions.builder().workers(1).workerQueueCapacity(CAPACITY).build();
    try (NetNode node = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1").options(options)
            .listen("SEQ", m -> {
              recorder.handle(m);
              assertTrue(release.await(30, TimeUnit.SECONDS), "released");
            }).build();
        NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", node.routerPort(), "hub")
            // long repeat interval: every confirmation must come from the first copy
            .options(EndpointOptions.builder().firstRepeat(Duration.ofSeconds(20)).maxRepeatInterval(Duration.ofSeconds(20)).build())
            .build()) {
      var futures = IntStream.range(0, 20).mapToObj(i -> rig.sendConfirmed("hub", "SEQ", i)).toList();
      Await.until("the node fills its worker queue", () -> node.stats().received() >= 1 + 1 + CAPACITY + 1);
      assertTrue(node.stats().confirmsSent() <= 1 + CAPACITY, "only messages handed to the worker are confirmed");

      release.countDown();
      for (var f : futures) {
        assertEquals(1, f.get(10, TimeUnit.SECONDS).attempts());
      }
      Await.equal("all handled", 20, recorder::count);
      assertEquals(IntStream.range(0, 20).boxed().toList(), recorder.all().stream().map(m -> m.value(Integer.class)).toList());
      Message last = recorder.all().get(19);
      assertEquals(19, last.value(Integer.class));
    }
  }
}
