package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.RemoteException;
import io.stationmq.netnode.RequestTimeoutException;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RequestReplyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final List<AutoCloseable> open = new ArrayList<>();

  record Sum(int a, int b) {}

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    Threads.assertNoneLeft();
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  private Station station(String id, Station parent) {
    Station.Builder b = Station.builder().id(id).bindAddress("127.0.0.1");
    if (parent != null) {
      b.upstream("127.0.0.1", parent.port(), parent.id());
    }
    Station s = track(b.build());
    if (parent != null) {
      Await.registered(parent, id);
    }
    return s;
  }

  private NetNode node(String id, Station upstream) {
    NetNode n = track(NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id()).build());
    Await.registered(upstream, id);
    return n;
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void directRequestIsAnsweredTyped() throws Exception {
    NetNode server = track(NetNode.builder().id("server").routerPort(0).routerAddress("127.0.0.1").build());
    server.provide("SUM", req -> {
      Sum s = req.value(Sum.class);
      return s.a() + s.b();
    });
    NetNode client = track(NetNode.builder().id("client").upstream("127.0.0.1", server.routerPort(), "server").build());
    assertEquals(5, get(client.request("server", "SUM", new Sum(2, 3), Integer.class, TIMEOUT)));
  }

  @Test
  void requestThroughAStationAndStationRequestToNode() throws Exception {
    Station t = station("T", null);
    NetNode rig = node("rig", t);
    rig.provide("STATE", req -> Map.of("state", "RUNNING", "asker", req.sender()));
    NetNode other = node("other", t);
    Message reply = get(other.request("rig", "STATE", null, TIMEOUT));
    assertEquals("RUNNING", reply.value(Map.class).get("state"));
    assertEquals("rig", reply.sender());
    assertEquals("T", get(t.request("rig", "STATE", null, TIMEOUT)).value(Map.class).get("asker"));
    assertEquals("T", get(rig.request("T", "PING", null, TIMEOUT)).value(Map.class).get("id"));
  }

  @Test
  void multihopRequestThroughThreeStations() throws Exception {
    Station s1 = station("station_1", null);
    Station s2 = station("station_2", s1);
    Station s3 = station("station_3", s2);
    NetNode n1 = node("node_1", s1);
    NetNode n3 = node("node_3", s3);
    n3.provide("WHO", req -> "node_3");
    Message request = n1.requestMessage("node_3", "WHO", null).path("station_1", "station_2", "station_3", "node_3").build();
    assertEquals("node_3", get(n1.request(request, TIMEOUT)).value(String.class));
  }

  @Test
  void remoteErrorCarriesCodeAndMessageAndUnknownRequestIsAnError() throws Exception {
    Station t = station("T", null);
    NetNode rig = node("rig", t);
    rig.provide("FAIL", req -> {
      throw new RemoteException("busy", "a trial is running");
    });
    rig.provide("BUG", req -> {
      throw new IllegalStateException("boom");
    });
    NetNode client = node("client", t);
    RemoteException busy = remote(client.request("rig", "FAIL", null, TIMEOUT));
    assertEquals("busy", busy.code());
    assertEquals("a trial is running", busy.remoteMessage());
    assertEquals("rig", busy.responder());
    assertEquals("error", remote(client.request("rig", "BUG", null, TIMEOUT)).code());
    assertTrue(remote(client.request("rig", "BUG", null, TIMEOUT)).remoteMessage().contains("boom"));
    assertEquals("unknown_request", remote(client.request("rig", "NOPE", null, TIMEOUT)).code());
  }

  private static RemoteException remote(CompletableFuture<Message> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(f));
    return assertInstanceOf(RemoteException.class, e.getCause());
  }

  @Test
  void noReplyWithinTheTimeoutFailsAndALateReplyIsCountedNotLeaked() throws Exception {
    Station t = station("T", null);
    NetNode rig = node("rig", t);
    CountDownLatch release = new CountDownLatch(1);
    rig.provide("SLOW", req -> {
      release.await(10, TimeUnit.SECONDS);
      return "late";
    });
    NetNode client = node("client", t);
    CompletableFuture<Message> f = client.request("rig", "SLOW", null, Duration.ofMillis(200));
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(f));
    assertInstanceOf(RequestTimeoutException.class, e.getCause());
    release.countDown();
    Await.equal("the late reply counted", 1L, () -> client.stats().lateReplies());
  }

  @Test
  void aRequestAndItsReplyAreTwoMessagesWithoutConfirmations() throws Exception {
    Station t = station("T", null);
    NetNode rig = node("rig", t);
    rig.provide("ECHO", req -> req.value(Integer.class));
    NetNode client = node("client", t);
    for (int i = 0; i < 20; i++) {
      assertEquals(i, get(client.request("rig", "ECHO", i, Integer.class, TIMEOUT)));
    }
    Await.equal("every request settled", 0L, () -> client.stats().inFlight());
    assertEquals(0, rig.stats().confirmsSent(), "the replies confirmed the requests");
    assertEquals(0, client.stats().confirmsSent(), "replies are not confirmed: a lost one is asked for again");
    assertEquals(0, client.stats().repeated());
  }

  @Test
  void aRepeatedRequestGetsTheSameReplyAgainWithoutBeingHandledAgain() throws Exception {
    Station t = station("T", null);
    NetNode rig = node("rig", t);
    AtomicInteger handled = new AtomicInteger();
    rig.provide("ECHO", req -> {
      handled.incrementAndGet();
      return req.value(Integer.class);
    });
    try (RawPeer asker = RawPeer.registeredDealer("asker", t.endpoint(), t)) {
      byte[] request = MessageCodec.encode(Message.builder().id("asker_1").to("rig").sender("asker")
          .key("SMQ_REQUEST").value(7).extra("request", "ECHO").build());
      asker.send("T", "rig", request);
      JsonNode first = Bodies.last(asker.receiveMessage(TIMEOUT));
      // The asker acts as if that reply were lost: it repeats the request, byte for byte.
      asker.send("T", "rig", request);
      JsonNode again = Bodies.last(asker.receiveMessage(TIMEOUT));
      for (JsonNode reply : List.of(first, again)) {
        assertEquals("SMQ_REPLY", reply.get("key").asText());
        assertEquals("asker_1", reply.get("reply_to").asText());
        assertEquals(7, reply.get("value").asInt());
        assertTrue(reply.get("flags").has("NOREPEAT"), "a reply is not confirmed");
      }
      assertEquals(first.get("id").asText(), again.get("id").asText(), "the same reply, sent again");
      assertEquals(1, handled.get(), "the repeat was not handled again");
      assertEquals(1, rig.stats().duplicates());
      assertEquals(0, rig.stats().confirmsSent());
    }
  }

  @Test
  void aResponderSlowerThanTheRepeatIntervalConfirmsTheRepeatAndSendsAConfirmedReply() throws Exception {
    Station t = station("T", null);
    NetNode rig = node("rig", t);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    rig.provide("SLOW", req -> {
      handled.incrementAndGet();
      release.await(10, TimeUnit.SECONDS);
      return "done";
    });
    NetNode client = node("client", t);
    CompletableFuture<String> f = client.request("rig", "SLOW", null, String.class, TIMEOUT);
    Await.until("the request repeated and the repeat confirmed", () -> rig.stats().duplicates() >= 1
        && rig.stats().confirmsSent() >= 1);
    release.countDown();
    assertEquals("done", get(f));
    assertEquals(1, handled.get(), "a repeated request is answered once");
    Await.equal("the request settled", 0L, () -> client.stats().inFlight());
    Await.equal("the reply, sent confirmed, confirmed by the client", 1L, () -> client.stats().confirmsSent());
    Await.equal("the reply settled", 0L, () -> rig.stats().inFlight());
  }

  @Test
  void tenThousandConcurrentRequestsFromSeveralThreadsAreAllAnsweredAndCorrelated() throws Exception {
    EndpointOptions options = EndpointOptions.builder().maxInFlight(50_000).build();
    Station t = track(Station.builder().id("T").bindAddress("127.0.0.1").options(options).build());
    NetNode server = track(NetNode.builder().id("server").upstream("127.0.0.1", t.port(), "T").options(options).build());
    Await.registered(t, "server");
    server.provide("SQUARE", req -> {
      int x = req.value(Integer.class);
      return x * x;
    });
    NetNode client = track(NetNode.builder().id("client").upstream("127.0.0.1", t.port(), "T").options(options).build());
    Await.registered(t, "client");

    int threads = 4;
    int perThread = 2_500;
    AtomicInteger wrong = new AtomicInteger();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    List<Thread> senders = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      int base = th * perThread;
      Thread sender = new Thread(() -> {
        for (int i = base; i < base + perThread; i++) {
          int x = i;
          CompletableFuture<Void> f = client.request("server", "SQUARE", x, Integer.class, Duration.ofSeconds(30))
              .thenAccept(sq -> {
                if (sq != x * x) {
                  wrong.incrementAndGet();
                }
              });
          synchronized (all) {
            all.add(f);
          }
        }
      }, "requester-" + th);
      senders.add(sender);
      sender.start();
    }
    for (Thread s : senders) {
      s.join(30_000);
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(40, TimeUnit.SECONDS);
    assertEquals(threads * perThread, all.size());
    assertEquals(0, wrong.get(), "every answer matched its request");
    assertEquals(0, client.stats().lateReplies());
  }
}
