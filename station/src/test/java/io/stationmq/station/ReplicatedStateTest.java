package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.RemoteException;
import io.stationmq.netnode.StateChange;
import io.stationmq.netnode.StateLimits;
import io.stationmq.netnode.StateListener;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replicated state over real sockets: a tree of three Stations, owners under each, replicas that
 * converge through subscriber and Station restarts, the last-value cache's {@code STATE_GET}, and
 * the bounds.
 */
@Timeout(120)
class ReplicatedStateTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private <T extends AutoCloseable> T track(T c) {
    return closer.track(c);
  }

  private static EndpointOptions options() {
    return EndpointOptions.builder().heartbeatInterval(Duration.ofMillis(100)).livenessTolerance(5)
        .firstRepeat(Duration.ofMillis(100)).clockSyncInterval(Duration.ZERO).build();
  }

  private Station station(String id, int port, Station parent) {
    Station.Builder b = Station.builder().id(id).bindAddress("127.0.0.1").port(port).options(options());
    if (parent != null) {
      b.upstream("127.0.0.1", parent.port(), parent.id());
    }
    Station s = track(Await.rebind(b::build));
    if (parent != null) {
      Await.registered(parent, id);
    }
    return s;
  }

  private NetNode node(String id, Station upstream) throws InterruptedException {
    NetNode n = track(NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id())
        .options(options()).build());
    assertTrue(n.awaitConnected(WAIT), id + " connected");
    return n;
  }

  /** Checks that after each snapshot a replica's changes come with every sequence number, once, in order. */
  static final class SeqChecker implements StateListener {
    final Map<String, Long> last = new ConcurrentHashMap<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final AtomicInteger changes = new AtomicInteger();
    final AtomicInteger resyncs = new AtomicInteger();

    @Override
    public void changed(StateChange c) {
      if (c.resync()) {
        return; // part of a snapshot: resynced follows with its seq
      }
      changes.incrementAndGet();
      long before = last.getOrDefault(c.owner(), 0L);
      if (c.seq() != before + 1) {
        problems.add(c.owner() + ": change #" + c.seq() + " after #" + before);
      }
      last.put(c.owner(), c.seq());
    }

    @Override
    public void resynced(String owner, long seq) {
      resyncs.incrementAndGet();
      last.put(owner, seq); // may be lower than before: the owner restarted (a new incarnation)
    }
  }

  private static void awaitConverged(String what, Endpoint replica, List<NetNode> owners) {
    Await.until(what + " holds every owner's state", WAIT, () -> owners.stream()
        .allMatch(o -> replica.state(o.id()).snapshot().equals(o.state().snapshot())
            && replica.state(o.id()).seq() == o.state().seq()));
  }

  @Test
  void randomChangesFromTenOwnersConvergeEverywhereThroughTwoSubscriberRestarts() throws Exception {
    Station root = station("R", 0, null);
    Station a = station("A", 0, root);
    Station b = station("B", 0, root);
    List<NetNode> owners = new ArrayList<>();
    Station[] homes = {a, a, a, a, b, b, b, root, root, root};
    for (int i = 0; i < homes.length; i++) {
      owners.add(node("owner_" + i, homes[i]));
    }
    List<SeqChecker> checkers = new ArrayList<>();
    NetNode watcher = null;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ops = new AtomicInteger();
    Thread writer = new Thread(() -> {
      Random r = new Random(7);
      while (!stop.get()) {
        NetNode o = owners.get(r.nextInt(owners.size()));
        String key = "k" + r.nextInt(8);
        if (r.nextInt(4) == 0) {
          o.state().remove(key);
        } else {
          o.state().put(key, Map.of("v", r.nextInt(1_000), "by", o.id()));
        }
        ops.incrementAndGet();
        LockSupport.parkNanos(1_000_000L); // the writer's pace: a steady stream of changes, not a flood
      }
    }, "state-test-writer");
    writer.start();
    try {
      Await.until("the owners have state before the first watcher", WAIT, () -> ops.get() >= 100);
      for (int run = 0; run < 3; run++) {
        if (watcher != null) {
          watcher.close(); // restarted mid-stream: the next run must catch up without a gap
        }
        SeqChecker checker = new SeqChecker();
        checkers.add(checker);
        watcher = node("watcher", b);
        watcher.watchState("*", checker);
        int until = ops.get() + 300;
        Await.until("300 more changes", WAIT, () -> ops.get() >= until);
        Await.until("the watcher heard changes", WAIT, () -> checker.changes.get() > 0);
      }
    } finally {
      stop.set(true);
      writer.join();
    }
    awaitConverged("the watcher under B", watcher, owners);
    awaitConverged("the root", root, owners);
    awaitConverged("A (its own owners)", a, owners.subList(0, 4));
    awaitConverged("B (its own owners)", b, owners.subList(4, 7));
    for (SeqChecker c : checkers) {
      assertEquals(List.of(), c.problems, "seqs without a gap after each snapshot");
    }
    // A restarted watcher catches up with snapshots (the first one may have subscribed before
    // its Station held any owner's state, and then needs none: every change counts from 1).
    for (SeqChecker c : checkers.subList(1, checkers.size())) {
      assertTrue(c.resyncs.get() > 0, "each run after a restart began with snapshots");
    }
    System.out.printf("replicated state: %d changes from 10 owners, watcher runs saw %s changes, root stats %s%n",
        ops.get(), checkers.stream().map(c -> c.changes.get()).toList(), root.stateStats());
  }

  @Test
  void aListenerAddedAfterTheReplicaHoldsStateStartsFromASnapshot() throws Exception {
    // The watcher in the test above is restarted under the same id, so its Station can send it an
    // owner's changes before it calls watchState; the listener must still start from a snapshot.
    Station t = station("T", 0, null);
    NetNode owner = node("rig", t);
    NetNode reader = node("reader", t);
    for (int i = 1; i <= 3; i++) {
      owner.state().put("k" + i, i);
    }
    Await.until("the reader's replica holds the owner's three changes", WAIT,
        () -> reader.state("rig").seq() == 3);
    SeqChecker late = new SeqChecker();
    reader.watchState("rig", late);
    owner.state().put("k4", 4);
    Await.until("the change after the snapshot", WAIT, () -> late.changes.get() == 1);
    assertEquals(List.of(), late.problems, "a snapshot first, then #4");
    assertEquals(1, late.resyncs.get(), "the replica's state as a snapshot");
  }

  @Test
  void restartedStationsRecoverTheStateFromBelow() throws Exception {
    Station root = station("R", 0, null);
    Station a = station("A", 0, root);
    List<NetNode> owners = List.of(node("o1", a), node("o2", a));
    owners.get(0).state().put("temp", 21.5);
    owners.get(1).state().put("valve", "open");
    awaitConverged("the root", root, owners);

    int aPort = a.port();
    a.close();
    owners.get(0).state().put("temp", 22.0); // while A is down
    Station a2 = station("A", aPort, root);
    awaitConverged("A restarted", a2, owners);
    awaitConverged("the root, after A restarted", root, owners);

    int rootPort = root.port();
    root.close();
    Station root2 = station("R", rootPort, null);
    Await.registered(root2, "A");
    owners.get(1).state().put("valve", "closed");
    awaitConverged("the root restarted", root2, owners);
    assertEquals(22.0, root2.state("o1").get("temp", Double.class).orElseThrow());
  }

  @Test
  void stateGetAnswersLatestValuesAndHistoryForOneOwnerOrAll() throws Exception {
    Station root = station("R", 0, null);
    NetNode o = node("o", root);
    NetNode p = node("p", root);
    NetNode client = node("client", root);
    o.state().put("a", 1);
    o.state().put("a", 2);
    o.state().put("b", "x");
    o.state().remove("b");
    p.state().put("c", true);
    awaitConverged("the root", root, List.of(o, p));

    JsonNode one = client.request("R", "STATE_GET", Map.of("owner", "o", "history", 10), JsonNode.class, WAIT).join();
    JsonNode a = one.path("owners").path("o").path("keys").path("a");
    assertEquals(4, one.path("owners").path("o").path("seq").asInt());
    assertEquals(2, a.path("value").asInt());
    assertEquals(List.of(1, 2), a.path("history").findValues("value").stream().map(JsonNode::asInt).toList());
    assertFalse(one.path("owners").path("o").path("keys").has("b"), "a removed key is listed only when asked for");
    assertFalse(one.path("owners").has("p"));

    JsonNode b = client.request("R", "STATE_GET", Map.of("owner", "o", "key", "b", "history", 10), JsonNode.class, WAIT)
        .join().path("owners").path("o").path("keys").path("b");
    assertTrue(b.path("removed").asBoolean());
    assertEquals(2, b.path("history").size());
    assertTrue(b.path("updated").asText().endsWith("Z"), "an instant: " + b);

    JsonNode all = client.request("R", "STATE_GET", Map.of("owner", "*"), JsonNode.class, WAIT).join();
    assertTrue(all.path("owners").path("p").path("keys").path("c").path("value").asBoolean());
    assertEquals(2, all.path("owners").path("o").path("keys").path("a").path("value").asInt());
    assertFalse(all.path("owners").path("o").path("keys").path("a").has("history"), "no history unless asked for");
  }

  @Test
  void aSkippedSequenceNumberMakesTheStationAskTheSenderForASnapshot() throws Exception {
    Station root = station("R", 0, null);
    NetNode o = node("o", root);
    o.state().put("a", 1);
    o.state().put("b", 2);
    awaitConverged("the root", root, List.of(o));
    long epoch = o.request("R", "STATE_GET", Map.of("owner", "o"), JsonNode.class, WAIT).join()
        .at("/owners/o/epoch").asLong();
    // A change numbered 5 when the root is at 2: 3 and 4 look lost.
    Map<String, Object> ahead = Map.of("owner", "o", "epoch", epoch, "seq", 5, "kind", "change", "key", "a", "value", 9);
    o.sendConfirmed("R", "SMQ_STATE", ahead).join();
    Await.until("a gap seen and a snapshot asked of o", WAIT,
        () -> root.stateStats().gaps() == 1 && root.stateStats().snapshotsRequested() == 1);
    o.state().put("c", 3);
    awaitConverged("the root, after the snapshot", root, List.of(o));
    assertEquals(1, root.state("o").get("a", Integer.class).orElseThrow(), "the change after the gap was not applied");
  }

  @Test
  void boundsAreEnforcedOnTheOwnerAndCountedOnTheStation() throws Exception {
    StateLimits limits = StateLimits.builder().maxKeysPerOwner(2).maxValueBytes(64).maxOwners(2).build();
    Station root = track(Station.builder().id("R").bindAddress("127.0.0.1").options(options()).stateLimits(limits).build());
    NetNode o = track(NetNode.builder().id("o").upstream("127.0.0.1", root.port(), "R").options(options())
        .stateLimits(limits).build());
    assertTrue(o.awaitConnected(WAIT));
    assertThrows(IllegalArgumentException.class, () -> o.state().put("big", "x".repeat(100)));
    o.state().put("a", 1);
    o.state().put("b", 2);
    assertThrows(IllegalStateException.class, () -> o.state().put("c", 3));
    assertThrows(IllegalArgumentException.class, () -> o.state().put("", 3));
    assertEquals(2, o.state().seq(), "a refused change takes no sequence number");

    NetNode p = node("p", root);
    NetNode q = node("q", root); // a third owner: over the Station's maxOwners (2)
    p.state().put("x", 1);
    Await.until("p replicated", WAIT, () -> root.state("p").seq() == 1);
    q.state().put("x", 1);
    Await.until("q refused and counted", WAIT, () -> root.stateStats().refused() > 0);
    assertEquals(Map.of(), root.state("q").snapshot());

    CompletionException bad = assertThrows(CompletionException.class,
        () -> p.request("R", "STATE_GET", Map.of("owner", "*", "history", -1), WAIT).join());
    assertTrue(bad.getCause() instanceof RemoteException, bad.toString());
  }
}
