package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.UnreachableException;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Liveness end to end over loopback TCP: HELLO, heartbeats, SUSPECT and DEAD, restarts of
 * nodes and stations, duplicate ids, protocol versions, the DIRECTORY request, and Python
 * upstreams that never answer HELLO. Every endpoint heartbeats every 100 ms with a tolerance of
 * 5 intervals, so SUSPECT comes after more than 200 ms of silence and DEAD after more than 500 ms.
 */
@Timeout(60)
class LivenessTest {
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final int TOLERANCE = 5;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    Threads.assertNoneLeft();
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  /** The options every endpoint of these tests uses: 100 ms heartbeats, tolerance 5. */
  private static EndpointOptions.Builder options(EndpointListener listener) {
    return EndpointOptions.builder().heartbeatInterval(INTERVAL).livenessTolerance(TOLERANCE).listener(listener);
  }

  private Station station(String id, EndpointListener listener) {
    return track(Station.builder().id(id).bindAddress("127.0.0.1").options(options(listener).build()).build());
  }

  private NetNode node(String id, Station upstream, EndpointListener listener) {
    return track(NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id())
        .options(options(listener).build()).build());
  }

  private static DirectoryEntry entry(Endpoint endpoint, String id) {
    return endpoint.directory().stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
  }

  private static DirectoryEntry awaitStatus(Endpoint endpoint, String id, PeerStatus status) {
    return awaitStatus(endpoint, id, status, WAIT);
  }

  private static DirectoryEntry awaitStatus(Endpoint endpoint, String id, PeerStatus status, Duration timeout) {
    Await.until(id + " " + status + " at " + endpoint.id() + " (directory " + endpoint.directory() + ")", timeout,
        () -> {
          DirectoryEntry e = entry(endpoint, id);
          return e != null && e.status() == status;
        });
    return entry(endpoint, id);
  }

  /**
   * Waits until {@code id} is ALIVE at {@code station} and the event saying so reached {@code
   * events} (events come on the callback thread, a moment after the directory changes), so
   * that later marks of {@code events} see only what happens afterwards.
   */
  private static DirectoryEntry awaitAlive(Station station, Events events, String id) {
    events.await(id + " ALIVE event", 0, e -> e.peer().equals(id) && e.entry() != null
        && e.entry().status() == PeerStatus.ALIVE && (e.kind() == Kind.CHANGED || e.kind() == Kind.JOINED));
    return awaitStatus(station, id, PeerStatus.ALIVE);
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ 1. a node that stops

  @Test
  void closedNodeTurnsSuspectThenDeadWithinTheBoundsAndComesBackAliveWithANewJoin() {
    Events events = new Events();
    Station t = station("T", events);
    NetNode rig = node("rig", t, Events.NONE);
    String firstInstance = awaitAlive(t, events, "rig").instance();
    assertNotNull(firstInstance, "HELLO carried the node's instance");

    int mark = events.size();
    rig.close();
    events.await("rig left", mark, e -> e.kind() == Kind.LEFT && e.peer().equals("rig"));
    List<Event> seen = events.since(mark, "rig");
    assertEquals(List.of(Kind.CHANGED, Kind.LEFT), seen.stream().map(Event::kind).toList(),
        "events after the node stopped: " + seen);
    Event suspect = seen.get(0);
    Event left = seen.get(1);
    assertEquals(PeerStatus.ALIVE, suspect.previous());
    assertEquals(PeerStatus.SUSPECT, suspect.entry().status());
    assertEquals(PeerStatus.DEAD, left.entry().status());
    assertEquals(suspect.entry().lastSeen(), left.entry().lastSeen(), "nothing was heard in between");
    // Silence when each was observed, measured from when the station last heard from the node.
    long suspectAfter = suspect.silenceMillis();
    long deadAfter = left.silenceMillis();
    // The exact bounds are PeerDirectoryTest's (a fake clock); here events come on a callback
    // thread of a loaded machine, so only the lower bounds are exact.
    assertTrue(suspectAfter >= 198 && suspectAfter < deadAfter,
        "SUSPECT after > 2 intervals (200 ms) of silence, and before DEAD; was " + suspectAfter + " ms");
    assertTrue(deadAfter >= 498 && deadAfter <= 3_000,
        "DEAD after > tolerance (500 ms) of silence; was " + deadAfter + " ms");
    assertEquals(PeerStatus.DEAD, entry(t, "rig").status());

    int back = events.size();
    node("rig", t, Events.NONE);
    Event joined = events.await("rig joined again with a new instance", back,
        e -> e.kind() == Kind.JOINED && e.peer().equals("rig") && e.entry().instance() != null
            && !e.entry().instance().equals(firstInstance));
    assertEquals(PeerStatus.ALIVE, joined.entry().status());
    DirectoryEntry now = awaitStatus(t, "rig", PeerStatus.ALIVE);
    assertEquals(joined.entry().instance(), now.instance());
    assertEquals("node", now.role());
    assertTrue(events.since(back, "rig").stream().noneMatch(e -> e.kind() == Kind.LEFT || e.kind() == Kind.REFUSED),
        "a restart is neither a leave nor a duplicate: " + events.since(back, "rig"));
  }

  @Test
  void quietNodeThatSendsNoDataForTwoSecondsStaysAlive() {
    Events events = new Events();
    // 250 ms heartbeats here: SUSPECT would need one 250 ms late, which even a loaded 2-core
    // machine does not do (at 100 ms, one run in fifteen saw a 158 ms gap under heavy load).
    Duration interval = Duration.ofMillis(250);
    Station t = track(Station.builder().id("T").bindAddress("127.0.0.1")
        .options(options(events).heartbeatInterval(interval).build()).build());
    NetNode quiet = track(NetNode.builder().id("quiet").upstream("127.0.0.1", t.port(), "T")
        .options(options(Events.NONE).heartbeatInterval(interval).clockSyncInterval(Duration.ZERO).build()).build());
    DirectoryEntry before = awaitAlive(t, events, "quiet");
    long sentBefore = quiet.stats().sent();
    int mark = events.size();

    boolean troubled = events.happensWithin(Duration.ofSeconds(2), mark,
        e -> e.peer().equals("quiet") && e.kind() != Kind.JOINED);
    assertFalse(troubled, "a quiet node that heartbeats never turns SUSPECT: " + events.since(mark, "quiet"));
    DirectoryEntry after = entry(t, "quiet");
    assertEquals(PeerStatus.ALIVE, after.status());
    assertEquals(sentBefore, quiet.stats().sent(), "the node sent no data, only heartbeats");
    assertTrue(after.messages() - before.messages() >= 5,
        "about 8 heartbeats in 2 s, got " + (after.messages() - before.messages()));
    assertTrue(after.lastSeen().isAfter(before.lastSeen()));
  }

  // ------------------------------------------------------------------ 2. a node whose process is killed

  @Test
  void killedNodeProcessTurnsSuspectThenDead() throws Exception {
    Events events = new Events();
    Station t = station("T", events);
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        ChildNodeMain.class.getName(), String.valueOf(t.port()), "T", "child");
    Process child = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    processes.add(child);
    Await.until("the child node ALIVE at T, or the child gone", Duration.ofSeconds(30), () -> !child.isAlive()
        || (entry(t, "child") != null && entry(t, "child").status() == PeerStatus.ALIVE));
    assertTrue(child.isAlive(), "the child process runs");
    awaitAlive(t, events, "child");

    int mark = events.size();
    child.destroyForcibly();
    assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child died");
    events.await("child left", mark, e -> e.kind() == Kind.LEFT && e.peer().equals("child"));
    List<Event> seen = events.since(mark, "child");
    assertEquals(List.of(Kind.CHANGED, Kind.LEFT), seen.stream().map(Event::kind).toList(),
        "events after the kill: " + seen);
    assertEquals(PeerStatus.SUSPECT, seen.get(0).entry().status());
    assertEquals(PeerStatus.ALIVE, seen.get(0).previous());
    long suspectAfter = seen.get(0).silenceMillis();
    long deadAfter = seen.get(1).silenceMillis();
    assertTrue(suspectAfter >= 198 && suspectAfter < deadAfter, "SUSPECT after " + suspectAfter + " ms of silence");
    assertTrue(deadAfter >= 498 && deadAfter <= 3_000, "DEAD after " + deadAfter + " ms of silence");
    assertEquals(PeerStatus.DEAD, entry(t, "child").status());
  }

  // ------------------------------------------------------------------ 3. duplicate id

  @Test
  void secondNodeWithTheSameIdIsRefusedAndTheFirstKeepsWorking() throws Exception {
    Events stationEvents = new Events();
    Recorder data = new Recorder();
    Station t = track(Station.builder().id("T").bindAddress("127.0.0.1")
        .options(options(stationEvents).firstRepeat(Duration.ofMillis(100)).build()).listen("DATA", data).build());
    Events firstEvents = new Events();
    Recorder firstCmd = new Recorder();
    NetNode first = track(NetNode.builder().id("rig").upstream("127.0.0.1", t.port(), "T")
        .options(options(firstEvents).firstRepeat(Duration.ofMillis(100)).build()).listen("CMD", firstCmd).build());
    String firstInstance = awaitStatus(t, "rig", PeerStatus.ALIVE).instance();
    firstEvents.await("first connected", 0, e -> e.kind() == Kind.UP_CONNECTED);

    Events secondEvents = new Events();
    Recorder secondCmd = new Recorder();
    NetNode second = track(NetNode.builder().id("rig").upstream("127.0.0.1", t.port(), "T")
        .options(options(secondEvents).firstRepeat(Duration.ofMillis(100)).build()).listen("CMD", secondCmd).build());

    Event refused;
    try {
      refused = secondEvents.await("the second refused", 0, e -> e.kind() == Kind.UP_REFUSED);
    } catch (AssertionError notRefused) {
      throw new AssertionError(notRefused.getMessage() + "\nstation events: " + stationEvents.all()
          + "\nfirst's events: " + firstEvents.all() + "\nstation directory: " + t.directory()
          + "\nreceived by the first: " + first.stats().received() + ", by the second: " + second.stats().received(),
          notRefused);
    }
    assertEquals("T", refused.peer());
    assertTrue(refused.reason().contains("duplicate_id"), refused.reason());
    Event peerRefused = stationEvents.await("the station refused a duplicate 'rig'", 0,
        e -> e.kind() == Kind.REFUSED && e.peer().equals("rig"));
    assertTrue(peerRefused.reason().contains("duplicate_id"), peerRefused.reason());

    // Settled: the first node's messages are confirmed (so its connection holds the id "rig").
    for (int i = 0; i < 3; i++) {
      DeliveryReceipt r = get(first.sendConfirmed(first.message("T", "DATA", i).ttl(20).build()));
      assertEquals("T", r.recipient());
    }
    Await.equal("DATA from the first handled", 3L,
        () -> data.all().stream().filter(m -> m.sender().equals("rig")).count());

    // The station's confirmed messages to "rig" reach the first node, never the refused one.
    for (int i = 0; i < 5; i++) {
      get(t.sendConfirmed(t.message("rig", "CMD", i).ttl(20).build()));
    }
    Await.equal("CMD handled by the first node", 5, firstCmd::count);
    assertEquals(List.of(0, 1, 2, 3, 4), firstCmd.all().stream().map(m -> m.value(Integer.class)).toList());
    assertEquals(0, secondCmd.count(), "the refused node handled nothing");
    // And the first node's own sends keep being confirmed.
    get(first.sendConfirmed(first.message("T", "DATA", 99).ttl(20).build()));

    DirectoryEntry rig = awaitStatus(t, "rig", PeerStatus.ALIVE);
    assertEquals(firstInstance, rig.instance(), "the directory keeps the first node's instance");
    assertTrue(firstEvents.all().stream().noneMatch(e -> e.kind() == Kind.UP_REFUSED),
        "the first node was never refused: " + firstEvents.all());
    assertEquals(1, stationEvents.all().stream().filter(e -> e.kind() == Kind.REFUSED).count(),
        "the duplicate is reported once: " + stationEvents.all());
    CompletableFuture<DeliveryReceipt> fromSecond = second.sendConfirmed("T", "DATA", "from the duplicate");
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(fromSecond));
    assertInstanceOf(UnreachableException.class, e.getCause(), "a refused node no longer sends upstream");
    Set<String> ids = t.directory().stream().map(DirectoryEntry::id).collect(Collectors.toSet());
    assertEquals(Set.of("rig"), ids, "the directory lists only 'rig': " + t.directory());
  }

  // ------------------------------------------------------------------ 4. station restart

  @Test
  void stationRestartedOnTheSamePortIsNoticedAndNodesSayHelloAgainAndQueuedMessageArrives() throws Exception {
    EndpointOptions.Builder stationOptions = options(Events.NONE).firstRepeat(Duration.ofMillis(100));
    Station s1 = track(Station.builder().id("T").bindAddress("127.0.0.1").options(stationOptions.build()).build());
    int port = s1.port();
    Events rigEvents = new Events();
    Events camEvents = new Events();
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", port, "T")
        .options(options(rigEvents).firstRepeat(Duration.ofMillis(100)).build()).build());
    NetNode cam = track(NetNode.builder().id("cam").upstream("127.0.0.1", port, "T")
        .options(options(camEvents).firstRepeat(Duration.ofMillis(100)).build()).build());
    awaitStatus(s1, "rig", PeerStatus.ALIVE);
    awaitStatus(s1, "cam", PeerStatus.ALIVE);
    rigEvents.await("rig connected", 0, e -> e.kind() == Kind.UP_CONNECTED);
    camEvents.await("cam connected", 0, e -> e.kind() == Kind.UP_CONNECTED);

    s1.close();
    rigEvents.await("rig lost T", 0, e -> e.kind() == Kind.UP_LOST && e.peer().equals("T"));
    camEvents.await("cam lost T", 0, e -> e.kind() == Kind.UP_LOST && e.peer().equals("T"));
    CompletableFuture<DeliveryReceipt> whileDown = rig.sendConfirmed(rig.message("T", "DATA", "while down").ttl(20).build());

    Recorder data = new Recorder();
    Station s2 = track(Await.rebind(() -> Station.builder().id("T").bindAddress("127.0.0.1").port(port)
        .options(stationOptions.build()).listen("DATA", data).build()));
    assertEquals(port, s2.port());

    Message got = data.next(WAIT);
    assertEquals("while down", got.value(String.class));
    assertEquals("rig", got.sender());
    DeliveryReceipt receipt = get(whileDown);
    assertTrue(receipt.attempts() >= 1 && receipt.attempts() <= 21, "within its ttl: " + receipt);

    for (Events ev : List.of(rigEvents, camEvents)) {
      ev.await("upstreamBack", 0, e -> e.kind() == Kind.UP_BACK);
      List<String> reasons = ev.all().stream().filter(e -> e.kind() == Kind.UP_BACK).map(Event::reason).toList();
      assertTrue(Set.of("restarted", "answers again").containsAll(reasons), "upstreamBack reasons " + reasons);
      assertTrue(ev.all().stream().noneMatch(e -> e.kind() == Kind.UP_REFUSED), "never refused: " + ev.all());
    }
    for (String id : List.of("rig", "cam")) {
      DirectoryEntry e = awaitStatus(s2, id, PeerStatus.ALIVE);
      assertEquals("node", e.role(), "said HELLO again: " + e);
      assertNotNull(e.instance());
    }
    assertEquals(1, data.count(), "delivered once");
    // Both nodes still talk to the new station.
    get(cam.sendConfirmed(cam.message("T", "DATA", "after").ttl(20).build()));
    assertEquals("after", data.next(WAIT).value(String.class));
  }

  // ------------------------------------------------------------------ 5. protocol version

  @Test
  void helloWithAnotherProtocolVersionIsRefusedByTheStation() {
    Events events = new Events();
    Station t = station("T", events);
    Map<String, Object> hello = new LinkedHashMap<>();
    hello.put("protocol", 99);
    hello.put("id", "old");
    hello.put("instance", "x");
    hello.put("role", "node");
    Message m = Message.builder().id("old_0").to("T").sender("old").key("SMQ_HELLO").value(hello)
        .flag(Flags.NOREPEAT).build();
    RawPeer old = track(RawPeer.dealer("old", t.endpoint()));
    old.send("T", "T", MessageCodec.encode(m));
    JsonNode reply = Bodies.last(old.receiveMessage(WAIT));
    assertEquals("SMQ_HELLO_REPLY", reply.get("key").asText());
    assertEquals("old", reply.get("to").asText());
    assertEquals("T", reply.get("sender").asText());
    JsonNode v = reply.get("value");
    assertFalse(v.get("ok").asBoolean(), v.toString());
    assertEquals("incompatible_protocol", v.get("reason").asText());
    assertEquals(1, v.get("protocol").asInt(), "the station names its own version");
    Event refused = events.await("peerRefused old", 0, e -> e.kind() == Kind.REFUSED && e.peer().equals("old"));
    assertTrue(refused.reason().contains("incompatible_protocol"), refused.reason());
  }

  @Test
  void upstreamAnsweringWithAnotherProtocolVersionIsRefusedByTheNode() throws Exception {
    RawPeer station = track(RawPeer.router("T"));
    Events events = new Events();
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T")
        .options(options(events).build()).build());
    List<byte[]> hello = receiveKey(station, "SMQ_HELLO");
    assertEquals(List.of("rig", "T", "T"), Bodies.texts(hello.subList(0, hello.size() - 1)));
    assertEquals(1, Bodies.last(hello).get("value").get("protocol").asInt());

    Map<String, Object> v = new LinkedHashMap<>();
    v.put("ok", true);
    v.put("id", "T");
    v.put("protocol", 99);
    v.put("software", "stationmq 9.0.0");
    v.put("boot", "b1");
    Message reply = Message.builder().id("T_live_0").to("rig").sender("T").key("SMQ_HELLO_REPLY").value(v)
        .flag(Flags.NOREPEAT).build();
    station.send("rig", MessageCodec.encode(reply));

    Event refused = events.await("upstreamRefused", 0, e -> e.kind() == Kind.UP_REFUSED);
    assertEquals("T", refused.peer());
    assertTrue(refused.reason().contains("incompatible_protocol"), refused.reason());
    assertTrue(events.all().stream().noneMatch(e -> e.kind() == Kind.UP_CONNECTED), "never connected: " + events.all());
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(rig.sendConfirmed("T", "DATA", 1)));
    assertInstanceOf(UnreachableException.class, e.getCause());
  }

  /** Receives until a message with {@code key} arrives (skipping pings and others); fails after WAIT. */
  private static List<byte[]> receiveKey(RawPeer peer, String key) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<byte[]> frames = peer.receive(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      if (frames == null) {
        break;
      }
      byte[] body = frames.get(frames.size() - 1);
      MessageCodec.BodyHeader h = body.length == 0 ? null : MessageCodec.peekHeader(body);
      if (h != null && key.equals(h.key())) {
        return frames;
      }
    }
    throw new AssertionError("no " + key + " within " + WAIT);
  }

  // ------------------------------------------------------------------ 6. built-in requests

  @Test
  void directoryRequestListsTheNodesWithRolesAndStatuses() throws Exception {
    Station t = station("T", Events.NONE);
    NetNode rig = node("rig", t, Events.NONE);
    node("cam", t, Events.NONE);
    awaitStatus(t, "rig", PeerStatus.ALIVE);
    awaitStatus(t, "cam", PeerStatus.ALIVE);

    Message directory = get(rig.request("T", "DIRECTORY", null, WAIT));
    JsonNode list = directory.valueNode();
    assertTrue(list.isArray(), "a list: " + list);
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    list.forEach(e -> byId.put(e.get("id").asText(), e));
    assertEquals(Set.of("rig", "cam"), byId.keySet(), list.toString());
    for (JsonNode e : byId.values()) {
      assertEquals("node", e.get("role").asText(), e.toString());
      assertEquals("ALIVE", e.get("status").asText(), e.toString());
    }
  }

  @Test
  void infoAndPingRequestsAreAnswered() throws Exception {
    Station t = station("T", Events.NONE);
    NetNode rig = node("rig", t, Events.NONE);
    awaitStatus(t, "rig", PeerStatus.ALIVE);

    JsonNode info = get(rig.request("T", "INFO", null, WAIT)).valueNode();
    assertEquals("T", info.get("id").asText());
    assertEquals("station", info.get("role").asText());
    assertTrue(info.get("stats").isObject(), info.toString());
    JsonNode ping = get(rig.request("T", "PING", null, WAIT)).valueNode();
    assertEquals("T", ping.get("id").asText());
    assertTrue(ping.get("time").isTextual(), ping.toString());
    // A node answers them too.
    assertEquals("rig", get(t.request("rig", "INFO", null, WAIT)).valueNode().get("id").asText());
    assertEquals("node", get(t.request("rig", "INFO", null, WAIT)).valueNode().get("role").asText());
  }

  // ------------------------------------------------------------------ 7. a Python upstream

  @Test
  void upstreamThatNeverAnswersHelloGetsNoHeartbeatsButData() {
    RawPeer station = track(RawPeer.router("T"));
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T")
        .options(options(Events.NONE).helloTimeout(Duration.ofMillis(200)).build()).build());
    // The HELLO first (a fresh JeroMQ connection may take over a second to pass its first message)...
    List<byte[]> hello = station.receiveAny(WAIT);
    assertEquals("SMQ_HELLO", MessageCodec.peekHeader(hello.get(hello.size() - 1)).key());
    // ...then nothing but silence for 5 heartbeat intervals after the HELLO timeout.
    List<String> keys = new ArrayList<>(List.of("SMQ_HELLO"));
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      List<byte[]> frames = station.receive(Duration.ofMillis(Math.max(1, left / 1_000_000)));
      if (frames == null) {
        break;
      }
      byte[] body = frames.get(frames.size() - 1);
      if (body.length > 0) {
        MessageCodec.BodyHeader h = MessageCodec.peekHeader(body);
        keys.add(h == null ? "?" : h.key());
      }
    }
    // The HELLO is repeated, each time after twice as long (200, 400, 800 ms, ...), in case it
    // was lost or the upstream is slow to answer; nothing else is sent.
    assertTrue(keys.stream().allMatch("SMQ_HELLO"::equals), "after the HELLO, 1 s (5 heartbeat intervals) "
        + "without a heartbeat: " + keys);
    assertTrue(keys.size() <= 3, "HELLO repeats back off: " + keys);

    rig.send("T", "DATA", 7);
    List<byte[]> frames = station.receiveMessage(WAIT);
    assertEquals(List.of("rig", "T", "T"), Bodies.texts(frames.subList(0, frames.size() - 1)));
    JsonNode body = Bodies.last(frames);
    assertEquals("DATA", body.get("key").asText());
    assertEquals(7, body.get("value").asInt());
  }

  // ------------------------------------------------------------------ events

  enum Kind { JOINED, CHANGED, LEFT, REFUSED, UP_CONNECTED, UP_LOST, UP_BACK, UP_REFUSED }

  /** One listener call; {@code peer} is the peer's or the upstream's id; {@code atMillis} wall clock when called. */
  record Event(Kind kind, String peer, DirectoryEntry entry, PeerStatus previous, String reason, long atMillis) {
    /** Milliseconds between the station last hearing from the peer and this event. */
    long silenceMillis() {
      return atMillis - entry.lastSeen().toEpochMilli();
    }
  }

  /** Records liveness events in call order. Thread-safe. */
  static final class Events implements EndpointListener {
    static final EndpointListener NONE = EndpointListener.NONE;
    private final List<Event> events = new CopyOnWriteArrayList<>();

    private void add(Kind kind, String peer, DirectoryEntry entry, PeerStatus previous, String reason) {
      events.add(new Event(kind, peer, entry, previous, reason, System.currentTimeMillis()));
    }

    @Override
    public void peerJoined(DirectoryEntry entry) {
      add(Kind.JOINED, entry.id(), entry, null, null);
    }

    @Override
    public void peerStatusChanged(DirectoryEntry entry, PeerStatus previous, String reason) {
      add(Kind.CHANGED, entry.id(), entry, previous, reason);
    }

    @Override
    public void peerLeft(DirectoryEntry entry, String reason) {
      add(Kind.LEFT, entry.id(), entry, null, reason);
    }

    @Override
    public void peerRefused(String peerId, String reason) {
      add(Kind.REFUSED, peerId, null, null, reason);
    }

    @Override
    public void upstreamConnected(String upstreamId) {
      add(Kind.UP_CONNECTED, upstreamId, null, null, null);
    }

    @Override
    public void upstreamLost(String upstreamId, String reason) {
      add(Kind.UP_LOST, upstreamId, null, null, reason);
    }

    @Override
    public void upstreamBack(String upstreamId, String reason) {
      add(Kind.UP_BACK, upstreamId, null, null, reason);
    }

    @Override
    public void upstreamRefused(String upstreamId, String reason) {
      add(Kind.UP_REFUSED, upstreamId, null, null, reason);
    }

    int size() {
      return events.size();
    }

    List<Event> all() {
      return new ArrayList<>(events);
    }

    /** Events from index {@code mark} on about {@code peer}. */
    List<Event> since(int mark, String peer) {
      List<Event> all = all();
      return all.subList(Math.min(mark, all.size()), all.size()).stream().filter(e -> peer.equals(e.peer())).toList();
    }

    private Event find(int mark, Predicate<Event> p) {
      List<Event> all = all();
      for (int i = mark; i < all.size(); i++) {
        if (p.test(all.get(i))) {
          return all.get(i);
        }
      }
      return null;
    }

    /** Waits up to 10 s for an event from index {@code mark} on that matches. */
    Event await(String what, int mark, Predicate<Event> p) {
      try {
        Await.until(what, WAIT, () -> find(mark, p) != null);
      } catch (AssertionError timedOut) {
        throw new AssertionError(timedOut.getMessage() + "; events: " + events, timedOut);
      }
      return find(mark, p);
    }

    /** True when a matching event (from {@code mark} on) comes within {@code window}. */
    boolean happensWithin(Duration window, int mark, Predicate<Event> p) {
      try {
        Await.until("observation window", window, () -> find(mark, p) != null);
        return true;
      } catch (AssertionError timedOut) {
        return false;
      }
    }
  }
}
