package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.RecordingListener;
import io.stationmq.netnode.testing.Threads;
import java.io.IOError;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Input a node cannot handle, from a raw peer: a listen that throws, a key with no listen,
 * bodies and frame lists it cannot read. Each is logged, counted and reported, and the node
 * goes on serving what comes next.
 */
@Timeout(60)
class BadInputTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Recorder ok = new Recorder();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private NetNode.Builder node() {
    return NetNode.builder().id("rig").routerPort(0).routerAddress("127.0.0.1")
        .listen("OK", ok)
        .listen("BOOM", m -> {
          throw new IllegalStateException("boom " + m.value(Integer.class));
        })
        .options(EndpointOptions.builder().listener(events).build());
  }

  private static RawPeer pilot(NetNode node) {
    return RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node);
  }

  private static String body(String id, String key, String valueJson) {
    return RawPeer.pythonBody(id, "rig", "pilot_1", key, valueJson, "{}");
  }

  /** Sends a good message after the bad input and checks it is handled. */
  private void assertStillServing(RawPeer pilot) {
    pilot.send("rig", "rig", body("pilot_1_99", "OK", "99"));
    Message m = ok.next();
    assertEquals("pilot_1_99", m.id());
    assertEquals(99, m.value(Integer.class));
  }

  /** Input is handled in order, so a confirmation of the bad input would have come first. */
  private static void assertFirstConfirmIsForTheGoodMessage(RawPeer pilot) {
    JsonNode confirm = Bodies.last(pilot.receiveMessage(WAIT));
    assertEquals("CONFIRM", confirm.get("key").asText());
    assertEquals("pilot_1_99", confirm.get("value").asText(), "the bad input was not confirmed");
  }

  @Test
  void throwingListenIsCountedReportedAndTheNodeGoesOn() {
    try (NetNode node = node().build(); RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", body("pilot_1_0", "BOOM", "1"));

      JsonNode confirm = Bodies.last(pilot.receiveMessage(WAIT));
      assertEquals("pilot_1_0", confirm.get("value").asText(), "a message whose listen throws was still received: confirmed");
      Await.equal("handlerFailed events", 1, () -> events.handlerFailures().size());
      RecordingListener.HandlerFailure f = events.handlerFailures().get(0);
      assertEquals("pilot_1_0", f.message().id());
      assertInstanceOf(IllegalStateException.class, f.error());
      assertEquals("boom 1", f.error().getMessage());
      assertEquals(1, node.stats().handlerErrors());

      assertStillServing(pilot);
      assertEquals(1, node.stats().handlerErrors());
    }
  }

  @Test
  void listenThrowingAnErrorIsCountedReportedAndItsWorkerGoesOn() {
    // One worker, so the next message needs the very worker whose listen threw.
    try (NetNode node = node().options(EndpointOptions.builder().listener(events).workers(1).build())
            .listen("ERROR", m -> {
              throw new IOError(new IOException("disk gone"));
            }).build();
        RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", body("pilot_1_0", "ERROR", "1"));

      Await.equal("handlerFailed events", 1, () -> events.handlerFailures().size());
      assertInstanceOf(IOError.class, events.handlerFailures().get(0).error());
      assertEquals(1, node.stats().handlerErrors());
      assertStillServing(pilot);
    }
  }

  @Test
  void listenThrowingInterruptedExceptionIsCountedAndItsWorkerGoesOn() {
    try (NetNode node = node().options(EndpointOptions.builder().listener(events).workers(1).build())
            .listen("INTERRUPTED", m -> {
              throw new InterruptedException("interrupted in a listen");
            }).build();
        RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", body("pilot_1_0", "INTERRUPTED", "1"));

      Await.equal("handlerFailed events", 1, () -> events.handlerFailures().size());
      assertInstanceOf(InterruptedException.class, events.handlerFailures().get(0).error());
      assertStillServing(pilot);
      assertEquals(1, node.stats().handlerErrors());
    }
  }

  @Test
  void unknownKeyIsCountedReportedConfirmedAndTheNodeGoesOn() {
    try (NetNode node = node().build(); RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", body("pilot_1_0", "NOBODY_LISTENS", "{\"a\": 1}"));

      JsonNode confirm = Bodies.last(pilot.receiveMessage(WAIT));
      assertEquals("CONFIRM", confirm.get("key").asText());
      assertEquals("pilot_1_0", confirm.get("value").asText(), "unknown keys are confirmed, as the Python toolkit does");
      Await.equal("unknownKey events", 1, () -> events.unknownKeys().size());
      Message reported = events.unknownKeys().get(0);
      assertEquals("NOBODY_LISTENS", reported.key());
      assertEquals("pilot_1_0", reported.id());
      assertEquals(1, node.stats().unknownKeys());
      assertEquals(0, node.stats().dispatched());

      assertStillServing(pilot);
    }
  }

  @Test
  void fallbackListenReceivesUnknownKeys() {
    Recorder fallback = new Recorder();
    try (NetNode node = node().fallback(fallback).build(); RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", body("pilot_1_0", "NOBODY_LISTENS", "3"));

      Message m = fallback.next();
      assertEquals("NOBODY_LISTENS", m.key());
      assertEquals(3, m.value(Integer.class));
      assertEquals("pilot_1_0", Bodies.last(pilot.receiveMessage(WAIT)).get("value").asText(), "confirmed");
      assertEquals(0, node.stats().unknownKeys());
      assertTrue(events.unknownKeys().isEmpty());

      assertStillServing(pilot);
      assertEquals(1, fallback.count(), "keys with a listen do not reach the fallback");
    }
  }

  @Test
  void bodyThatIsNotJsonIsDroppedCountedAndReported() {
    try (NetNode node = node().build(); RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", "this is not JSON {");

      Await.equal("malformed count", 1L, () -> node.stats().malformed());
      Await.equal("malformed events", 1, () -> events.malformed().size());
      assertFalse(events.malformed().get(0).reason().isEmpty());
      assertTrue(events.malformed().get(0).source().contains("pilot_1"), events.malformed().get(0).source());

      assertStillServing(pilot);
      assertFirstConfirmIsForTheGoodMessage(pilot);
      assertEquals(1, node.stats().dispatched(), "only the good message was handled");
    }
  }

  @Test
  void bodyWithoutKeyIsDroppedCountedAndReported() {
    try (NetNode node = node().build(); RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", "{\"id\": \"pilot_1_0\", \"to\": \"rig\", \"sender\": \"pilot_1\", \"value\": 1, \"ttl\": 2, \"flags\": {}}");

      Await.equal("malformed count", 1L, () -> node.stats().malformed());
      Await.equal("malformed events", 1, () -> events.malformed().size());
      assertTrue(events.malformed().get(0).reason().contains("key"), events.malformed().get(0).reason());

      assertStillServing(pilot);
      assertFirstConfirmIsForTheGoodMessage(pilot);
    }
  }

  @Test
  void tooFewFramesAreDroppedCountedAndReported() {
    try (NetNode node = node().build(); RawPeer pilot = pilot(node)) {
      pilot.send(body("pilot_1_0", "OK", "1")); // [body] alone: the router sees [pilot_1, body]

      Await.equal("malformed count", 1L, () -> node.stats().malformed());
      Await.equal("malformed events", 1, () -> events.malformed().size());
      assertFalse(events.malformed().get(0).reason().isEmpty());

      assertStillServing(pilot);
      assertFirstConfirmIsForTheGoodMessage(pilot);
      assertEquals(1, ok.count(), "the two-frame message was not handled");
    }
  }

  @Test
  void confirmOfUnknownIdIsIgnored() {
    try (NetNode node = node().build(); RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", RawPeer.pythonBody("pilot_1_0", "rig", "pilot_1", "CONFIRM", "\"rig_41\"", "{\"NOREPEAT\": true}"));
      assertStillServing(pilot);
      EndpointStats stats = node.stats();
      assertEquals(1, stats.confirmsReceived());
      assertEquals(0, stats.malformed());
      assertEquals(0, stats.unknownKeys());
    }
  }
}
