package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.UnreachableException;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.StderrLines;
import io.stationmq.netnode.testing.Closer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may stop a Station: {@code KILL} is honoured only from an admin connected to it directly
 * or from its own upstream; everyone else is refused, counted, logged (rate limited) and told,
 * and the Station keeps serving. A stream batch never carries a built-in key to a listen.
 */
@Timeout(120)
class AdminRoleTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int ATTEMPTS = 1_000;
  private final Closer open = new Closer();

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    open.closeAllAndCheckThreads();
  }

  private <T extends AutoCloseable> T track(T c) {
    return open.track(c);
  }

  private Station station(String id, Set<String> admins, List<Message> data) {
    return track(Station.builder().id(id).bindAddress("127.0.0.1").admins(admins).listen("DATA", data::add).build());
  }

  private NetNode node(String id, Station upstream) {
    // No TIME exchanges: the tests count what the Station dispatched.
    NetNode n = track(NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id())
        .options(EndpointOptions.builder().clockSyncInterval(Duration.ZERO).build()).build());
    Await.registered(upstream, id);
    return n;
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The station answers a ping and confirms a message from a well-behaved node. */
  private static void assertServing(Station s, RawPeer prober, NetNode worker, int n) throws Exception {
    prober.send("");
    List<byte[]> echo = prober.receive(WAIT);
    assertNotNull(echo, "ping echoed after " + n + " refused KILLs");
    DeliveryReceipt r = get(worker.sendConfirmed(s.id(), "DATA", n));
    assertEquals(s.id(), r.recipient());
    assertFalse(s.isClosed(), "still open after " + n + " refused KILLs");
  }

  @Test
  void killFloodFromARawDealerIsRefusedAnsweredCountedAndTheStationKeepsServing() throws Exception {
    List<Message> data = new CopyOnWriteArrayList<>();
    Station s = station("S", Set.of(), data);
    NetNode worker = node("worker", s);
    try (StderrLines log = StderrLines.install();
         RawPeer intruder = RawPeer.registeredDealer("intruder", s.endpoint(), s);
         RawPeer prober = RawPeer.registeredDealer("prober", s.endpoint(), s)) {
      for (int i = 0; i < ATTEMPTS; i++) {
        String id = "intruder_" + i;
        // Confirmed (no NOREPEAT flag), as a Python peer sends it; the body names an admin-free station.
        intruder.send("S", "S", RawPeer.pythonBody(id, "S", "intruder", "KILL", "null", "{}"));
        JsonNode notice = Bodies.last(intruder.receiveMessage(WAIT));
        assertEquals("SMQ_UNREACHABLE", notice.get("key").asText(), "KILL " + i + " answered: " + notice);
        assertEquals(id, notice.get("value").get("id").asText());
        assertTrue(notice.get("value").get("reason").asText().startsWith("refused"), notice.toString());
        JsonNode confirm = Bodies.last(intruder.receiveMessage(WAIT));
        assertEquals("CONFIRM", confirm.get("key").asText(), "a Python sender stops repeating: " + confirm);
        assertEquals(id, confirm.get("value").asText());
        if (i % 100 == 0) {
          assertServing(s, prober, worker, i);
        }
      }
      assertServing(s, prober, worker, ATTEMPTS);
      assertEquals(ATTEMPTS, s.stats().refused());
      long logged = log.linesContaining("refused KILL");
      assertTrue(logged >= 1 && logged <= 50, "refusals logged, rate limited: " + logged + " lines");
    }
    assertFalse(s.isClosed());
    assertEquals(ATTEMPTS / 100 + 1, data.size());
  }

  @Test
  void killsFromANetNodeThatIsNotAdminFailItsFuturesAndTheStationKeepsServing() throws Exception {
    List<Message> data = new CopyOnWriteArrayList<>();
    Station s = station("S", Set.of("ops"), data);
    NetNode rig = node("rig_1", s);
    NetNode worker = node("worker", s);
    try (RawPeer prober = RawPeer.registeredDealer("prober", s.endpoint(), s)) {
      for (int batch = 0; batch < ATTEMPTS / 100; batch++) {
        List<CompletableFuture<DeliveryReceipt>> kills = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          kills.add(rig.sendConfirmed("S", "KILL", null));
        }
        for (CompletableFuture<DeliveryReceipt> kill : kills) {
          ExecutionException e = assertThrows(ExecutionException.class, () -> get(kill));
          UnreachableException u = assertInstanceOf(UnreachableException.class, e.getCause());
          assertEquals("S", u.reportedBy());
          assertTrue(u.getMessage().contains("refused"), u.getMessage());
        }
        assertServing(s, prober, worker, (batch + 1) * 100);
      }
    }
    assertEquals(ATTEMPTS, s.stats().refused());
    assertEquals(0, rig.stats().inFlight(), "every refused KILL settled");
    assertFalse(s.isClosed());
  }

  @Test
  void aBodyThatClaimsAnAdminsIdOverAnotherConnectionIsRefused() throws Exception {
    Station s = station("S", Set.of("ops"), new CopyOnWriteArrayList<>());
    try (RawPeer intruder = RawPeer.registeredDealer("intruder", s.endpoint(), s)) {
      intruder.send("S", "S", RawPeer.pythonBody("ops_0", "S", "ops", "KILL", "null", "{\"NOREPEAT\": true}"));
      Await.equal("the forged KILL refused", 1L, () -> s.stats().refused());
    }
    assertFalse(s.isClosed());
  }

  @Test
  void aStreamWhoseInnerKeyIsKillIsNotExecutedEvenFromAnAdmin() throws Exception {
    List<Message> data = new CopyOnWriteArrayList<>();
    Station s = station("S", Set.of("ops"), data);
    NetNode worker = node("worker", s);
    try (RawPeer ops = RawPeer.registeredDealer("ops", s.endpoint(), s);
         RawPeer prober = RawPeer.registeredDealer("prober", s.endpoint(), s)) {
      for (String inner : List.of("KILL", "SMQ_REQUEST", "CONFIRM")) {
        String value = "{\"inner_key\": \"" + inner + "\", \"headers\": {}, \"payload\": [null, {\"request\": \"INFO\"}]}";
        ops.send("S", "S", RawPeer.pythonBody("ops_" + inner + "_0", "S", "ops", "STREAM", value, "{\"NOREPEAT\": true}"));
      }
      Await.equal("three batches refused", 3L, () -> s.stats().refused());
      assertServing(s, prober, worker, 0);
    }
    assertEquals(0, s.stats().dispatched() - data.size(), "no listen ran for the batches");
    assertFalse(s.isClosed());
  }

  @Test
  void anAdminsKillClosesTheStation() throws Exception {
    Station s = station("S", Set.of("ops"), new CopyOnWriteArrayList<>());
    NetNode rig = node("rig_1", s);
    NetNode ops = node("ops", s);
    assertThrows(ExecutionException.class, () -> get(rig.sendConfirmed("S", "KILL", null)), "not an admin");
    assertFalse(s.isClosed());
    DeliveryReceipt r = get(ops.sendConfirmed("S", "KILL", null));
    assertEquals("S", r.recipient());
    assertTrue(s.awaitClosed(WAIT), "closed by its admin's KILL");
    assertEquals(1, s.stats().refused());
  }

  @Test
  void theUpstreamsKillClosesAChildStationAndOthersRelayedThroughItAreRefused() throws Exception {
    Station parent = station("P", Set.of(), new CopyOnWriteArrayList<>());
    Station child = track(Station.builder().id("C").bindAddress("127.0.0.1")
        .upstream("127.0.0.1", parent.port(), "P").build());
    Await.registered(parent, "C");
    NetNode stranger = node("stranger", parent);

    // Through the parent, from someone else: the parent forwards it, the child refuses it.
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(stranger.sendConfirmed("C", "KILL", null)));
    UnreachableException u = assertInstanceOf(UnreachableException.class, e.getCause());
    assertEquals("C", u.reportedBy());
    // On the child's own port, claiming the parent's id: not the upstream connection, refused.
    try (RawPeer impostor = RawPeer.registeredDealer("P", child.endpoint(), child)) {
      impostor.send("C", "C", RawPeer.pythonBody("P_0", "C", "P", "KILL", "null", "{\"NOREPEAT\": true}"));
      Await.equal("both refused", 2L, () -> child.stats().refused());
    }
    assertFalse(child.isClosed());

    DeliveryReceipt r = get(parent.sendConfirmed("C", "KILL", null));
    assertEquals("C", r.recipient());
    assertTrue(child.awaitClosed(WAIT), "closed by its upstream's KILL");
    assertFalse(parent.isClosed());
  }
}
