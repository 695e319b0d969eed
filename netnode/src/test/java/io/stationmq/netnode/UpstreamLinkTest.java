package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The upstream state machine, with a fake clock and a fake wire: no sockets, no threads. */
@Timeout(10)
class UpstreamLinkTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long INTERVAL = 100 * MS;
  private static final long HELLO_TIMEOUT = 200 * MS;

  private final List<Message> sent = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private final List<String> changes = new ArrayList<>();
  private int reconnects;
  private int pings;
  private int watches;
  private final AtomicInteger ids = new AtomicInteger();

  private final EndpointListener listener = new EndpointListener() {
    @Override
    public void upstreamConnected(String upstreamId) {
      events.add("connected");
    }

    @Override
    public void upstreamLost(String upstreamId, String reason) {
      events.add("lost");
    }

    @Override
    public void upstreamBack(String upstreamId, String reason) {
      events.add("back:" + reason);
    }

    @Override
    public void upstreamRefused(String upstreamId, String reason) {
      events.add("refused");
    }

    @Override
    public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
      changes.add(state + ": " + reason);
    }
  };

  private final UpstreamLink link = new UpstreamLink("rig", "node", "T", "tcp://t:1", INTERVAL, 5, HELLO_TIMEOUT,
      event -> event.accept(listener), () -> "rig_live_" + ids.getAndIncrement(), new UpstreamLink.Wire() {
        @Override
        public void toUpstream(Message m) {
          sent.add(m);
        }

        @Override
        public void reconnectUpstream() {
          reconnects++;
        }

        @Override
        public void refuseUpstream(String reason) {}

        @Override
        public void retargetUpstream(String address) {
          retargets.add(address);
        }

        @Override
        public void pingUpstream() {
          pings++;
        }

        @Override
        public void watchConnection() {
          watches++;
        }
      }, () -> Set.of("CMD"));
  private final List<String> retargets = new ArrayList<>();

  private List<String> keysSent() {
    return sent.stream().map(Message::key).toList();
  }

  private static Message reply(String key, Map<String, Object> value) {
    return LivenessProtocol.notice("T_0", "T", "rig", key, value);
  }

  private static Message helloReply(String boot) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("ok", true);
    v.put("id", "T");
    v.put("protocol", LivenessProtocol.PROTOCOL);
    v.put("boot", boot);
    return reply(LivenessProtocol.HELLO_REPLY, v);
  }

  private static Message ack(long seq, String boot) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("seq", seq);
    v.put("boot", boot);
    return reply(LivenessProtocol.HEARTBEAT_ACK, v);
  }

  /** Runs the link as the socket thread does: tick, then sleep until it has work; returns the ticks. */
  private int runUntil(long from, long until) {
    long now = from;
    int ticks = 0;
    while (now < until) {
      link.tick(now);
      ticks++;
      long wait = link.nanosUntilNextTick(now);
      assertTrue(wait > 0, "a tick must leave nothing due at once (it would spin), state " + link.state());
      now = wait == Long.MAX_VALUE ? until : now + wait;
    }
    return ticks;
  }

  @Test
  void aLostHelloIsRepeatedUntilAnswered() {
    link.tick(0);
    assertEquals(List.of("SMQ_HELLO"), keysSent());
    link.tick(HELLO_TIMEOUT - 1);
    assertEquals(1, sent.size(), "not repeated before the timeout");
    link.tick(HELLO_TIMEOUT);
    assertEquals(List.of("SMQ_HELLO", "SMQ_HELLO"), keysSent(), "repeated once the first went unanswered");
    link.onMessage(helloReply("b1"), HELLO_TIMEOUT + 5 * MS);
    assertEquals(UpstreamLink.State.CONNECTED, link.state());
    sent.clear();
    runUntil(HELLO_TIMEOUT + 5 * MS, HELLO_TIMEOUT + 5 * MS + 10 * INTERVAL);
    assertTrue(keysSent().stream().allMatch("SMQ_HEARTBEAT"::equals), "no HELLO once answered: " + keysSent());
    assertEquals(List.of("connected"), events.subList(0, 1));
  }

  @Test
  void aLateHelloReplyIsAcceptedAndHeartbeatsStart() {
    runUntil(0, 3 * HELLO_TIMEOUT);
    assertEquals(UpstreamLink.State.LEGACY, link.state(), "no answer within the timeout: taken for a Python station");
    assertTrue(keysSent().stream().noneMatch("SMQ_HEARTBEAT"::equals), "no heartbeats to a Python station");

    long late = 3 * HELLO_TIMEOUT;
    link.onMessage(helloReply("b1"), late);
    assertEquals(UpstreamLink.State.CONNECTED, link.state(), "a late answer is accepted");
    assertEquals(List.of("connected"), events);
    sent.clear();
    runUntil(late, late + 3 * INTERVAL + 1);
    assertEquals(List.of("SMQ_HEARTBEAT", "SMQ_HEARTBEAT", "SMQ_HEARTBEAT"), keysSent());
  }

  @Test
  void aPythonUpstreamGetsOnlyRareHellosAndCostsAlmostNoWakeUps() {
    long tenMinutes = TimeUnit.MINUTES.toNanos(10);
    int ticks = runUntil(0, tenMinutes);
    assertTrue(keysSent().stream().allMatch("SMQ_HELLO"::equals), keysSent().toString());
    // 200 ms, doubling to the 60 s cap: 0.2+0.4+...+51.2 s is 9 HELLOs, then one a minute.
    assertTrue(sent.size() <= 20, "HELLOs in 10 minutes: " + sent.size());
    assertTrue(ticks <= 2 * sent.size() + 2, "wake-ups in 10 minutes: " + ticks);
  }

  @Test
  void aSilentUpstreamIsLostAndReconnectedAtMostOncePerTolerance() {
    link.tick(0);
    link.onMessage(helloReply("b1"), 1 * MS);
    int ticks = runUntil(1 * MS, 1 * MS + 20 * INTERVAL);
    assertEquals(List.of("connected", "lost"), events);
    assertEquals(UpstreamLink.State.LOST, link.state());
    // Lost after 500 ms of silence, then a reconnect every 500 ms: at 0.5, 1.0, 1.5 s.
    assertTrue(reconnects >= 3 && reconnects <= 4, "reconnects: " + reconnects);
    assertTrue(ticks <= 20 + reconnects + 4, "one wake-up per heartbeat or reconnect: " + ticks);
  }

  @Test
  void anUpstreamThatRestartsGetsHelloAgainUntilItAnswers() {
    link.tick(0);
    link.onMessage(helloReply("b1"), 1 * MS);
    link.tick(INTERVAL + 1 * MS); // heartbeat 0
    sent.clear();
    link.onMessage(ack(0, "b2"), INTERVAL + 2 * MS); // a new boot: the upstream restarted
    assertEquals(List.of("connected", "back:restarted"), events);
    assertEquals(List.of("SMQ_HELLO"), keysSent());
    // That HELLO is lost: it is said again after the HELLO timeout, between heartbeats.
    long t = INTERVAL + 2 * MS;
    for (long now = t; now <= t + HELLO_TIMEOUT; now += 10 * MS) {
      link.heardFrom(now);
      link.tick(now);
    }
    assertEquals(2, keysSent().stream().filter("SMQ_HELLO"::equals).count(), keysSent().toString());
    link.onMessage(helloReply("b2"), t + HELLO_TIMEOUT + 1 * MS);
    sent.clear();
    for (long now = t + HELLO_TIMEOUT + 1 * MS; now <= t + 10 * HELLO_TIMEOUT; now += 10 * MS) {
      link.heardFrom(now);
      link.tick(now);
    }
    assertTrue(keysSent().stream().noneMatch("SMQ_HELLO"::equals), "answered: no more HELLOs " + keysSent());
  }

  @Test
  void aRefusedEndpointSendsNothingMoreAndNeverWakesForIt() {
    link.tick(0);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("ok", false);
    v.put("instance", link.instance());
    v.put("reason", "duplicate_id");
    v.put("message", "taken");
    link.onMessage(reply(LivenessProtocol.HELLO_REPLY, v), 1 * MS);
    assertEquals(UpstreamLink.State.REFUSED, link.state());
    assertEquals(List.of("refused"), events);
    sent.clear();
    link.tick(TimeUnit.MINUTES.toNanos(5));
    assertEquals(List.of(), keysSent());
    assertEquals(Long.MAX_VALUE, link.nanosUntilNextTick(TimeUnit.MINUTES.toNanos(5)));
  }

  /** The notice a Station sends back for a message (here a HELLO) it cannot pass on. */
  private static Message unreachable(String messageId, String to, String station) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", messageId);
    v.put("to", to);
    v.put("station", station);
    v.put("reason", "no connection or route to '" + to + "'");
    v.put("retry", false);
    return LivenessProtocol.notice(station + "_0", station, "rig", Keys.UNREACHABLE, v);
  }

  @Test
  void aStationWithAnotherIdIsNamedAndAnsweringLaterStillConnects() throws Exception {
    link.tick(0);
    String helloId = sent.get(0).id();
    assertFalse(link.onMessage(unreachable("rig_99", "T", "X"), 1 * MS), "a notice about another message is not the link's");
    assertTrue(link.onMessage(unreachable(helloId, "T", "X"), 1 * MS), "a notice about its HELLO is the link's");
    assertEquals(UpstreamLink.State.MISNAMED, link.state());
    assertEquals(List.of("WRONG_ID: the Station at tcp://t:1 is 'X', not 'T'"), changes);
    assertEquals(UpstreamState.WRONG_ID, link.watch().state());
    UpstreamRefusedException e = assertThrows(UpstreamRefusedException.class, () -> link.watch().await(Duration.ZERO));
    assertEquals("X", e.actualId());
    assertEquals(UpstreamState.WRONG_ID, e.state());

    sent.clear();
    runUntil(1 * MS, 10 * HELLO_TIMEOUT);
    assertTrue(!sent.isEmpty() && keysSent().stream().allMatch("SMQ_HELLO"::equals), "HELLO goes on: " + keysSent());
    assertTrue(link.onMessage(unreachable(sent.get(0).id(), "T", "X"), 10 * HELLO_TIMEOUT), "consumed");
    assertEquals(1, changes.size(), "reported once: " + changes);

    link.onMessage(helloReply("b1"), 10 * HELLO_TIMEOUT + 1 * MS); // a Station named T took the address
    assertEquals(UpstreamState.CONNECTED, link.watch().state());
    assertTrue(link.watch().await(Duration.ZERO));
    assertEquals("CONNECTED: answered HELLO", changes.get(1));
  }

  @Test
  void nothingAnsweringStaysConnectingAndAnUpstreamWithoutHelloIsLegacyOnceHeard() throws Exception {
    runUntil(0, 3 * HELLO_TIMEOUT);
    assertEquals(UpstreamLink.State.LEGACY, link.state());
    assertEquals(UpstreamState.CONNECTING, link.watch().state(), "nothing heard: nothing answers");
    assertFalse(link.watch().await(Duration.ofMillis(1)));
    assertEquals(List.of(), changes);
    link.heardFrom(3 * HELLO_TIMEOUT); // a ping echoed at last: its answer to HELLO may follow
    assertEquals(UpstreamState.CONNECTING, link.watch().state());
    runUntil(3 * HELLO_TIMEOUT, 4 * HELLO_TIMEOUT + 1); // it does not
    assertEquals(UpstreamState.LEGACY, link.watch().state());
    assertTrue(link.watch().await(Duration.ZERO));
    assertEquals(List.of("LEGACY: answers at tcp://t:1, but not HELLO: taken for a Python station"), changes);
  }

  @Test
  void aSearchingLinkSaysHelloToEachCandidateAndStaysWithTheOneThatAnswers() {
    long attempt = 3 * HELLO_TIMEOUT;
    link.locate(new UpstreamLocator("rig", "T", new UpstreamSearch(List.of("tcp://a:1", "tcp://b:2"), null, null,
        attempt, 10 * attempt), event -> event.accept(listener)));
    runUntil(0, attempt);
    assertEquals(List.of("tcp://a:1"), retargets);
    assertEquals("SMQ_HELLO", keysSent().get(0));
    sent.clear();
    link.tick(attempt);
    assertEquals(List.of("tcp://a:1", "tcp://b:2"), retargets);
    assertEquals(List.of("SMQ_HELLO"), keysSent(), "a fresh HELLO to the next candidate");
    link.heardFrom(attempt + MS);
    link.onMessage(helloReply("b1"), attempt + MS);
    assertEquals(UpstreamLink.State.CONNECTED, link.state());
    runUntil(attempt + MS, attempt + 4 * INTERVAL);
    assertEquals(List.of("tcp://a:1", "tcp://b:2"), retargets, "stays while it answers");
  }

  /** Ticks until the link takes its upstream, which echoed the ping, for a Python station; returns the time. */
  private long legacy() {
    link.tick(0);
    link.heardFrom(1 * MS); // the connection ping echoed
    runUntil(1 * MS, 3 * HELLO_TIMEOUT);
    assertEquals(UpstreamState.LEGACY, link.watch().state());
    assertEquals(1, watches, "the connection is watched once taken for a Python station");
    sent.clear();
    changes.clear();
    return 3 * HELLO_TIMEOUT;
  }

  @Test
  void aPythonUpstreamWhoseConnectionClosesIsLostAndJudgedAnewWhenBack() throws Exception {
    long t = legacy();
    link.connectionClosed(t);
    assertEquals(UpstreamLink.State.LEGACY_LOST, link.state());
    assertEquals(UpstreamState.LOST, link.watch().state());
    assertEquals(List.of("LOST: connection to tcp://t:1 closed"), changes);
    assertEquals(List.of("lost"), events);
    assertFalse(link.watch().await(Duration.ofMillis(1)), "lost: not usable");
    assertTrue(link.watch().python(), "still taken for a Python station: nothing stationmq-only goes up");

    int ticks = runUntil(t, t + 10 * INTERVAL);
    assertEquals(List.of(), keysSent(), "no HELLO while the connection is closed, and no heartbeats");
    // Reconnected once per tolerance (500 ms), at 0.5 s: JeroMQ gives up after a protocol error.
    assertEquals(1, reconnects, "reconnects: " + reconnects);
    assertTrue(ticks <= 3, "wake-ups: " + ticks);

    long back = t + 10 * INTERVAL;
    link.connectionOpened(back);
    assertEquals(0, pings, "the reconnect queued a ping for this connection");
    assertEquals(List.of("SMQ_HELLO"), keysSent(), "HELLO at once, not when the backed-off one is due");
    link.heardFrom(back + MS); // the ping echoed
    assertEquals(List.of("lost", "back:answers again"), events);
    assertEquals(UpstreamState.CONNECTING, link.watch().state());
    runUntil(back + MS, back + MS + HELLO_TIMEOUT + 1);
    assertEquals(UpstreamState.LEGACY, link.watch().state(), "no HELLO answer within the timeout: Python again");
    assertEquals(List.of("LOST: connection to tcp://t:1 closed", "CONNECTING: answers again; HELLO sent",
        "LEGACY: answers at tcp://t:1, but not HELLO: taken for a Python station"), changes);
    assertTrue(keysSent().stream().allMatch("SMQ_HELLO"::equals), "no heartbeats: " + keysSent());
    assertEquals(List.of("SMQ_HELLO", "SMQ_HELLO"), keysSent(), "the fresh phase repeats HELLO after its timeout");
  }

  @Test
  void aConnectionThatClosesAgainBeforeAnythingAnsweredGetsHelloOnTheNextOne() {
    long t = legacy();
    link.connectionClosed(t);
    link.connectionOpened(t + MS); // a connection, but nothing answers on it
    link.connectionClosed(t + 2 * MS);
    link.connectionOpened(t + 3 * MS);
    assertEquals(List.of("SMQ_HELLO", "SMQ_HELLO"), keysSent(), "HELLO on each connection");
    assertEquals(2, pings);
    assertEquals(List.of("lost"), events, "lost once");
    assertEquals(UpstreamState.LOST, link.watch().state());
  }

  @Test
  void aStationmqStationFoundWhereAPythonUpstreamWasIsConnected() {
    long t = legacy();
    link.connectionClosed(t);
    link.connectionOpened(t + MS);
    assertEquals(1, pings, "back within the tolerance: pinged");
    link.heardFrom(t + 2 * MS);
    link.onMessage(helloReply("b1"), t + 2 * MS);
    assertEquals(UpstreamState.CONNECTED, link.watch().state());
    assertFalse(link.watch().python());
    assertEquals(List.of("lost", "back:answers again", "connected"), events);
    sent.clear();
    runUntil(t + 2 * MS, t + 2 * MS + 2 * INTERVAL + 1);
    assertEquals(List.of("SMQ_HEARTBEAT", "SMQ_HEARTBEAT"), keysSent(), "heartbeats start");
  }

  @Test
  void aPythonUpstreamHeardBeforeItsConnectionEventIsSaidHelloThen() {
    long t = legacy();
    link.connectionClosed(t);
    link.heardFrom(t + MS); // a message from the station came before the monitor's event
    assertEquals(List.of("SMQ_HELLO"), keysSent());
    assertEquals(UpstreamState.CONNECTING, link.watch().state());
    link.connectionOpened(t + 2 * MS);
    assertEquals(List.of("SMQ_HELLO"), keysSent(), "said once");
    assertEquals(0, pings, "heard already: no ping needed");
  }

  @Test
  void aPythonUpstreamWhoseConnectionClosedBeforeItWasJudgedIsJudgedOnceItAnswersAgain() {
    link.tick(0);
    link.heardFrom(1 * MS);
    link.connectionClosed(2 * MS);
    runUntil(2 * MS, 3 * HELLO_TIMEOUT);
    assertEquals(UpstreamState.CONNECTING, link.watch().state(), "not taken for a Python station while closed");
    assertEquals(List.of(), changes);
    sent.clear();
    link.connectionOpened(3 * HELLO_TIMEOUT);
    assertEquals(1, pings);
    assertEquals(List.of("SMQ_HELLO"), keysSent());
    link.heardFrom(3 * HELLO_TIMEOUT + MS);
    runUntil(3 * HELLO_TIMEOUT + MS, 4 * HELLO_TIMEOUT + MS + 1);
    assertEquals(UpstreamState.LEGACY, link.watch().state());
    assertEquals(List.of(), events, "never lost: it was never judged");
  }

  @Test
  void aStationmqUpstreamIsLeftToHeartbeatsWhenItsConnectionCloses() {
    link.tick(0);
    link.onMessage(helloReply("b1"), 1 * MS);
    assertEquals(0, watches, "a stationmq upstream's connection is not watched");
    sent.clear();
    link.connectionClosed(2 * MS);
    link.connectionOpened(3 * MS);
    assertEquals(UpstreamState.CONNECTED, link.watch().state());
    assertEquals(List.of("connected"), events);
    assertEquals(0, pings);
    assertEquals(List.of(), keysSent());
  }
}
