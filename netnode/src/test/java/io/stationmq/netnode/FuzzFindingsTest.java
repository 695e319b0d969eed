package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.StderrLines;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regressions for what the live fuzzer (station module, FuzzTest) found: inputs from a peer
 * that cost an internal error with a stack trace per message, a log line per message, or, from
 * one stray message, a node's upstream connection for good.
 */
@Timeout(60)
class FuzzFindingsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Recorder ok = new Recorder();

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private NetNode node() {
    return NetNode.builder().id("rig").routerPort(0).routerAddress("127.0.0.1").listen("OK", ok).build();
  }

  private static RawPeer pilot(NetNode node) {
    return RawPeer.registeredDealer("pilot_1", "tcp://127.0.0.1:" + node.routerPort(), node);
  }

  private static String body(String id, String key, String valueJson, String flagsJson) {
    return RawPeer.pythonBody(id, "rig", "pilot_1", key, valueJson, flagsJson);
  }

  /** Sends a good message and waits until it is handled: everything sent before it was read. */
  private void assertStillServing(RawPeer pilot, int n) {
    pilot.send("rig", "rig", body("pilot_1_ok_" + n, "OK", String.valueOf(n), "{\"NOREPEAT\": true}"));
    assertEquals("pilot_1_ok_" + n, ok.next().id());
  }

  /** A STREAM batch whose inner_key is "" used to throw building the per-sample message (a handler error with a stack trace). */
  @Test
  void streamWithAnEmptyInnerKeyIsMalformedNotAHandlerError() {
    try (NetNode node = node(); RawPeer pilot = pilot(node)) {
      pilot.send("rig", "rig", body("lick_1", "STREAM", "{\"inner_key\": \"\", \"payload\": [1, 2]}",
          "{\"NOREPEAT\": true}"));
      assertStillServing(pilot, 1);
      Await.equal("malformed", 1L, () -> node.stats().malformed());
      assertEquals(0, node.stats().handlerErrors());
    }
  }

  /**
   * A reply whose reply_to or ok, or a request whose name, is not a string used to throw on the
   * socket thread ("internal error", counted as malformed, a stack trace each) or in the
   * responder's lane (a handler error). Now a reply to no request, and an unknown request.
   */
  @Test
  void repliesAndRequestsWithFieldsOfTheWrongTypeCostNoInternalError() {
    try (NetNode node = node(); RawPeer pilot = pilot(node)) {
      String[] odd = {"{}", "[\"a\"]", "1", "null"};
      int i = 0;
      for (String v : odd) {
        pilot.send("rig", "rig", RawPeer.pythonBody("pilot_1_r" + i++, "rig", "pilot_1", "SMQ_REPLY", "1",
            "{\"NOREPEAT\": true}").replace("\"ttl\": 2}", "\"ttl\": 2, \"reply_to\": " + v + ", \"ok\": " + v + "}"));
        pilot.send("rig", "rig", RawPeer.pythonBody("pilot_1_q" + i++, "rig", "pilot_1", "SMQ_REQUEST", "1", "{}")
            .replace("\"ttl\": 2}", "\"ttl\": 2, \"request\": " + v + "}"));
      }
      assertStillServing(pilot, 1);
      // Each request is answered: no responder for a name that is not a string.
      for (int k = 0; k < odd.length; k++) {
        List<byte[]> reply = pilot.receiveMessage(WAIT);
        assertEquals("SMQ_REPLY", Bodies.last(reply).get("key").asText());
        assertEquals("unknown_request", Bodies.last(reply).get("error").get("code").asText());
      }
      EndpointStats s = node.stats();
      assertEquals(0, s.malformed());
      assertEquals(0, s.handlerErrors());
      assertEquals(odd.length, s.lateReplies());
    }
  }

  /** Unknown keys and bad batches from a peer used to log one line each; now at most 20 per 10 s, plus a count. */
  @Test
  void aFloodOfUnknownKeysAndBadBatchesLogsAtALimitedRate() {
    try (NetNode node = node(); RawPeer pilot = pilot(node); StderrLines log = StderrLines.install()) {
      for (int i = 0; i < 1_000; i++) {
        pilot.send("rig", "rig", body("pilot_1_" + i, "NOBODY_LISTENS", "1", "{\"NOREPEAT\": true}"));
        pilot.send("rig", "rig", body("lick_" + i, "STREAM", "{\"inner_key\": 5}", "{\"NOREPEAT\": true}"));
      }
      assertStillServing(pilot, 1);
      Await.equal("unknown keys", 1_000L, () -> node.stats().unknownKeys());
      Await.equal("malformed", 1_000L, () -> node.stats().malformed());
      assertTrue(log.lines() <= 25, log.lines() + " lines for 2,000 bad messages: " + log.summary());
    }
  }

  /**
   * A SMQ_HELLO_REPLY refusal from anyone but the upstream (relayed by it, as a Station relays
   * everything), or naming no instance, used to make a node drop its upstream connection for
   * good: one stray message from any peer of the Station cut a node off. Now ignored.
   */
  @Test
  void aRefusalRelayedFromAnotherPeerOrNamingNoInstanceDoesNotCutANodeOff() {
    try (RawPeer station = RawPeer.router("T");
        NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T")
            .listen("MARK", ok).build()) {
      String instance = null;
      while (instance == null) {
        List<byte[]> f = station.receive(WAIT);
        assertTrue(f != null, "no HELLO from the node");
        byte[] b = f.get(f.size() - 1);
        MessageCodec.BodyHeader h = b.length == 0 ? null : MessageCodec.peekHeader(b);
        if (h != null && "SMQ_HELLO".equals(h.key())) {
          instance = Bodies.parse(b).get("value").get("instance").asText();
        }
      }
      String fromOther = "{\"ok\": false, \"instance\": \"" + instance + "\", \"reason\": \"duplicate_id\", \"message\": \"x\"}";
      String noInstance = "{\"ok\": false, \"reason\": \"duplicate_id\", \"message\": \"x\"}";
      station.send("rig", RawPeer.pythonBody("x_1", "rig", "intruder", "SMQ_HELLO_REPLY", fromOther, "{\"NOREPEAT\": true}"));
      station.send("rig", RawPeer.pythonBody("T_1", "rig", "T", "SMQ_HELLO_REPLY", noInstance, "{\"NOREPEAT\": true}"));
      station.send("rig", RawPeer.pythonBody("T_2", "rig", "T", "MARK", "1", "{\"NOREPEAT\": true}"));
      assertEquals("T_2", ok.next().id()); // the refusals before it were read

      rig.send("T", "DATA", 7);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        assertTrue(System.nanoTime() < deadline, "the node no longer sends upstream");
        List<byte[]> f = station.receive(Duration.ofMillis(200));
        if (f != null && f.get(f.size() - 1).length > 0) {
          Message m = MessageCodec.decode(f.get(f.size() - 1));
          if (m.key().equals("DATA")) {
            assertEquals(7, m.value(Integer.class));
            break;
          }
        }
      }
    }
  }
}
