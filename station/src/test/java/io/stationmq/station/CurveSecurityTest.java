package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.CurveKeys;
import io.stationmq.netnode.CurveSecurity;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.StderrLines;
import io.stationmq.netnode.testing.Threads;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * CurveZMQ on a Station: only keys in its allowlist connect, an id stays with the key that
 * first used it, refusals are counted and logged, and the Station keeps serving everyone else;
 * a pyzmq (libzmq) CURVE client interoperates; confirmed messages survive back-pressure
 * (jeromq issue 1009).
 */
@Timeout(600)
class CurveSecurityTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<AutoCloseable> open = new ArrayList<>();
  @TempDir
  Path dir;
  private Path allowed;
  private CurveKeys stationKeys;
  private CurveKeys rigKeys;
  private CurveKeys otherKeys;

  @BeforeEach
  void keys() {
    allowed = dir.resolve("allowed");
    stationKeys = CurveKeys.generate();
    stationKeys.save(dir, "station");
    rigKeys = CurveKeys.generate();
    rigKeys.save(allowed, "rig");
    otherKeys = CurveKeys.generate();
    otherKeys.save(allowed, "other");
  }

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    Threads.assertNoneLeft();
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  private Station securedStation(String id, List<Message> data) {
    CurveSecurity sec = CurveSecurity.builder(CurveKeys.load(dir.resolve("station.key_secret"))).allowed(allowed).build();
    return track(Station.builder().id(id).bindAddress("127.0.0.1").security(sec).listen("DATA", data::add).build());
  }

  private NetNode securedNode(String id, CurveKeys keys, Station upstream) {
    return securedNode(id, keys, upstream, EndpointOptions.defaults());
  }

  private NetNode securedNode(String id, CurveKeys keys, Station upstream, EndpointOptions options) {
    CurveSecurity sec = CurveSecurity.builder(keys).upstreamKey(CurveKeys.loadPublic(dir.resolve("station.key"))).build();
    NetNode n = track(NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id()).options(options)
        .security(sec).build());
    Await.registered(upstream, id);
    return n;
  }

  @Test
  void keysRoundTripThroughCertificateFiles() {
    CurveKeys k = CurveKeys.load(dir.resolve("station.key_secret"));
    assertEquals(stationKeys, k);
    assertEquals(stationKeys.publicKey(), CurveKeys.loadPublic(dir.resolve("station.key")).publicKey());
    assertFalse(CurveKeys.loadPublic(dir.resolve("station.key")).hasSecretKey());
    assertFalse(k.toString().contains(k.secretKey()), "toString shows no secret");
    assertThrows(IllegalArgumentException.class, () -> CurveKeys.load(dir.resolve("station.key")));
  }

  @Test
  void refusalsAreCountedAndLoggedAndTheStationKeepsServing() throws Exception {
    refuseAttempts(50);
  }

  @Test
  @Tag("slow")
  void thousandAttemptsOfEachKindAreAllRefused() throws Exception {
    refuseAttempts(1_000);
  }

  private void refuseAttempts(int attempts) throws Exception {
    List<Message> data = new CopyOnWriteArrayList<>();
    try (StderrLines logs = StderrLines.install()) {
      Station s = securedStation("S", data);
      NetNode rig = securedNode("rig_1", rigKeys, s);
      assertEquals("S", rig.sendConfirmed("S", "DATA", 1).get(10, TimeUnit.SECONDS).recipient());
      rig.close();
      NetNode worker = securedNode("worker", otherKeys, s);

      String endpoint = "tcp://127.0.0.1:" + s.port();
      CurveKeys unknown = CurveKeys.generate();
      try (ZContext ctx = new ZContext(1)) {
        // A plain peer (no CURVE), an unknown key, an allowlisted key claiming rig_1's id.
        long plain = refused(s, attempts, () -> attacker(ctx, "intruder", endpoint, null));
        long unknownKey = refused(s, attempts, () -> attacker(ctx, "intruder", endpoint, unknown));
        long impostor = refused(s, attempts, () -> attacker(ctx, "rig_1", endpoint, otherKeys));
        assertTrue(plain >= attempts && unknownKey >= attempts && impostor >= attempts,
            "counted: plain " + plain + ", unknown " + unknownKey + ", impostor " + impostor);
      }
      assertEquals(1, data.size(), "only rig_1's own message was handled: " + data);
      assertEquals("S", worker.sendConfirmed("S", "DATA", 2).get(10, TimeUnit.SECONDS).recipient(), "still serving");
      assertEquals(2, data.size());
      assertTrue(logs.linesContaining("closed before CURVE authentication") >= 1, "plain peer logged");
      assertTrue(logs.linesContaining("with key " + unknown.fingerprint() + ": key not in the allowlist") >= 1,
          "unknown key logged with its fingerprint");
      assertTrue(logs.linesContaining("refused a message from 'rig_1' (key " + otherKeys.fingerprint()) >= 1,
          "impostor logged");
      if (attempts <= 50) {
        assertTrue(logs.linesContaining("refused") <= 10, "logged once per peer, not per attempt");
      }
    }
  }

  /** Runs {@code attempts} attempts, each until the station counts it; returns how many were counted. */
  private static long refused(Station s, int attempts, Attempt attempt) throws Exception {
    long before = s.stats().authFailures();
    for (int i = 0; i < attempts; i++) {
      long was = s.stats().authFailures();
      try (AutoCloseable a = attempt.run()) {
        Await.until("attempt " + i + " refused", WAIT, () -> s.stats().authFailures() > was);
      }
    }
    return s.stats().authFailures() - before;
  }

  interface Attempt {
    AutoCloseable run() throws Exception;
  }

  /** A raw DEALER that connects and sends a DATA message at once; with keys, a CURVE client. */
  private AutoCloseable attacker(ZContext ctx, String identity, String endpoint, CurveKeys keys) {
    ZMQ.Socket d = ctx.createSocket(SocketType.DEALER);
    d.setIdentity(identity.getBytes(StandardCharsets.UTF_8));
    d.setLinger(0);
    if (keys != null) {
      d.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
      d.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
      d.setCurveServerKey(ZMQ.Curve.z85Decode(stationKeys.publicKey()));
    }
    d.connect(endpoint);
    String body = RawPeer.pythonBody(identity + "_x", "S", identity, "DATA", "99", "{\"NOREPEAT\": true}");
    if (keys == otherKeys) {
      d.sendMore("S"); // an allowlisted key: the connection stands, the message is refused
      d.sendMore("S");
      d.send(body);
    } else {
      // Refused in the handshake. One frame: JeroMQ's DEALER asserts when the connection it
      // is writing a multipart message into is torn down between frames (LB.sendpipe).
      d.send(body);
    }
    return d::close;
  }

  @Test
  void allowlistIsReReadWithoutRestart() throws Exception {
    List<Message> data = new CopyOnWriteArrayList<>();
    Station s = securedStation("S", data);
    CurveKeys late = CurveKeys.generate();
    CurveSecurity sec = CurveSecurity.builder(late).upstreamKey(CurveKeys.ofPublic(stationKeys.publicKey())).build();
    NetNode n = track(NetNode.builder().id("late").upstream("127.0.0.1", s.port(), "S").security(sec).build());
    Await.until("refused while not allowed", WAIT, () -> s.stats().authFailures() > 0);
    assertFalse(s.directory().stream().anyMatch(e -> e.id().equals("late")));
    n.close(); // JeroMQ ends a connecting session refused during the handshake for good
    late.save(allowed, "late");
    n = track(NetNode.builder().id("late").upstream("127.0.0.1", s.port(), "S").security(sec).build());
    Await.registered(s, "late");
    assertEquals("S", n.sendConfirmed("S", "DATA", 1).get(10, TimeUnit.SECONDS).recipient());
  }

  @Test
  void adminByKeyMayKillWhateverItsId() throws Exception {
    CurveSecurity sec = CurveSecurity.builder(stationKeys).allowed(allowed).adminKeys(Set.of(otherKeys.publicKey())).build();
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").admins(Set.of("rig_1")).security(sec).build());
    NetNode rig = securedNode("rig_1", rigKeys, s);
    CompletableFuture<?> refusedKill = rig.sendConfirmed("S", "KILL", Map.of());
    assertThrows(Exception.class, () -> refusedKill.get(10, TimeUnit.SECONDS), "an admin id without an admin key");
    assertFalse(s.isClosed());
    NetNode ops = securedNode("anyone", otherKeys, s);
    ops.send("S", "KILL", Map.of());
    Await.until("killed by the admin key", WAIT, s::isClosed);
  }

  @Test
  void confirmedMessagesSurviveBackPressureThroughASecuredStation() throws Exception {
    backPressure(10_000, 1);
  }

  @Test
  @Tag("slow")
  void hundredThousandConfirmedMessagesUnderBackPressure() throws Exception {
    backPressure(100_000, Integer.getInteger("curve.runs", 3));
  }

  /**
   * node → secured station → node, confirmed, with a small high-water mark everywhere and a
   * receiver that pauses: every message arrives once, with its own value.
   */
  private void backPressure(int messages, int runs) throws Exception {
    for (int run = 0; run < runs; run++) {
      EndpointOptions small = EndpointOptions.builder().highWaterMark(50).maxInFlight(2_000).workers(1)
          .workerQueueCapacity(64).build();
      CurveSecurity sec = CurveSecurity.builder(stationKeys).allowed(allowed).build();
      try (Station s = Station.builder().id("S").bindAddress("127.0.0.1").options(small).security(sec).build()) {
        Map<Integer, Integer> seen = new ConcurrentHashMap<>();
        AtomicInteger wrong = new AtomicInteger();
        AtomicLong handled = new AtomicLong();
        try (NetNode receiver = NetNode.builder().id("rx").upstream("127.0.0.1", s.port(), "S").options(small)
                 .security(CurveSecurity.builder(otherKeys).upstreamKey(CurveKeys.ofPublic(stationKeys.publicKey())).build())
                 .listen("N", m -> {
                   Map<?, ?> v = m.value(Map.class);
                   int i = ((Number) v.get("i")).intValue();
                   if (!("x" + i).repeat(8).equals(v.get("pad"))) {
                     wrong.incrementAndGet();
                   }
                   seen.merge(i, 1, Integer::sum);
                   if (handled.incrementAndGet() % 1_000 == 0) {
                     sleepQuietly(20); // a slow receiver: queues fill up all the way back
                   }
                 }).build();
             NetNode sender = NetNode.builder().id("tx").upstream("127.0.0.1", s.port(), "S").options(small)
                 .security(CurveSecurity.builder(rigKeys).upstreamKey(CurveKeys.ofPublic(stationKeys.publicKey())).build())
                 .build()) {
          Await.registered(s, "rx");
          Await.registered(s, "tx");
          List<CompletableFuture<?>> futures = new ArrayList<>(messages);
          for (int i = 0; i < messages; i++) {
            futures.add(sender.sendConfirmed("rx", "N", Map.of("i", i, "pad", ("x" + i).repeat(8))));
            if (i % 1_000 == 999) {
              futures.get(i - 999).get(60, TimeUnit.SECONDS); // stay within maxInFlight
            }
          }
          CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(300, TimeUnit.SECONDS);
          assertEquals(0, wrong.get(), "run " + run + ": corrupted values");
          assertEquals(messages, seen.size(), "run " + run + ": distinct messages handled");
          assertTrue(seen.values().stream().allMatch(c -> c == 1), "run " + run + ": a message handled twice");
          assertEquals(0, s.stats().malformed() + receiver.stats().malformed(), "run " + run + ": malformed frames");
          assertEquals(0, s.stats().authFailures(), "run " + run + ": auth failures");
        }
      }
    }
  }

  /** Work that takes {@code millis}: a slow receiver, not a wait for anything. */
  private static void sleepQuietly(long millis) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void pyzmqCurveClientTalksToASecuredStation() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
    Process probe = new ProcessBuilder(python.toString(), "-c", "import zmq; assert zmq.has('curve')").start();
    Assumptions.assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
        "skipped: /usr/bin/python3 has no pyzmq with CURVE (Debian: apt-get install python3-zmq)");
    CurveKeys py = CurveKeys.generate();
    Path pyCert = py.save(dir.resolve("py"), "py");
    py.save(allowed, "py");
    List<Message> data = new CopyOnWriteArrayList<>();
    Station s = securedStation("S", data);
    String script = String.join("\n",
        "import sys, json, zmq, zmq.auth",
        "pub, sec = zmq.auth.load_certificate(sys.argv[1])",
        "spub, _ = zmq.auth.load_certificate(sys.argv[2])",
        "ctx = zmq.Context()",
        "d = ctx.socket(zmq.DEALER)",
        "d.setsockopt(zmq.IDENTITY, b'py_node')",
        "d.curve_publickey, d.curve_secretkey, d.curve_serverkey = pub, sec, spub",
        "d.setsockopt(zmq.LINGER, 1000)",
        "d.connect(sys.argv[3])",
        "body = json.dumps({'id': 'py_node_0', 'to': 'S', 'sender': 'py_node', 'key': 'DATA', 'value': {'from': 'python'},",
        "  'timestamp': '2026-11-21T10:15:30.123456', 'changed': False, 'flags': {}, 'blosc': False, 'ttl': 2})",
        "d.send_multipart([b'S', b'S', body.encode()])",
        "p = zmq.Poller(); p.register(d, zmq.POLLIN)",
        "while p.poll(10000):",
        "  frames = d.recv_multipart()",
        "  msg = json.loads(frames[-1])",
        "  if msg.get('key') == 'CONFIRM':",
        "    print('confirmed', msg['value']); sys.exit(0)",
        "sys.exit(3)");
    Process p = new ProcessBuilder(python.toString(), "-c", script, pyCert.toString(), dir.resolve("station.key").toString(),
        "tcp://127.0.0.1:" + s.port()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python client finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "python client output: " + out);
    assertTrue(out.contains("confirmed py_node_0"), out);
    Await.until("message handled", WAIT, () -> data.size() == 1);
    assertEquals("py_node", data.get(0).sender());
    assertEquals(0, s.stats().authFailures());
  }

}
