package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.FakeTicker;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Sync;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Confirmations that go missing: the sender repeats, the receiver handles the repeat only once. */
@Timeout(60)
class LostConfirmationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void senderRepeatsUnconfirmedMessageAndCompletesOnConfirmOfTheRepeat() throws Exception {
    FakeTicker ticker = new FakeTicker();
    try (RawPeer upstream = RawPeer.router("T");
        NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", upstream.port(), "T")
            .options(EndpointOptions.builder().ticker(ticker).build()).build()) {
      CompletableFuture<DeliveryReceipt> future = rig.sendConfirmed("T", "DATA", 5);

      List<byte[]> first = upstream.receiveMessage(WAIT);
      assertEquals(List.of("rig", "T", "T"), Bodies.texts(first.subList(0, 3)));
      JsonNode firstBody = Bodies.last(first);
      Sync.afterWrites(rig, 1, "T"); // its repeat timer has started
      assertEquals(Sync.PROBE, Bodies.last(upstream.receiveMessage(WAIT)).get("key").asText());
      String id = firstBody.get("id").asText();
      assertEquals(2, firstBody.get("ttl").asInt());
      // Not confirmed: the confirmation is "lost". Time passes; the node sends it again.
      ticker.advance(Duration.ofMillis(500));

      List<byte[]> second = upstream.receiveMessage(WAIT);
      JsonNode secondBody = Bodies.last(second);
      assertEquals(id, secondBody.get("id").asText(), "a repeat keeps the id");
      assertEquals(firstBody.get("timestamp"), secondBody.get("timestamp"), "a repeat keeps the timestamp");
      assertEquals(1, secondBody.get("ttl").asInt(), "a repeat carries the ttl left");
      assertFalse(future.isDone());

      upstream.send("rig", RawPeer.pythonBody("T_0", "rig", "T", "CONFIRM", "\"" + id + "\"", "{\"NOREPEAT\": true}"));

      DeliveryReceipt receipt = future.get(10, TimeUnit.SECONDS);
      assertEquals(2, receipt.attempts());
      assertEquals(id, receipt.messageId());
      assertEquals(1, rig.stats().repeated());
      assertEquals(1, rig.stats().confirmsReceived());
      assertEquals(0, rig.stats().inFlight());
      assertEquals(0, rig.stats().confirmsSent(), "a CONFIRM is never confirmed");
    }
  }

  @Test
  void receiverHandlesRepeatedMessageOnceAndConfirmsItOnlyOnceHandled() {
    Recorder listen = new Recorder();
    AtomicReference<NetNode> self = new AtomicReference<>();
    try (NetNode node = NetNode.builder().id("rig").routerPort(0).routerAddress("127.0.0.1").listen("DATA", m -> {
          listen.handle(m);
          // Still running when the repeat arrives: the repeat must be neither handled nor confirmed.
          Await.until("the repeat read", () -> self.get().stats().duplicates() == 1);
        }).build();
        RawPeer pilot = RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node)) {
      self.set(node);
      String body = RawPeer.pythonBody("pilot_1_7", "rig", "pilot_1", "DATA", "{\"n\": 1}", "{}");
      pilot.send("rig", "rig", body);
      pilot.send("rig", "rig", body); // repeated while its listen runs

      JsonNode confirm = Bodies.last(pilot.receiveMessage(WAIT));
      assertEquals("CONFIRM", confirm.get("key").asText());
      assertEquals("pilot_1_7", confirm.get("value").asText());
      assertEquals("pilot_1", confirm.get("to").asText());
      assertEquals("rig", confirm.get("sender").asText());
      Await.equal("one confirmation for the copies that came while it ran", 1L, () -> node.stats().confirmsSent());

      pilot.send("rig", "rig", body); // again, long handled: its confirmation was lost
      JsonNode again = Bodies.last(pilot.receiveMessage(WAIT));
      assertEquals("CONFIRM", again.get("key").asText());
      assertEquals("pilot_1_7", again.get("value").asText());

      assertEquals(1, listen.count(), "handled once");
      Message got = listen.all().get(0);
      assertEquals("pilot_1_7", got.id());
      assertEquals(1, got.value(Map.class).get("n"));
      EndpointStats stats = node.stats();
      assertEquals(2, stats.duplicates());
      assertEquals(1, stats.dispatched());
      Await.equal("confirmations", 2L, () -> node.stats().confirmsSent());
    }
  }

  @Test
  void sameIdWithNewTimestampIsANewMessage() {
    // A Python sender that restarts counts its ids from 0 again; its new messages must not be dropped.
    Recorder listen = new Recorder();
    try (NetNode node = NetNode.builder().id("rig").routerPort(0).routerAddress("127.0.0.1").listen("DATA", listen).build();
        RawPeer pilot = RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node)) {
      String before = RawPeer.pythonBody("pilot_1_0", "rig", "pilot_1", "DATA", "1", "{}");
      String after = before.replace("2026-11-21T10:15:30.123456", "2026-11-21T11:00:00.000001").replace("\"value\": 1", "\"value\": 2");
      pilot.send("rig", "rig", before);
      pilot.send("rig", "rig", after);

      assertEquals(1, listen.next().value(Integer.class));
      assertEquals(2, listen.next().value(Integer.class));
      assertEquals(0, node.stats().duplicates());
    }
  }
}
