package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.TopicInfo;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.RawPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topics on a real tree of three Stations (root R, children C1 and C2) over loopback TCP:
 * fan-out in order, nothing into a subtree without subscribers, latest-only with a stalled
 * subscriber, groups, broadcast, and a child Station restarted.
 */
@Timeout(120)
class TopicsTest {
  private final Closer closer = new Closer();
  private Station root;
  private Station c1;
  private Station c2;

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private void tree() {
    root = closer.track(Station.builder().id("R").bindAddress("127.0.0.1").build());
    c1 = child("C1", 0);
    c2 = child("C2", 0);
  }

  private Station child(String id, int port) {
    Station s = closer.track(Await.rebind(() -> Station.builder().id(id).bindAddress("127.0.0.1").port(port)
        .upstream("127.0.0.1", root.port(), root.id()).build()));
    Await.registered(root, id);
    return s;
  }

  private NetNode node(String id, Station upstream) throws InterruptedException {
    NetNode n = closer.track(NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id()).build());
    assertTrue(n.awaitConnected(Duration.ofSeconds(10)), id + " connected");
    return n;
  }

  /** A subscriber that checks it gets 0, 1, 2, ... in order, each once. */
  static final class InOrder {
    final AtomicInteger next = new AtomicInteger();
    final List<String> errors = new CopyOnWriteArrayList<>();
    volatile boolean probed;

    void take(int v) {
      if (v < 0) { // a probe: see awaitPath
        probed = true;
        return;
      }
      int expected = next.getAndIncrement();
      if (v != expected && errors.size() < 10) {
        errors.add("expected " + expected + ", got " + v);
      }
    }
  }

  /**
   * Publishes probes (-1) until {@code arrived}: a subscription travels up the tree and the
   * interest it makes travels down to the other subtrees, so a Station that has heard of a
   * subscriber may still be ahead of the Station under which the publisher sits. What is
   * published before that Station hears of it reaches no subscriber, as in any pub/sub.
   */
  private static void awaitPath(NetNode publisher, String topic, BooleanSupplier arrived) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!arrived.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no probe on " + topic + " arrived within 10 s");
      }
      publisher.topics().publish(topic, -1);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the probe interval, with the deadline above
    }
  }

  @Test
  void everySubscriberGetsEveryMessageInOrderAndNothingEntersASubtreeWithout() throws Exception {
    int subscribers = Integer.getInteger("stationmq.topics.subscribers", 6);
    int messages = Integer.getInteger("stationmq.topics.messages", 2_000);
    fanOut(subscribers, messages);
  }

  @Test
  @Tag("slow")
  @Timeout(value = 2, unit = TimeUnit.HOURS)
  void hundredSubscribersGetAHundredThousandMessages() throws Exception {
    fanOut(Integer.getInteger("stationmq.topics.slow.subscribers", 100),
        Integer.getInteger("stationmq.topics.slow.messages", 100_000));
  }

  private void fanOut(int subscribers, int messages) throws Exception {
    tree();
    NetNode idle = node("idle", c2); // C2's subtree subscribes nothing
    List<InOrder> checks = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      NetNode sub = node("sub" + i, i % 2 == 0 ? root : c1);
      InOrder check = new InOrder();
      checks.add(check);
      sub.topics().subscribe("lab.trial", m -> check.take(m.value(Integer.class)));
    }
    NetNode publisher = node("pub", c1);
    int underRoot = (subscribers + 1) / 2;
    Await.until("subscriptions at C1", () -> c1.topics().subscribers("lab.trial") == subscribers / 2);
    Await.until("subscriptions at R", () -> root.topics().subscribers("lab.trial") == underRoot + (subscribers > 1 ? 1 : 0));
    awaitPath(publisher, "lab.trial", () -> checks.stream().allMatch(c -> c.probed));

    for (int i = 0; i < messages; i++) {
      publisher.topics().publish("lab.trial", i);
    }
    Duration wait = Duration.ofSeconds(Math.max(60, messages * (long) subscribers / 2_000));
    for (int i = 0; i < subscribers; i++) {
      InOrder check = checks.get(i);
      try {
        Await.until("sub" + i + " got all " + messages, wait, () -> check.next.get() >= messages);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; it has " + check.next.get() + "; R " + root.topics().stats()
            + "; C1 " + c1.topics().stats(), e);
      }
      assertEquals(List.of(), check.errors, "sub" + i);
      assertEquals(messages, check.next.get(), "sub" + i + " got none twice");
    }
    assertEquals(0, c2.topics().stats().received(), "C2's subtree has no subscriber: " + c2.topics().stats());
    assertEquals(0, idle.topics().stats().received());
    assertEquals(0, root.topics().stats().failed(), root.topics().stats().toString());
    assertEquals(0, c1.topics().stats().failed(), c1.topics().stats().toString());
  }

  @Test
  void aPublishStaysInItsSubtreeWhenNobodyOutsideSubscribes() throws Exception {
    tree();
    List<Integer> got = new CopyOnWriteArrayList<>();
    node("local_sub", c1).topics().subscribe("rig.local", m -> got.add(m.value(Integer.class)));
    NetNode publisher = node("local_pub", c1);
    node("elsewhere", c2).topics().subscribe("rig.other", m -> { });
    Await.until("subscriptions at R", () -> root.topics().subscribers("rig.local") == 1
        && root.topics().subscribers("rig.other") == 1);
    // C1 learns from R that nobody outside subscribes to rig.local: wait until a probe no longer goes up.
    Await.until("C1 keeps rig.local below it", () -> {
      long up = c1.topics().stats().sentUp();
      int n = got.size();
      publisher.topics().publish("rig.local", -1).join(); // completes once C1 has passed it on
      Await.until("probe delivered", () -> got.size() > n);
      return c1.topics().stats().sentUp() == up;
    });
    long rootReceived = root.topics().stats().received();
    got.clear();
    for (int i = 0; i < 500; i++) {
      publisher.topics().publish("rig.local", i);
    }
    Await.until("all delivered", () -> got.size() == 500);
    assertEquals(rootReceived, root.topics().stats().received(), "nothing went up to R");
    assertEquals(0, c2.topics().stats().received(), "nothing reached C2");
  }

  @Test
  void aStalledLatestOnlySubscriberGetsTheNewestValueWithBoundedMemory() throws Exception {
    tree();
    CountDownLatch stall = new CountDownLatch(1);
    AtomicLong last = new AtomicLong(-1);
    AtomicInteger calls = new AtomicInteger();
    NetNode slow = node("slow", c1);
    slow.topics().subscribeLatest("rig.temp", m -> {
      calls.incrementAndGet();
      stall.await(60, TimeUnit.SECONDS);
      last.set(m.value(Long.class));
    });
    NetNode publisher = node("sensor", root);
    Await.until("subscription at R", () -> root.topics().subscribers("rig.temp") == 1);
    int n = 3_000;
    long maxWaiting = 0;
    for (int i = 0; i < n; i++) {
      publisher.topics().publish("rig.temp", (long) i).get(10, TimeUnit.SECONDS);
      maxWaiting = Math.max(maxWaiting, c1.topics().stats().latestWaiting() + root.topics().stats().latestWaiting());
    }
    assertTrue(maxWaiting <= 2, "one waiting value per hop at most, saw " + maxWaiting);
    assertEquals(1, calls.get(), "the stalled listen holds the one message in flight");
    stall.countDown();
    Await.until("the newest value arrives", Duration.ofSeconds(20), () -> last.get() == n - 1);
    assertTrue(calls.get() < 10, "conflated: " + calls.get() + " calls for " + n + " values");
    assertTrue(c1.topics().stats().conflated() + root.topics().stats().conflated() > 0);
  }

  @Test
  void groupMembersShareMessagesEachHandledOnce() throws Exception {
    tree();
    Map<Integer, String> handled = new ConcurrentHashMap<>();
    List<String> twice = new CopyOnWriteArrayList<>();
    Map<String, AtomicInteger> perMember = new ConcurrentHashMap<>();
    Station[] under = {root, c1, c2};
    for (int i = 0; i < 3; i++) {
      String id = "worker" + i;
      perMember.put(id, new AtomicInteger());
      NetNode member = node(id, under[i]);
      member.topics().subscribe("jobs", "workers", m -> {
        perMember.get(id).incrementAndGet();
        if (handled.putIfAbsent(m.value(Integer.class), id) != null) {
          twice.add(id + " " + m.value(Integer.class));
        }
      });
    }
    NetNode publisher = node("boss", c1);
    Await.until("group at R", () -> root.topics().subscribers("jobs") == 3);
    int n = 3_000;
    for (int i = 0; i < n; i++) {
      publisher.topics().publish("jobs", i);
    }
    Await.until("every job handled", Duration.ofSeconds(60), () -> handled.size() == n);
    assertEquals(List.of(), twice);
    assertEquals(n, perMember.values().stream().mapToInt(AtomicInteger::get).sum(), perMember.toString());
    perMember.forEach((id, count) -> assertTrue(count.get() >= n / 4, id + " took its share: " + perMember));
  }

  @Test
  void broadcastReachesEveryNodeOfTheTree() throws Exception {
    tree();
    Set<String> heard = ConcurrentHashMap.newKeySet();
    Station[] under = {root, c1, c2};
    for (int i = 0; i < 6; i++) {
      String id = "n" + i;
      NetNode n = node(id, under[i % 3]);
      n.on("ANNOUNCE", m -> heard.add(id + "=" + m.value(String.class)));
    }
    assertEquals(4, root.broadcast("ANNOUNCE", "lights off"), "two nodes and two child Stations");
    Await.until("every node heard it", () -> heard.size() == 6);
    assertTrue(heard.stream().allMatch(h -> h.endsWith("=lights off")), heard.toString());
  }

  @Test
  void aPythonNodeGetsABroadcastAsAPlainMessageAndNoTopicTraffic() throws Exception {
    tree();
    try (RawPeer python = RawPeer.registeredDealer("py_rig", c2.endpoint(), c2)) {
      NetNode sub = node("sub", c2);
      List<Integer> got = new CopyOnWriteArrayList<>();
      sub.topics().subscribe("rig.temp", m -> got.add(m.value(Integer.class)));
      NetNode publisher = node("pub", c1);
      Await.until("subscription at R", () -> root.topics().subscribers("rig.temp") == 1);
      awaitPath(publisher, "rig.temp", () -> got.contains(-1));
      for (int i = 0; i < 100; i++) {
        publisher.topics().publish("rig.temp", i);
      }
      Await.until("published", () -> got.stream().filter(v -> v >= 0).count() == 100);
      root.broadcast("STOPALL", Map.of("why", "end of day"));
      List<byte[]> frames = python.receiveMessage(Duration.ofSeconds(10));
      assertEquals(1, frames.size(), "a DEALER receives the body alone");
      JsonNode body = new ObjectMapper().readTree(frames.get(0));
      assertEquals("STOPALL", body.get("key").asText(), "the first message it gets is the broadcast: " + body);
      assertEquals("py_rig", body.get("to").asText());
      assertEquals("end of day", body.get("value").get("why").asText());
    }
  }

  @Test
  void aSubscriberUnderARestartedChildStationGetsMessagesAgain() throws Exception {
    tree();
    List<Integer> got = new CopyOnWriteArrayList<>();
    NetNode sub = node("sub", c1);
    sub.topics().subscribe("status", m -> got.add(m.value(Integer.class)));
    NetNode publisher = node("pub", root);
    Await.until("subscription at R", () -> root.topics().subscribers("status") == 1);
    publisher.topics().publish("status", 1).get(10, TimeUnit.SECONDS);
    Await.until("first message", () -> got.contains(1));

    int port = c1.port();
    c1.close();
    c1 = child("C1", port);
    Await.until("sub subscribed again at the new C1", Duration.ofSeconds(20), () -> c1.topics().subscribers("status") == 1);
    AtomicInteger value = new AtomicInteger(100);
    Await.until("a message after the restart", Duration.ofSeconds(20), () -> {
      publisher.topics().publish("status", value.incrementAndGet());
      return got.stream().anyMatch(v -> v > 100);
    });
  }

  @Test
  void declaredTopicsAreListedByTheRootWithTheirSubscribers() throws Exception {
    tree();
    NetNode sensor = node("thermo", c2);
    sensor.topics().declare("rig.temp", "float", "bath temperature in degrees C");
    NetNode sub = node("logger", c1);
    sub.topics().subscribe("rig.*", m -> { });
    Await.until("declaration at R", () -> !root.topics().declared().isEmpty());
    TopicInfo info = root.topics().declared().get(0);
    assertEquals("rig.temp", info.topic());
    assertEquals("float", info.valueType());
    assertEquals("thermo", info.declaredBy());
    NetNode asker = node("asker", root);
    Await.until("subscriber counted at R", () -> root.topics().subscribers("rig.temp") == 1);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> answer = asker.request("R", "TOPICS", null, List.class, Duration.ofSeconds(10))
        .get(10, TimeUnit.SECONDS);
    assertEquals(1, answer.size(), answer.toString());
    assertEquals("rig.temp", answer.get(0).get("topic"));
    assertEquals("bath temperature in degrees C", answer.get(0).get("description"));
    assertEquals(1, answer.get(0).get("subscribers"));
  }
}
