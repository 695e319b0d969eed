package io.stationmq.netnode;

import static io.stationmq.netnode.LivenessProtocol.HEARTBEAT;
import static io.stationmq.netnode.LivenessProtocol.HEARTBEAT_ACK;
import static io.stationmq.netnode.LivenessProtocol.HELLO;
import static io.stationmq.netnode.LivenessProtocol.HELLO_REPLY;
import static io.stationmq.netnode.LivenessProtocol.PROTOCOL;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream half of liveness: one endpoint's state machine towards the Station it connects
 * to. It says HELLO at start and until it is answered, heartbeats once answered, notices a
 * silent upstream and re-establishes the connection, and says HELLO again when the upstream
 * answers again or restarted. Owned by the socket thread; not thread-safe. Time comes in as
 * nanoseconds on every call, so every decision is testable with a fake clock.
 *
 * <p>A HELLO is repeated with a doubling interval (from {@code helloTimeout} up to {@link
 * #MAX_HELLO_RETRY_NANOS}) until answered, so one lost HELLO never leaves the endpoint unknown
 * to its Station. An upstream that has not answered within {@code helloTimeout} is taken for a
 * Python station (which answers no HELLO): it gets no heartbeats (a Python station logs an
 * error for every key it has no listen for), only the rare repeated HELLO. An answer that comes
 * late, from a Station slower than the timeout, is accepted whenever it comes, and heartbeats
 * start then. An upstream that has answered nothing at all (not even the connection ping) is
 * not judged: its HELLO timeout starts again when it first answers.
 *
 * <p>A Station that is not the one named answers a HELLO with an {@code SMQ_UNREACHABLE}
 * notice naming itself: the link reports the id it has ({@link UpstreamState#WRONG_ID}) and
 * keeps saying HELLO (backing off), so a Station with the right id at that address is still
 * found. Every change of the {@link UpstreamState} goes to {@link UpstreamWatch} and to the
 * listener's {@code upstreamChanged}.
 *
 * <p>A Python upstream gets no heartbeats; its TCP connection tells ({@link #connectionClosed},
 * {@link #connectionOpened}, from JeroMQ's socket monitor, set up once the upstream is taken
 * for a Python station: it costs file descriptors). When it closes, the upstream is
 * {@link UpstreamState#LOST}; once a connection is back the link pings and says HELLO (it also
 * reconnects once per tolerance while lost: JeroMQ does not after a protocol error), and judges
 * it anew: LEGACY, or CONNECTED if a stationmq Station answers. The wire sees a ping and a HELLO,
 * as on every connect. A stationmq upstream's connection events are ignored: heartbeats judge it.
 */
final class UpstreamLink {
  /** The longest interval between two HELLOs to an upstream that does not answer. */
  static final long MAX_HELLO_RETRY_NANOS = 60_000_000_000L;

  private static final Logger log = LoggerFactory.getLogger(UpstreamLink.class);

  /** What the upstream half needs of the sockets (called on the socket thread). */
  interface Wire {
    void toUpstream(Message m);

    /** Drops and re-establishes the upstream connection. */
    void reconnectUpstream();

    /** Stops sending upstream: the upstream refused this endpoint. */
    void refuseUpstream(String reason);

    /** Connects upstream to another address (a search picked it). */
    void retargetUpstream(String address);

    /** Sends the connection ping (an empty frame) upstream, as on connect. */
    void pingUpstream();

    /** Reports the upstream connection's closes and reconnections from now on (idempotent). */
    void watchConnection();
  }

  /** {@code LEGACY_LOST}: the connection to a Python upstream closed; published as {@link UpstreamState#LOST}. */
  enum State { NONE, HELLO_SENT, CONNECTED, LEGACY, LEGACY_LOST, LOST, MISNAMED, REFUSED }

  /** HELLO ids remembered, to recognise a notice about one of them. */
  private static final int HELLO_IDS = 8;

  private final String id;
  private final String role;
  private final String instance = UUID.randomUUID().toString();
  private final String upstreamId;
  private String endpoint;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final long helloTimeoutNanos;
  private final Consumer<Consumer<EndpointListener>> events;
  private final Supplier<String> ids;
  private final Wire wire;
  private final Supplier<Set<String>> listens;
  private Supplier<ClockOffset> heartbeatClock = ClockOffset::unknown;

  private State state = State.NONE;
  private String upstreamBoot;
  private long helloPhaseStart;
  private long helloRetryNanos;
  private long nextHello;
  private long lastHeard;
  private long nextHeartbeat;
  private long heartbeatSeq;
  private long heartbeatSentNanos;
  private long rttMicros = -1;
  private long lastReconnect;
  private boolean everConnected;
  private boolean awaitingReply;
  private boolean everHeard;
  private boolean connectionDown; // the socket monitor's last word: the upstream connection closed
  private boolean helloOwed; // a Python upstream's connection closed: ping and HELLO once it is back
  private boolean pingQueued; // a reconnect since it closed queued a ping for the next connection
  private boolean takenForPython; // judged LEGACY and not answered HELLO since, through losses included
  private final ArrayDeque<String> helloIds = new ArrayDeque<>();
  private final UpstreamWatch watch;
  private UpstreamState published = UpstreamState.CONNECTING;
  private UpstreamLocator locator; // discovery: null when the address is fixed
  private String target; // the address a locator picked, null before the first
  private boolean retargeted;

  UpstreamLink(String id, String role, String upstreamId, String endpoint, long intervalNanos, int tolerance,
      long helloTimeoutNanos, Consumer<Consumer<EndpointListener>> events, Supplier<String> ids, Wire wire,
      Supplier<Set<String>> listens) {
    this.id = id;
    this.role = role;
    this.upstreamId = upstreamId;
    this.endpoint = endpoint;
    this.watch = new UpstreamWatch(upstreamId);
    this.intervalNanos = intervalNanos;
    this.toleranceNanos = intervalNanos * tolerance;
    this.helloTimeoutNanos = helloTimeoutNanos;
    this.events = events;
    this.ids = ids;
    this.wire = wire;
    this.listens = listens;
    LivenessProtocol.hostName(); // looked up here, on the caller's thread, not in the first HELLO on the loop
  }

  State state() {
    return state;
  }

  /** The clock offset estimate every heartbeat carries; called on the socket thread. */
  void heartbeatClock(Supplier<ClockOffset> clock) {
    this.heartbeatClock = clock;
  }

  /** Takes the upstream's address from {@code locator} from now on (discovery, bootstrap addresses). */
  void locate(UpstreamLocator locator) {
    this.locator = locator;
  }

  /** Connects to {@code address}, picked by the locator, and starts over with HELLO. */
  private void retarget(String address, long now) {
    log.info("{}: trying upstream '{}' at {}", id, upstreamId, address);
    target = address;
    endpoint = address;
    wire.retargetUpstream(address);
    retargeted = everConnected;
    state = State.NONE;
    everHeard = false;
    awaitingReply = false;
    helloOwed = false;
    takenForPython = false;
    upstreamBoot = null;
    lastHeard = now;
    lastReconnect = now;
    publish("trying " + address);
  }

  /** The state as other threads see it. */
  UpstreamWatch watch() {
    return watch;
  }

  /** This run's instance id, sent in HELLO and heartbeats. */
  String instance() {
    return instance;
  }

  /** Says HELLO and schedules the next one; starts a HELLO phase when not already in one. */
  void hello(long now) {
    if (state == State.REFUSED) {
      return;
    }
    if (!awaitingReply) {
      awaitingReply = true;
      helloPhaseStart = now;
      helloRetryNanos = helloTimeoutNanos;
    }
    if (state == State.NONE || state == State.LOST) {
      state = State.HELLO_SENT;
    }
    Message hello = notice(HELLO, LivenessProtocol.Hello.of(id, instance, role, List.copyOf(listens.get())).toValue());
    if (helloIds.size() == HELLO_IDS) {
      helloIds.removeFirst();
    }
    helloIds.addLast(hello.id());
    helloOwed = false;
    wire.toUpstream(hello);
    nextHello = now + helloRetryNanos;
    helloRetryNanos = Math.min(MAX_HELLO_RETRY_NANOS, helloRetryNanos * 2);
    nextHeartbeat = now + intervalNanos;
  }

  /** Any frames from the upstream. */
  void heardFrom(long now) {
    lastHeard = now;
    if (!everHeard) {
      everHeard = true;
      if (state == State.LEGACY) {
        // Nothing answered until now (a slow first connection): its answer to HELLO may still come.
        state = State.HELLO_SENT;
        helloPhaseStart = now;
      }
    }
    if (state == State.LOST) {
      log.info("{}: upstream '{}' answers again", id, upstreamId);
      events.accept(listener -> listener.upstreamBack(upstreamId, "answers again"));
      hello(now);
      publish("answers again; HELLO sent");
    } else if (state == State.LEGACY_LOST) {
      log.info("{}: upstream '{}' answers again; judging it anew", id, upstreamId);
      events.accept(listener -> listener.upstreamBack(upstreamId, "answers again"));
      state = State.HELLO_SENT;
      if (helloOwed) {
        freshHello(now); // heard before the monitor told of the connection
      }
      helloPhaseStart = now; // its HELLO timeout runs from its first answer, as on a first connect
      publish("answers again; HELLO sent");
    }
  }

  /** The upstream connection closed (socket monitor): a Python upstream is lost; heartbeats judge others. */
  void connectionClosed(long now) {
    connectionDown = true;
    if (state == State.LEGACY || state == State.LEGACY_LOST) {
      helloOwed = true; // HELLO on the next connection (LEGACY_LOST: closed again before anything answered)
    }
    if (state != State.LEGACY || !everHeard) {
      return; // a stationmq upstream is left to heartbeats; one that never answered has nothing to lose
    }
    state = State.LEGACY_LOST;
    lastReconnect = now;
    pingQueued = false;
    String reason = "connection to " + endpoint + " closed";
    log.warn("{}: upstream '{}' (taken for a Python station) lost: {}; reconnecting", id, upstreamId, reason);
    events.accept(listener -> listener.upstreamLost(upstreamId, reason));
    publish(reason);
  }

  /** A connection is up: after a Python upstream's closed, ping and say HELLO now, not at the backed-off one. */
  void connectionOpened(long now) {
    connectionDown = false;
    if (helloOwed && state != State.REFUSED) {
      if (!pingQueued) {
        wire.pingUpstream(); // its echo tells that something answers, as on a first connect
      }
      pingQueued = false;
      freshHello(now);
    }
  }

  /** Says HELLO in a new HELLO phase: its timeout and back-off start over. */
  private void freshHello(long now) {
    awaitingReply = false;
    hello(now);
  }

  /**
   * Handles HELLO_REPLY and HEARTBEAT_ACK from the upstream; true when consumed. One that names
   * another sender was relayed by the upstream from some other peer: consumed and ignored, so
   * no stray can refuse this endpoint on its upstream's behalf.
   */
  boolean onMessage(Message m, long now) {
    if ((m.key().equals(HEARTBEAT_ACK) || m.key().equals(HELLO_REPLY)) && !m.sender().equals(upstreamId)) {
      return true;
    }
    if (m.key().equals(HEARTBEAT_ACK)) {
      LivenessProtocol.HeartbeatAck ack = LivenessProtocol.HeartbeatAck.from(m.valueNode());
      if (ack.seq() == heartbeatSeq - 1) {
        rttMicros = (now - heartbeatSentNanos) / 1_000;
      }
      String theirBoot = ack.boot();
      if (upstreamBoot != null && theirBoot != null && !theirBoot.equals(upstreamBoot)) {
        log.info("{}: upstream '{}' restarted; saying HELLO again", id, upstreamId);
        upstreamBoot = theirBoot;
        events.accept(listener -> listener.upstreamBack(upstreamId, "restarted"));
        hello(now);
      } else if (state == State.HELLO_SENT && upstreamBoot == null && theirBoot != null) {
        hello(now); // acknowledged before the HELLO arrived: say it again
      }
      return true;
    }
    if (m.key().equals(Keys.UNREACHABLE)) {
      return onUnreachable(m.valueNode());
    }
    if (!m.key().equals(HELLO_REPLY)) {
      return false;
    }
    onHelloReply(LivenessProtocol.HelloReply.from(m.valueNode()), now);
    return true;
  }

  /**
   * A notice that one of this link's HELLOs could not be passed on: the Station at the address
   * is not {@code upstreamId} and names itself in it. True when the notice was about a HELLO
   * (consumed); other notices are the engine's.
   */
  private boolean onUnreachable(JsonNode v) {
    if (!helloIds.contains(v.path("id").asText(""))) {
      return false;
    }
    String actual = v.path("station").asText(null);
    boolean aboutUs = upstreamId.equals(v.path("to").asText(null)) && actual != null && !actual.equals(upstreamId);
    if (!aboutUs || state == State.CONNECTED || state == State.REFUSED || state == State.MISNAMED) {
      return true; // answered meanwhile, or already reported
    }
    state = State.MISNAMED;
    String reason = "the Station at " + endpoint + " is '" + actual + "', not '" + upstreamId + "'";
    log.warn("{}: {}: nothing addressed to '{}' arrives there; give '{}' as the upstream id", id, reason, upstreamId,
        actual);
    publish(reason, actual);
    return true;
  }

  private void onHelloReply(LivenessProtocol.HelloReply reply, long now) {
    if (!reply.ok()) {
      String target = reply.instance();
      if (target == null || !target.equals(instance)) {
        return; // a refusal of another endpoint that shares our id reached us (or of no one): not ours
      }
      refused(reply.reason() + ": " + reply.message());
      return;
    }
    int protocol = reply.protocol();
    if (protocol != PROTOCOL) {
      refused("incompatible_protocol: upstream '" + upstreamId + "' speaks protocol " + protocol + "; '" + id
          + "' speaks " + PROTOCOL);
      return;
    }
    if (state == State.REFUSED) {
      return;
    }
    upstreamBoot = reply.boot();
    lastHeard = now;
    awaitingReply = false;
    if (state == State.LEGACY) {
      log.info("{}: upstream '{}' answered HELLO after {} ms; heartbeats start", id, upstreamId,
          (now - helloPhaseStart) / 1_000_000);
    }
    takenForPython = false;
    if (state != State.CONNECTED) {
      state = State.CONNECTED;
      nextHeartbeat = now + intervalNanos;
      if (!everConnected) {
        everConnected = true;
        events.accept(listener -> listener.upstreamConnected(upstreamId));
      } else if (retargeted) {
        String where = "found at " + endpoint;
        events.accept(listener -> listener.upstreamBack(upstreamId, where));
      }
      retargeted = false;
      publish("answered HELLO");
    }
  }

  private void refused(String reason) {
    state = State.REFUSED;
    log.error("{}: upstream '{}' refused this endpoint: {}", id, upstreamId, reason);
    wire.refuseUpstream(reason);
    events.accept(listener -> listener.upstreamRefused(upstreamId, reason));
    publish(reason);
  }

  private void publish(String reason) {
    publish(reason, null);
  }

  /** Tells the watch and the listener when the public state changed. */
  private void publish(String reason, String actualId) {
    UpstreamState now = switch (state) {
      case NONE, HELLO_SENT -> UpstreamState.CONNECTING;
      case LEGACY -> everHeard ? UpstreamState.LEGACY : UpstreamState.CONNECTING;
      case CONNECTED -> UpstreamState.CONNECTED;
      case LOST, LEGACY_LOST -> UpstreamState.LOST;
      case MISNAMED -> UpstreamState.WRONG_ID;
      case REFUSED -> UpstreamState.REFUSED;
    };
    watch.python(takenForPython);
    if (now == published) {
      return;
    }
    published = now;
    watch.publish(now, reason, actualId);
    events.accept(listener -> listener.upstreamChanged(upstreamId, now, reason));
  }

  /** Sends what is due: HELLO (first or repeated), heartbeats; notices silence. */
  void tick(long now) {
    if (locator != null && state != State.REFUSED) {
      String next = locator.target(now, published == UpstreamState.CONNECTED || published == UpstreamState.LEGACY);
      if (next != null && !next.equals(target)) {
        retarget(next, now);
      }
      if (target == null) {
        return; // nothing to say HELLO to yet
      }
    }
    if (state == State.NONE || (awaitingReply && saysHello() && now >= nextHello)) {
      hello(now);
    }
    switch (state) {
      case HELLO_SENT, LEGACY -> {
        if (state == State.HELLO_SENT && !everConnected && now - helloPhaseStart >= helloTimeoutNanos) {
          state = State.LEGACY;
          if (connectionDown && everHeard) {
            everHeard = false; // it answered, then its connection closed: judged once it answers again
            helloOwed = true;
          }
          if (everHeard) {
            takenForPython = true;
            wire.watchConnection(); // its only sign of loss from now on
            log.info("{}: upstream '{}' does not answer HELLO; taking it for a Python station (no heartbeats) "
                + "until it answers", id, upstreamId);
            publish("answers at " + endpoint + ", but not HELLO: taken for a Python station");
          } else {
            log.info("{}: nothing answers at {} (upstream '{}') yet; still trying", id, endpoint, upstreamId);
          }
        }
        if (state == State.HELLO_SENT && everConnected && now - lastHeard > toleranceNanos
            && now - lastReconnect > toleranceNanos) {
          reconnect(now); // it answered once, then fell silent again while we said HELLO
        }
      }
      case CONNECTED, LOST -> {
        if (now >= nextHeartbeat) {
          var beat = new LivenessProtocol.Heartbeat(heartbeatSeq++, instance, rttMicros, heartbeatClock.get());
          heartbeatSentNanos = now;
          wire.toUpstream(notice(HEARTBEAT, beat.toValue()));
          nextHeartbeat = now + intervalNanos;
        }
        if (state == State.CONNECTED && now - lastHeard > toleranceNanos) {
          state = State.LOST;
          String reason = "silent for " + toleranceNanos / 1_000_000 + " ms";
          log.warn("{}: upstream '{}' lost: {}; reconnecting", id, upstreamId, reason);
          events.accept(listener -> listener.upstreamLost(upstreamId, reason));
          publish(reason);
          reconnect(now);
        } else if (state == State.LOST && now - lastReconnect > toleranceNanos) {
          reconnect(now);
        }
      }
      case LEGACY_LOST -> {
        if (now - lastReconnect > toleranceNanos) {
          reconnect(now); // JeroMQ reconnects by itself, except after a protocol error (an oversize frame)
          pingQueued = true;
        }
      }
      case NONE, MISNAMED, REFUSED -> { }
      default -> throw new IllegalStateException(state.toString());
    }
  }

  private void reconnect(long now) {
    lastReconnect = now;
    wire.reconnectUpstream();
  }

  /** Nanoseconds until {@link #tick} has something to do; never 0 twice for the same reason. */
  long nanosUntilNextTick(long now) {
    long next = switch (state) {
      case NONE -> now;
      case HELLO_SENT -> everConnected
          ? Math.max(lastHeard, lastReconnect) + toleranceNanos + 1
          : helloPhaseStart + helloTimeoutNanos;
      case LEGACY, MISNAMED, REFUSED -> Long.MAX_VALUE;
      case CONNECTED -> Math.min(nextHeartbeat, lastHeard + toleranceNanos + 1);
      case LOST -> Math.min(nextHeartbeat, lastReconnect + toleranceNanos + 1);
      case LEGACY_LOST -> lastReconnect + toleranceNanos + 1;
    };
    if (awaitingReply && saysHello()) {
      next = Math.min(next, nextHello);
    }
    if (locator != null && state != State.REFUSED) {
      long search = locator.nanosUntilNext(now);
      next = target == null ? (search == Long.MAX_VALUE ? Long.MAX_VALUE : now + search)
          : Math.min(next, search == Long.MAX_VALUE ? Long.MAX_VALUE : now + search);
    }
    return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - now);
  }

  /** False while HELLO is wasted: refused, or a Python upstream's connection closed (HELLO goes when it is back). */
  private boolean saysHello() {
    return state != State.REFUSED && state != State.LEGACY_LOST;
  }

  private Message notice(String key, Object value) {
    return LivenessProtocol.notice(ids.get(), id, upstreamId, key, value);
  }
}
