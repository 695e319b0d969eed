package io.stationmq.netnode.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.PeerStatus;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HELLO, heartbeats and the directory of one endpoint (new keys only: a Python peer sends none
 * of them and ignores them). Owned by the socket thread; {@link #directory()} may be called
 * from any thread.
 *
 * <p>Downstream (peers on this endpoint's ROUTER): every message refreshes the peer's entry; a
 * peer that said HELLO is judged by its heartbeats (SUSPECT after one missed interval, DEAD
 * after the tolerance), one that did not (a Python peer) stays UNKNOWN. Heartbeats carry the
 * sender's instance (a random id per run). A new instance replacing the old one is a restart;
 * two instances alternating on one id are two endpoints claiming it: the newer is refused,
 * loudly on both sides, and told so the next time it speaks, so the first keeps its id. They
 * alternate because a ROUTER hands an identity to its newest connection and leaves the
 * displaced one unread; the displaced endpoint's upstream falls silent, and an endpoint whose
 * upstream is silent for the tolerance re-establishes its connection (which also heals a
 * half-open connection after a network fault).
 *
 * <p>Upstream: HELLO at start and whenever the upstream answers again or restarted (its boot
 * id changes); heartbeats every interval; lost after the tolerance of silence.
 */
final class Liveness {
  static final int PROTOCOL = 1;
  static final String SOFTWARE = "stationmq 0.1.0";
  static final String HELLO = "SMQ_HELLO";
  static final String HELLO_REPLY = "SMQ_HELLO_REPLY";
  static final String HEARTBEAT = "SMQ_HEARTBEAT";
  static final String HEARTBEAT_ACK = "SMQ_HEARTBEAT_ACK";

  private static final Logger log = LoggerFactory.getLogger(Liveness.class);

  /** What liveness needs of the engine's sockets (all called on the socket thread). */
  interface Wire {
    void toPeer(String identity, Message m);

    void toUpstream(Message m);

    /** Drops and re-establishes the upstream connection. */
    void reconnectUpstream();

    /** Stops sending upstream: the upstream refused this endpoint. */
    void refuseUpstream(String reason);
  }

  private enum Upstream { NONE, HELLO_SENT, CONNECTED, LEGACY, LOST, REFUSED }

  private final String id;
  private final String role;
  private final String instance = UUID.randomUUID().toString();
  private final String boot = instance;
  private final String upstreamId;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final long helloTimeoutNanos;
  private final Notifier notifier;
  private final Supplier<String> ids;
  private final Wire wire;
  private final Supplier<Set<String>> listens;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private Upstream upstream = Upstream.NONE;
  private String upstreamBoot;
  private long helloSentNanos;
  private long lastHeardUpstream;
  private long nextHeartbeat;
  private long nextCheck;
  private long heartbeatSeq;
  private long heartbeatSentNanos;
  private long upstreamRttMicros = -1;
  private long lastReconnect;
  private boolean everConnected;

  Liveness(EngineConfig config, Notifier notifier, Supplier<String> ids, Wire wire, Supplier<Set<String>> listens) {
    this.id = config.id();
    this.role = config.forwarding() ? "station" : "node";
    this.upstreamId = config.upstreamId();
    this.intervalNanos = config.options().heartbeatInterval().toNanos();
    this.toleranceNanos = intervalNanos * config.options().livenessTolerance();
    this.helloTimeoutNanos = config.options().helloTimeout().toNanos();
    this.notifier = notifier;
    this.ids = ids;
    this.wire = wire;
    this.listens = listens;
  }

  /** A peer's state; written by the socket thread, read by directory snapshots. */
  private static final class Entry {
    final String identity;
    volatile String role = "unknown";
    volatile String instance;
    String previousInstance;
    String refusedInstance;
    boolean rejoinPending;
    volatile String software;
    volatile int protocol;
    volatile List<String> listens = List.of();
    volatile Map<String, Object> meta = Map.of();
    volatile long connectedSinceMillis = System.currentTimeMillis();
    volatile long lastSeenMillis = connectedSinceMillis;
    volatile long lastSeenNanos;
    volatile long rttMicros = -1;
    volatile PeerStatus status = PeerStatus.UNKNOWN;
    volatile long messages;

    Entry(String identity, long now) {
      this.identity = identity;
      this.lastSeenNanos = now;
    }

    DirectoryEntry snapshot() {
      return new DirectoryEntry(identity, role, instance, software, protocol, listens, meta,
          Instant.ofEpochMilli(connectedSinceMillis), Instant.ofEpochMilli(lastSeenMillis), rttMicros, status, messages);
    }
  }

  // ------------------------------------------------------------------ downstream (ROUTER peers)

  /** Any frames from a ROUTER peer: refreshes (or creates) its entry. */
  void heardFrom(String identity, long now) {
    Entry e = entries.get(identity);
    if (e == null) {
      e = new Entry(identity, now);
      entries.put(identity, e);
      e.messages++;
      notifier.run(listener -> listener.peerJoined(entries.get(identity).snapshot()));
      return;
    }
    e.lastSeenNanos = now;
    e.lastSeenMillis = System.currentTimeMillis();
    e.messages++;
    if (e.status == PeerStatus.DEAD) {
      e.connectedSinceMillis = e.lastSeenMillis;
      if (e.instance == null) {
        e.status = PeerStatus.UNKNOWN;
        DirectoryEntry snap = e.snapshot();
        notifier.run(listener -> listener.peerJoined(snap));
      } else {
        // Joined again, but as which instance? Its HELLO or heartbeat will tell; report then.
        e.status = PeerStatus.ALIVE;
        e.previousInstance = null; // it was dead: whatever comes next is no duplicate of it
        e.rejoinPending = true;
      }
    } else if (e.status == PeerStatus.SUSPECT) {
      changeStatus(e, PeerStatus.ALIVE, "heard from again");
    }
  }

  /** Handles HELLO and HEARTBEAT from a ROUTER peer; true when consumed. */
  boolean onPeerMessage(String identity, Message m) {
    if (m.key().equals(HEARTBEAT)) {
      Entry e = entries.get(identity);
      String from = m.valueNode().path("instance").asText(null);
      if (e != null && from != null && refuseIfDuplicate(identity, e, from)) {
        return true;
      }
      if (e != null) {
        e.rttMicros = m.valueNode().path("rtt_us").asLong(-1);
        if (e.rejoinPending && from != null && from.equals(e.instance)) {
          e.rejoinPending = false;
          DirectoryEntry snap = e.snapshot();
          notifier.run(listener -> listener.peerJoined(snap));
        }
      }
      Map<String, Object> ack = new LinkedHashMap<>();
      ack.put("seq", m.valueNode().path("seq").asLong());
      ack.put("boot", boot);
      wire.toPeer(identity, notice(identity, HEARTBEAT_ACK, ack));
      return true;
    }
    if (!m.key().equals(HELLO)) {
      return false;
    }
    JsonNode hello = m.valueNode();
    String claimed = hello.path("id").asText(identity);
    int protocol = hello.path("protocol").asInt(0);
    if (protocol != PROTOCOL) {
      refusePeer(identity, claimed, hello.path("instance").asText(null), "incompatible_protocol",
          "'" + claimed + "' speaks protocol " + protocol + "; '" + id + "' speaks " + PROTOCOL);
      return true;
    }
    Entry e = entries.computeIfAbsent(identity, k -> new Entry(k, 0));
    String newInstance = hello.path("instance").asText(null);
    if (newInstance != null && refuseIfDuplicate(identity, e, newInstance)) {
      return true;
    }
    String previous = e.instance;
    boolean rejoined = e.rejoinPending;
    e.rejoinPending = false;
    if (previous != null && !previous.equals(newInstance) && !rejoined) {
      e.previousInstance = previous; // a restart, unless the previous one speaks again
    }
    e.role = hello.path("role").asText("unknown");
    e.instance = hello.path("instance").asText(null);
    e.software = hello.path("software").asText(null);
    e.protocol = protocol;
    List<String> keys = new ArrayList<>();
    hello.path("listens").forEach(k -> keys.add(k.asText()));
    e.listens = List.copyOf(keys);
    Map<String, Object> meta = new LinkedHashMap<>();
    hello.path("meta").fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
    e.meta = Map.copyOf(meta);
    PeerStatus before = e.status;
    e.status = PeerStatus.ALIVE;
    wire.toPeer(identity, notice(identity, HELLO_REPLY, accepted()));
    DirectoryEntry snap = e.snapshot();
    if (rejoined || (previous != null && !previous.equals(e.instance))) {
      log.info("{}: '{}' joined again (instance {} -> {})", id, identity, previous, e.instance);
      notifier.run(listener -> listener.peerJoined(snap));
    } else if (before != PeerStatus.ALIVE) {
      notifier.run(listener -> listener.peerStatusChanged(snap, before, "said HELLO"));
    }
    return true;
  }

  /**
   * Detects two endpoints claiming one id: the instance that replaced another speaks while the
   * replaced one speaks again. Refuses the newer (the one that came second) whenever it speaks;
   * true when this message was from a refused instance.
   */
  private boolean refuseIfDuplicate(String identity, Entry e, String from) {
    if (from.equals(e.refusedInstance)) {
      refusePeer(identity, identity, from, "duplicate_id", "another endpoint (instance " + e.instance
          + ") was already connected to '" + id + "' as '" + identity + "'; a second endpoint may not use the same id");
      return true;
    }
    if (e.previousInstance != null && from.equals(e.previousInstance) && e.instance != null) {
      // The first one is alive after all: the newer instance is a duplicate, not a restart.
      e.refusedInstance = e.instance;
      e.instance = e.previousInstance;
      e.previousInstance = null;
      log.error("{}: two endpoints claim the id '{}' (instances {} and {}); refusing the newer", id, identity,
          e.instance, e.refusedInstance);
      String refused = e.refusedInstance;
      notifier.run(listener -> listener.peerRefused(identity, "duplicate_id: instance " + refused
          + " claims an id already in use"));
    }
    return false;
  }

  private Map<String, Object> accepted() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("ok", true);
    v.put("id", id);
    v.put("protocol", PROTOCOL);
    v.put("software", SOFTWARE);
    v.put("boot", boot);
    return v;
  }

  private void refusePeer(String identity, String claimed, String instance, String reason, String message) {
    log.error("{}: refused '{}': {}", id, claimed, message);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("ok", false);
    v.put("instance", instance);
    v.put("id", id);
    v.put("protocol", PROTOCOL);
    v.put("reason", reason);
    v.put("message", message);
    wire.toPeer(identity, notice(identity, HELLO_REPLY, v));
    if (!reason.equals("duplicate_id")) { // a duplicate was reported once, when detected
      notifier.run(listener -> listener.peerRefused(claimed, reason + ": " + message));
    }
  }

  private void changeStatus(Entry e, PeerStatus to, String reason) {
    PeerStatus from = e.status;
    e.status = to;
    DirectoryEntry snap = e.snapshot();
    if (to == PeerStatus.DEAD) {
      log.warn("{}: '{}' left: {}", id, e.identity, reason);
      notifier.run(listener -> listener.peerLeft(snap, reason));
    } else {
      notifier.run(listener -> listener.peerStatusChanged(snap, from, reason));
    }
  }

  /** A snapshot of the directory, any thread. */
  List<DirectoryEntry> directory() {
    List<DirectoryEntry> list = new ArrayList<>();
    entries.values().forEach(e -> list.add(e.snapshot()));
    list.sort((a, b) -> a.id().compareTo(b.id()));
    return list;
  }

  // ------------------------------------------------------------------ upstream

  /** Says HELLO to the upstream (at start, and again whenever it answers again or restarted). */
  void hello(long now) {
    if (upstreamId == null || upstream == Upstream.REFUSED) {
      return;
    }
    wire.toUpstream(notice(upstreamId, HELLO, helloValue()));
    helloSentNanos = now;
    if (upstream == Upstream.NONE || upstream == Upstream.LOST) {
      upstream = Upstream.HELLO_SENT;
    }
    nextHeartbeat = now + intervalNanos;
  }

  private Map<String, Object> helloValue() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("protocol", PROTOCOL);
    v.put("id", id);
    v.put("instance", instance);
    v.put("role", role);
    v.put("software", SOFTWARE);
    v.put("listens", List.copyOf(listens.get()));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("host", hostName());
    v.put("meta", meta);
    return v;
  }

  /** Any frames from the upstream. */
  void heardFromUpstream(long now) {
    lastHeardUpstream = now;
    if (upstream == Upstream.LOST) {
      upstream = Upstream.HELLO_SENT;
      log.info("{}: upstream '{}' answers again", id, upstreamId);
      notifier.run(listener -> listener.upstreamBack(upstreamId, "answers again"));
      hello(now);
    }
  }

  /** Handles HELLO_REPLY and HEARTBEAT_ACK from the upstream; true when consumed. */
  boolean onUpstreamMessage(Message m, long now) {
    if (m.key().equals(HEARTBEAT_ACK)) {
      JsonNode v = m.valueNode();
      if (v.path("seq").asLong(-1) == heartbeatSeq - 1) {
        upstreamRttMicros = (now - heartbeatSentNanos) / 1_000;
      }
      String theirBoot = v.path("boot").asText(null);
      if (upstreamBoot != null && theirBoot != null && !theirBoot.equals(upstreamBoot)) {
        log.info("{}: upstream '{}' restarted; saying HELLO again", id, upstreamId);
        upstreamBoot = theirBoot;
        notifier.run(listener -> listener.upstreamBack(upstreamId, "restarted"));
        hello(now);
      } else if (upstream == Upstream.HELLO_SENT && upstreamBoot == null && theirBoot != null) {
        hello(now); // acknowledged before the HELLO arrived: say it again
      }
      return true;
    }
    if (!m.key().equals(HELLO_REPLY)) {
      return false;
    }
    onHelloReply(m.valueNode());
    return true;
  }

  private void onHelloReply(JsonNode v) {
    if (!v.path("ok").asBoolean(false)) {
      String target = v.path("instance").asText(null);
      if (target != null && !target.equals(instance)) {
        return; // a refusal of another endpoint that shares our id reached us: not ours
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
    upstreamBoot = v.path("boot").asText(null);
    if (upstream != Upstream.CONNECTED) {
      upstream = Upstream.CONNECTED;
      if (!everConnected) {
        everConnected = true;
        notifier.run(listener -> listener.upstreamConnected(upstreamId));
      }
    }
  }

  private void refused(String reason) {
    upstream = Upstream.REFUSED;
    log.error("{}: upstream '{}' refused this endpoint: {}", id, upstreamId, reason);
    wire.refuseUpstream(reason);
    notifier.run(listener -> listener.upstreamRefused(upstreamId, reason));
  }

  // ------------------------------------------------------------------ timers

  /** Heartbeats, HELLO timeouts and status checks that are due. */
  void tick(long now) {
    if (upstreamId != null && upstream != Upstream.REFUSED) {
      if (upstream == Upstream.NONE) {
        hello(now);
      }
      // Heartbeats only to an upstream that answered HELLO: a Python station logs an error for
      // every key it has no listen for, so it gets nothing but the HELLO (and the probe's).
      boolean speaksHello = upstream == Upstream.CONNECTED || upstream == Upstream.LOST;
      if (speaksHello && now >= nextHeartbeat) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("seq", heartbeatSeq++);
        v.put("instance", instance);
        v.put("rtt_us", upstreamRttMicros);
        heartbeatSentNanos = now;
        wire.toUpstream(notice(upstreamId, HEARTBEAT, v));
        nextHeartbeat = now + intervalNanos;
      }
      if (upstream == Upstream.HELLO_SENT && !everConnected && now - helloSentNanos > helloTimeoutNanos) {
        upstream = Upstream.LEGACY;
        log.info("{}: upstream '{}' does not answer HELLO; taking it for a Python station", id, upstreamId);
      }
      if (upstream == Upstream.CONNECTED && now - lastHeardUpstream > toleranceNanos) {
        upstream = Upstream.LOST;
        String reason = "silent for " + toleranceNanos / 1_000_000 + " ms";
        log.warn("{}: upstream '{}' lost: {}; reconnecting", id, upstreamId, reason);
        notifier.run(listener -> listener.upstreamLost(upstreamId, reason));
        lastReconnect = now;
        wire.reconnectUpstream();
      } else if (upstream == Upstream.LOST && now - lastReconnect > toleranceNanos) {
        lastReconnect = now;
        wire.reconnectUpstream();
      }
    }
    if (now >= nextCheck) {
      nextCheck = now + intervalNanos / 4;
      for (Entry e : entries.values()) {
        if (e.instance == null || e.status == PeerStatus.DEAD) {
          continue; // no heartbeat contract (a Python peer), or already gone
        }
        long silent = now - e.lastSeenNanos;
        if (silent > toleranceNanos) {
          changeStatus(e, PeerStatus.DEAD, "silent for " + silent / 1_000_000 + " ms");
        } else if (silent > intervalNanos + intervalNanos / 2 && e.status == PeerStatus.ALIVE) {
          changeStatus(e, PeerStatus.SUSPECT, "missed a heartbeat (silent for " + silent / 1_000_000 + " ms)");
        }
      }
    }
  }

  /** Nanoseconds until the next tick is due. */
  long nanosUntilNextTick(long now) {
    long next = nextCheck;
    if (upstreamId != null && upstream != Upstream.REFUSED) {
      next = Math.min(next, nextHeartbeat);
    }
    return Math.max(0, next - now);
  }

  private Message notice(String to, String key, Object value) {
    return Message.builder().id(ids.get()).to(to).sender(id).key(key).valueTree(MessageCodec.toJson(value))
        .flag(Flags.NOREPEAT).build();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
