package io.stationmq.netnode;

import static io.stationmq.netnode.LivenessProtocol.HEARTBEAT;
import static io.stationmq.netnode.LivenessProtocol.HEARTBEAT_ACK;
import static io.stationmq.netnode.LivenessProtocol.HELLO;
import static io.stationmq.netnode.LivenessProtocol.HELLO_REPLY;
import static io.stationmq.netnode.LivenessProtocol.PROTOCOL;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * start then.
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
  }

  enum State { NONE, HELLO_SENT, CONNECTED, LEGACY, LOST, REFUSED }

  private final String id;
  private final String role;
  private final String instance = UUID.randomUUID().toString();
  private final String upstreamId;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final long helloTimeoutNanos;
  private final Consumer<Consumer<EndpointListener>> events;
  private final Supplier<String> ids;
  private final Wire wire;
  private final Supplier<Set<String>> listens;

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

  UpstreamLink(String id, String role, String upstreamId, long intervalNanos, int tolerance, long helloTimeoutNanos,
      Consumer<Consumer<EndpointListener>> events, Supplier<String> ids, Wire wire, Supplier<Set<String>> listens) {
    this.id = id;
    this.role = role;
    this.upstreamId = upstreamId;
    this.intervalNanos = intervalNanos;
    this.toleranceNanos = intervalNanos * tolerance;
    this.helloTimeoutNanos = helloTimeoutNanos;
    this.events = events;
    this.ids = ids;
    this.wire = wire;
    this.listens = listens;
  }

  State state() {
    return state;
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
    wire.toUpstream(notice(HELLO, helloValue()));
    nextHello = now + helloRetryNanos;
    helloRetryNanos = Math.min(MAX_HELLO_RETRY_NANOS, helloRetryNanos * 2);
    nextHeartbeat = now + intervalNanos;
  }

  private Map<String, Object> helloValue() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("protocol", PROTOCOL);
    v.put("id", id);
    v.put("instance", instance);
    v.put("role", role);
    v.put("software", LivenessProtocol.SOFTWARE);
    v.put("listens", List.copyOf(listens.get()));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("host", LivenessProtocol.hostName());
    v.put("meta", meta);
    return v;
  }

  /** Any frames from the upstream. */
  void heardFrom(long now) {
    lastHeard = now;
    if (state == State.LOST) {
      log.info("{}: upstream '{}' answers again", id, upstreamId);
      events.accept(listener -> listener.upstreamBack(upstreamId, "answers again"));
      hello(now);
    }
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
      JsonNode v = m.valueNode();
      if (v.path("seq").asLong(-1) == heartbeatSeq - 1) {
        rttMicros = (now - heartbeatSentNanos) / 1_000;
      }
      String theirBoot = v.path("boot").asText(null);
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
    if (!m.key().equals(HELLO_REPLY)) {
      return false;
    }
    onHelloReply(m.valueNode(), now);
    return true;
  }

  private void onHelloReply(JsonNode v, long now) {
    if (!v.path("ok").asBoolean(false)) {
      String target = v.path("instance").asText(null);
      if (target == null || !target.equals(instance)) {
        return; // a refusal of another endpoint that shares our id reached us (or of no one): not ours
      }
      refused(v.path("reason").asText("refused") + ": " + v.path("message").asText(""));
      return;
    }
    int protocol = v.path("protocol").asInt(0);
    if (protocol != PROTOCOL) {
      refused("incompatible_protocol: upstream '" + upstreamId + "' speaks protocol " + protocol + "; '" + id
          + "' speaks " + PROTOCOL);
      return;
    }
    if (state == State.REFUSED) {
      return;
    }
    upstreamBoot = v.path("boot").asText(null);
    lastHeard = now;
    awaitingReply = false;
    if (state == State.LEGACY) {
      log.info("{}: upstream '{}' answered HELLO after {} ms; heartbeats start", id, upstreamId,
          (now - helloPhaseStart) / 1_000_000);
    }
    if (state != State.CONNECTED) {
      state = State.CONNECTED;
      nextHeartbeat = now + intervalNanos;
      if (!everConnected) {
        everConnected = true;
        events.accept(listener -> listener.upstreamConnected(upstreamId));
      }
    }
  }

  private void refused(String reason) {
    state = State.REFUSED;
    log.error("{}: upstream '{}' refused this endpoint: {}", id, upstreamId, reason);
    wire.refuseUpstream(reason);
    events.accept(listener -> listener.upstreamRefused(upstreamId, reason));
  }

  /** Sends what is due: HELLO (first or repeated), heartbeats; notices silence. */
  void tick(long now) {
    if (state == State.NONE || (awaitingReply && state != State.REFUSED && now >= nextHello)) {
      hello(now);
    }
    switch (state) {
      case HELLO_SENT, LEGACY -> {
        if (state == State.HELLO_SENT && !everConnected && now - helloPhaseStart >= helloTimeoutNanos) {
          state = State.LEGACY;
          log.info("{}: upstream '{}' does not answer HELLO; taking it for a Python station (no heartbeats) "
              + "until it answers", id, upstreamId);
        }
        if (state == State.HELLO_SENT && everConnected && now - lastHeard > toleranceNanos
            && now - lastReconnect > toleranceNanos) {
          reconnect(now); // it answered once, then fell silent again while we said HELLO
        }
      }
      case CONNECTED, LOST -> {
        if (now >= nextHeartbeat) {
          Map<String, Object> v = new LinkedHashMap<>();
          v.put("seq", heartbeatSeq++);
          v.put("instance", instance);
          v.put("rtt_us", rttMicros);
          heartbeatSentNanos = now;
          wire.toUpstream(notice(HEARTBEAT, v));
          nextHeartbeat = now + intervalNanos;
        }
        if (state == State.CONNECTED && now - lastHeard > toleranceNanos) {
          state = State.LOST;
          String reason = "silent for " + toleranceNanos / 1_000_000 + " ms";
          log.warn("{}: upstream '{}' lost: {}; reconnecting", id, upstreamId, reason);
          events.accept(listener -> listener.upstreamLost(upstreamId, reason));
          reconnect(now);
        } else if (state == State.LOST && now - lastReconnect > toleranceNanos) {
          reconnect(now);
        }
      }
      case NONE, REFUSED -> { }
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
      case LEGACY, REFUSED -> Long.MAX_VALUE;
      case CONNECTED -> Math.min(nextHeartbeat, lastHeard + toleranceNanos + 1);
      case LOST -> Math.min(nextHeartbeat, lastReconnect + toleranceNanos + 1);
    };
    if (awaitingReply && state != State.REFUSED) {
      next = Math.min(next, nextHello);
    }
    return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - now);
  }

  private Message notice(String key, Object value) {
    return LivenessProtocol.notice(ids.get(), id, upstreamId, key, value);
  }
}
