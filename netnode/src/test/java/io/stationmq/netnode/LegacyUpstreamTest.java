package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.Ports;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.RecordingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose upstream is a Python station (played by a raw ROUTER that echoes the connection
 * ping and never answers HELLO) notices the station go from its connection closing, and says
 * HELLO the moment a station is back at the address. Real sockets over loopback; one test runs
 * a pyzmq station under Debian's {@code /usr/bin/python3} (skipped without pyzmq) and kills it.
 */
@Timeout(60)
class LegacyUpstreamTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration HELLO_TIMEOUT = Duration.ofMillis(300);
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  /**
   * Plays a Python station until {@code done} holds: echoes every connection ping, answers
   * nothing else, and notes in {@code seen} what arrived ("ping", or a body's key).
   */
  private static void playPython(RawPeer python, List<String> seen, String what, BooleanSupplier done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + WAIT + " waiting for: " + what + "; seen " + seen);
      }
      List<byte[]> frames = python.receive(Duration.ofMillis(20));
      if (frames == null) {
        continue;
      }
      byte[] body = frames.get(frames.size() - 1);
      if (body.length == 0) {
        seen.add("ping");
        python.send(frames.toArray());
      } else {
        MessageCodec.BodyHeader h = MessageCodec.peekHeader(body);
        seen.add(h == null ? "?" : h.key());
      }
    }
  }

  private NetNode node(int port, RecordingListener changes) {
    return closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", port, "T")
        .options(EndpointOptions.builder().listener(changes).helloTimeout(HELLO_TIMEOUT).build()).build());
  }

  @Test
  void aNodeNoticesItsPythonStationGoAndSaysHelloAsSoonAsOneIsBack() throws Exception {
    RawPeer python = RawPeer.router("T");
    int port = python.port();
    RecordingListener changes = new RecordingListener();
    NetNode rig = node(port, changes);
    List<String> seen = new ArrayList<>();
    try {
      playPython(python, seen, "taken for a Python station", () -> rig.upstreamState() == UpstreamState.LEGACY);
    } finally {
      python.close(); // the station is killed
    }
    Await.until("the node reports its upstream lost", Duration.ofSeconds(5),
        () -> rig.upstreamState() == UpstreamState.LOST);
    assertFalse(rig.awaitConnected(Duration.ZERO), "lost: not connected");
    Await.until("the lost event", () -> changes.upstream().stream().anyMatch(e -> e.startsWith("lost: connection to ")));
    // Still taken for a Python station: nothing stationmq-only goes up, now or once it is back.
    rig.topics().subscribe("lab/*", m -> { });
    rig.topics().publish("lab/x", 1);

    List<String> seenAgain = new ArrayList<>();
    try (RawPeer again = RawPeer.router("T", port)) { // the station restarted on its port
      playPython(again, seenAgain, "HELLO at the restarted station", () -> seenAgain.contains("SMQ_HELLO"));
      assertEquals(List.of("ping", "SMQ_HELLO"), seenAgain.subList(0, 2),
          "pinged and said HELLO once connected, not at its backed-off HELLO: " + seenAgain);
      playPython(again, seenAgain, "taken for a Python station again",
          () -> rig.upstreamState() == UpstreamState.LEGACY);
      assertTrue(rig.awaitConnected(Duration.ZERO));
      Await.until("the LEGACY event", () -> changes.upstream().get(changes.upstream().size() - 1).equals("LEGACY"));
      assertEquals(List.of("LEGACY", "lost: connection to tcp://127.0.0.1:" + port + " closed", "LOST",
          "back: answers again", "CONNECTING", "LEGACY"), changes.upstream());
      assertEquals(List.of(), seenAgain.stream().filter(k -> !k.equals("ping") && !k.equals("SMQ_HELLO")).toList(),
          "only pings and HELLO to a Python station");
    }
  }

  @Test
  void aStationmqStationStartedWhereThePythonOneWasIsConnected() throws Exception {
    RawPeer python = RawPeer.router("T");
    int port = python.port();
    NetNode rig = node(port, new RecordingListener());
    try {
      playPython(python, new ArrayList<>(), "taken for a Python station",
          () -> rig.upstreamState() == UpstreamState.LEGACY);
    } finally {
      python.close();
    }
    Await.until("lost", Duration.ofSeconds(5), () -> rig.upstreamState() == UpstreamState.LOST);
    closer.track(Await.rebind(() -> Station.builder().id("T").bindAddress("127.0.0.1").port(port).build()));
    Await.equal("the node's upstream state", UpstreamState.CONNECTED, rig::upstreamState);
  }

  @Test
  void aPythonStationWhoseFrameCostTheConnectionIsReconnectedByTheNode() throws Exception {
    RawPeer python = closer.track(RawPeer.router("T"));
    RecordingListener changes = new RecordingListener();
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", python.port(), "T")
        .options(EndpointOptions.builder().listener(changes).helloTimeout(HELLO_TIMEOUT).maxMessageBytes(1024)
            .heartbeatInterval(Duration.ofMillis(100)).livenessTolerance(3).build()).build());
    List<String> seen = new ArrayList<>();
    playPython(python, seen, "taken for a Python station", () -> rig.upstreamState() == UpstreamState.LEGACY);
    python.send("rig", new byte[200_000]); // over the node's frame limit: JeroMQ drops the connection for good
    Await.until("the node reports its upstream lost", Duration.ofSeconds(5),
        () -> rig.upstreamState() == UpstreamState.LOST);
    seen.clear();
    // A HELLO the node sent before the connection dropped may still wait in the ROUTER: what
    // counts is a ping on the new connection, then HELLO.
    playPython(python, seen, "the node reconnecting on its own: a ping, then HELLO",
        () -> seen.contains("ping") && seen.subList(seen.indexOf("ping"), seen.size()).contains("SMQ_HELLO"));
    playPython(python, seen, "taken for a Python station again", () -> rig.upstreamState() == UpstreamState.LEGACY);
  }

  /**
   * A Python station as far as the wire goes: a pyzmq ROUTER that echoes connection pings and
   * prints the key of everything else it receives, one line each, to {@code out}; returned once
   * it is bound to {@code port}.
   */
  private static Process pythonStation(int port, Path out) throws Exception {
    String script = String.join("\n",
        "import sys, json, zmq",
        "r = zmq.Context().socket(zmq.ROUTER)",
        "r.setsockopt(zmq.LINGER, 0)",
        "r.bind('tcp://127.0.0.1:' + sys.argv[1])",
        "print('bound', flush=True)",
        "while True:",
        "  frames = r.recv_multipart()",
        "  if frames[-1] == b'':",
        "    r.send_multipart(frames)",
        "    print('ping', flush=True)",
        "  else:",
        "    print(json.loads(frames[-1]).get('key'), flush=True)");
    Process p = new ProcessBuilder(PYTHON.toString(), "-c", script, String.valueOf(port)).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    try {
      Await.until("the Python station bound", () -> lines(out).contains("bound"));
      return p;
    } catch (RuntimeException | Error e) {
      p.destroyForcibly().waitFor();
      throw e;
    }
  }

  private static List<String> lines(Path out) {
    try {
      return Files.readAllLines(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assumePyzmq() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(PYTHON), "skipped: no " + PYTHON);
    Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import zmq").start();
    Assumptions.assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
        "skipped: " + PYTHON + " has no pyzmq (Debian: apt-get install python3-zmq)");
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
  }

  @Test
  void aNodeNoticesAKilledPyzmqStationAndSaysHelloToItsNextRun(@TempDir Path dir) throws Exception {
    assumePyzmq();
    int port = Ports.free();
    Path first = dir.resolve("first.txt");
    Process station = pythonStation(port, first);
    try {
      NetNode rig = node(port, new RecordingListener());
      Await.equal("the upstream state", UpstreamState.LEGACY, rig::upstreamState);
      station.destroyForcibly().waitFor(); // killed: the system closes its connections
      Await.until("the node reports its upstream lost", Duration.ofSeconds(5),
          () -> rig.upstreamState() == UpstreamState.LOST);

      Path second = dir.resolve("second.txt");
      station = pythonStation(port, second);
      Await.until("HELLO at the station's next run", () -> lines(second).contains("SMQ_HELLO"));
      Await.equal("the upstream state", UpstreamState.LEGACY, rig::upstreamState);
      List<String> seen = lines(second);
      assertEquals(List.of("bound", "ping", "SMQ_HELLO"), seen.subList(0, 3), seen.toString());
    } finally {
      station.destroyForcibly().waitFor();
    }
  }

  /**
   * A stopped station process answers nothing, not even ZeroMQ's own heartbeats, while its
   * system keeps the TCP connection open, as a pulled cable does: the connection's heartbeat
   * times out (JeroMQ patched: patches/0004), and the node closes it and reports the upstream lost.
   */
  @Test
  void aNodeNoticesAPyzmqStationThatStoppedAnswering(@TempDir Path dir) throws Exception {
    assumePyzmq();
    int port = Ports.free();
    Path out = dir.resolve("out.txt");
    Process station = pythonStation(port, out);
    try {
      NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", port, "T")
          .options(EndpointOptions.builder().helloTimeout(HELLO_TIMEOUT).heartbeatInterval(Duration.ofMillis(100))
              .livenessTolerance(3).build()).build());
      Await.equal("the upstream state", UpstreamState.LEGACY, rig::upstreamState);
      signal(station, "STOP");
      Await.until("the node reports its upstream lost", Duration.ofSeconds(15),
          () -> rig.upstreamState() == UpstreamState.LOST);
      int seen = lines(out).size();
      signal(station, "CONT");
      Await.until("HELLO once the station answers again", () -> {
        List<String> printed = lines(out); // read once: the station may print more meanwhile
        return printed.subList(seen, printed.size()).contains("SMQ_HELLO");
      });
      Await.equal("the upstream state", UpstreamState.LEGACY, rig::upstreamState);
    } finally {
      station.destroyForcibly().waitFor();
    }
  }

  @Test
  void onlyAPythonUpstreamIsMonitoredAndTheMonitorClosesWithTheEndpoint() throws Exception {
    var context = ProcessRuntime.acquire().context(); // kept open across the node's life
    try {
      int before = context.getSockets().size();
      try (RawPeer python = RawPeer.router("T")) {
        NetNode rig = node(python.port(), new RecordingListener());
        playPython(python, new ArrayList<>(), "taken for a Python station",
            () -> rig.upstreamState() == UpstreamState.LEGACY);
        assertEquals(before + 2, context.getSockets().size(), "the DEALER and its monitor's PAIR");
        rig.close();
      }
      Await.equal("sockets of the shared context", before, () -> context.getSockets().size());
      try (Station t = Station.builder().id("T").bindAddress("127.0.0.1").build()) {
        NetNode rig = node(t.port(), new RecordingListener());
        assertTrue(rig.awaitConnected(WAIT));
        assertEquals(before + 2, context.getSockets().size(), "the Station's ROUTER and the node's DEALER: no monitor");
        rig.close();
      }
      Await.equal("sockets of the shared context", before, () -> context.getSockets().size());
    } finally {
      ProcessRuntime.release();
    }
  }
}
