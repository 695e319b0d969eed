package io.stationmq.netnode;

import static io.stationmq.netnode.LivenessProtocol.HEARTBEAT;
import static io.stationmq.netnode.LivenessProtocol.HEARTBEAT_ACK;
import static io.stationmq.netnode.LivenessProtocol.HELLO;
import static io.stationmq.netnode.LivenessProtocol.HELLO_REPLY;
import static io.stationmq.netnode.LivenessProtocol.PROTOCOL;

import io.stationmq.message.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream half of liveness: the directory of the peers on this endpoint's ROUTER. Every
 * frame refreshes the sender's entry; a peer that said HELLO is judged by its heartbeats
 * (SUSPECT after two intervals of silence, so one late heartbeat on a loaded machine is not
 * a missed one; DEAD after the tolerance), one that did
 * not (a Python peer) stays UNKNOWN. A new instance replacing the old one is a restart; two
 * instances alternating on one id are two endpoints claiming it: the newer is refused, loudly
 * on both sides, so the first keeps its id.
 *
 * <p>Bounded: an entry that is DEAD, or UNKNOWN and silent, is forgotten after {@code
 * retention}, and at most {@link #MAX_GONE} such entries are kept (the longest silent go
 * first), so short-lived or hostile identities cannot grow the directory without bound.
 *
 * <p>Owned by the socket thread, except {@link #directory()}, which any thread may call.
 * Every event is reported with the entry as it was when the event happened. Time comes in as
 * nanoseconds on every call, so every decision is testable with a fake clock.
 */
final class PeerDirectory {
  /** The most DEAD or UNKNOWN entries kept at once. */
  static final int MAX_GONE = 1_000;

  private static final Logger log = LoggerFactory.getLogger(PeerDirectory.class);

  /** What the directory needs of the ROUTER (called on the socket thread). */
  interface Wire {
    void toPeer(String identity, Message m);
  }

  private final String id;
  private final String boot;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final long retentionNanos;
  private final Consumer<Consumer<EndpointListener>> events;
  private final Supplier<String> ids;
  private final Wire wire;
  private final LongSupplier wallMillis;
  /** Every line a peer can cause (joins, refusals, leaves): hostile identities cannot flood the log. */
  private final RateLimitedLog peerLog = new RateLimitedLog(log, 10, 10_000_000_000L);
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private long nextCheck;
  private final LongAdder handovers;

  PeerDirectory(String id, String boot, long intervalNanos, int tolerance, long retentionNanos,
      Consumer<Consumer<EndpointListener>> events, Supplier<String> ids, Wire wire, LongSupplier wallMillis,
      LongAdder handovers) {
    this.id = id;
    this.handovers = handovers;
    this.boot = boot;
    this.intervalNanos = intervalNanos;
    this.toleranceNanos = intervalNanos * tolerance;
    this.retentionNanos = retentionNanos;
    this.events = events;
    this.ids = ids;
    this.wire = wire;
    this.wallMillis = wallMillis;
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
    volatile long connectedSinceMillis;
    volatile long lastSeenMillis;
    volatile long lastSeenNanos;
    volatile long rttMicros = -1;
    volatile PeerStatus status = PeerStatus.UNKNOWN;
    volatile long messages;
    volatile String address;
    volatile ClockOffset clock = ClockOffset.unknown();

    Entry(String identity, long now, long wallMillis) {
      this.identity = identity;
      this.lastSeenNanos = now;
      this.connectedSinceMillis = wallMillis;
      this.lastSeenMillis = wallMillis;
    }

    DirectoryEntry snapshot() {
      return new DirectoryEntry(identity, role, instance, software, protocol, listens, meta,
          Instant.ofEpochMilli(connectedSinceMillis), Instant.ofEpochMilli(lastSeenMillis), rttMicros, status, messages, address,
          clock);
    }

    boolean gone() {
      return status == PeerStatus.DEAD || status == PeerStatus.UNKNOWN;
    }
  }

  /** Any frames from a ROUTER peer, its connection's address unknown; see {@link #heardFrom(String, String, long)}. */
  void heardFrom(String identity, long now) {
    heardFrom(identity, null, now);
  }

  /**
   * Any frames from a ROUTER peer, over the connection from {@code address} (null when
   * unknown): refreshes (or creates) its entry, and notes the connection (see {@link
   * #connectedFrom}).
   */
  void heardFrom(String identity, String address, long now) {
    Entry e = entries.get(identity);
    long wall = wallMillis.getAsLong();
    if (e == null) {
      e = new Entry(identity, now, wall);
      e.address = address;
      e.messages++;
      entries.put(identity, e);
      DirectoryEntry snap = e.snapshot();
      events.accept(listener -> listener.peerJoined(snap));
      return;
    }
    noteAddress(e, address); // first: a peer coming back from DEAD is no takeover
    e.lastSeenNanos = now;
    e.lastSeenMillis = wall;
    e.messages++;
    if (e.status == PeerStatus.DEAD) {
      e.connectedSinceMillis = wall;
      if (e.instance == null) {
        e.status = PeerStatus.UNKNOWN;
        DirectoryEntry snap = e.snapshot();
        events.accept(listener -> listener.peerJoined(snap));
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

  /**
   * The connection (ZeroMQ's peer address) {@code identity}'s frames came by. An id that moves
   * to another connection while it is alive here is a quick reconnect, or another endpoint
   * taking over the id: ZeroMQ hands an id to its newest connection, and the old one's messages
   * go to the new one from then on. Either way it is counted and logged with both addresses,
   * so a takeover is never silent (with CURVE, ids are also pinned to keys).
   */
  void connectedFrom(String identity, String address) {
    Entry e = entries.get(identity);
    if (e != null) {
      noteAddress(e, address);
    }
  }

  private void noteAddress(Entry e, String address) {
    if (address == null) {
      return;
    }
    String identity = e.identity;
    String before = e.address;
    e.address = address;
    if (before == null || before.equals(address) || e.status == PeerStatus.DEAD) {
      return;
    }
    handovers.increment();
    peerLog.warn("{}: '{}' now connects from {} (was {}) while {}: a quick reconnect, or another endpoint "
        + "taking over its id; messages for '{}' go to the new connection", id, identity, address, before,
        e.status, identity);
  }

  /** Handles HELLO and HEARTBEAT from a ROUTER peer (ignoring one it relays); true when consumed. */
  boolean onMessage(String identity, Message m) {
    if (LivenessProtocol.isHopByHop(m.key()) && !m.sender().equals(identity)) {
      // Relayed by the peer (a Python station passes on what a node below it addressed to
      // the wrong upstream): it is not about the peer, and answering it would confuse both.
      peerLog.warn("{}: ignored {} from '{}' relayed by '{}'", id, m.key(), m.sender(), identity);
      return true;
    }
    if (m.key().equals(HEARTBEAT)) {
      onHeartbeat(identity, m);
      return true;
    }
    if (!m.key().equals(HELLO)) {
      return false;
    }
    LivenessProtocol.Hello hello = LivenessProtocol.Hello.from(m.valueNode(), identity);
    String claimed = hello.id();
    int protocol = hello.protocol();
    if (protocol != PROTOCOL) {
      refuse(identity, claimed, hello.instance(), "incompatible_protocol",
          "'" + claimed + "' speaks protocol " + protocol + "; '" + id + "' speaks " + PROTOCOL);
      return true;
    }
    Entry e = entries.computeIfAbsent(identity, k -> new Entry(k, 0, wallMillis.getAsLong()));
    String newInstance = hello.instance();
    if (newInstance != null && refuseIfDuplicate(identity, e, newInstance)) {
      return true;
    }
    String previous = e.instance;
    boolean rejoined = e.rejoinPending;
    e.rejoinPending = false;
    if (previous != null && !previous.equals(newInstance) && !rejoined) {
      e.previousInstance = previous; // a restart, unless the previous one speaks again
    }
    e.role = hello.role();
    e.instance = newInstance;
    e.software = hello.software();
    e.protocol = protocol;
    e.listens = hello.listens();
    e.meta = Map.<String, Object>copyOf(hello.meta());
    PeerStatus before = e.status;
    e.status = PeerStatus.ALIVE;
    wire.toPeer(identity, notice(identity, HELLO_REPLY, LivenessProtocol.HelloReply.accepted(id, boot).toValue()));
    DirectoryEntry snap = e.snapshot();
    if (rejoined || (previous != null && !previous.equals(e.instance))) {
      peerLog.info("{}: '{}' joined again (instance {} -> {})", id, identity, previous, e.instance);
      events.accept(listener -> listener.peerJoined(snap));
    } else if (before != PeerStatus.ALIVE) {
      events.accept(listener -> listener.peerStatusChanged(snap, before, "said HELLO"));
    }
    return true;
  }

  private void onHeartbeat(String identity, Message m) {
    Entry e = entries.get(identity);
    LivenessProtocol.Heartbeat beat = LivenessProtocol.Heartbeat.from(m.valueNode(), wallMillis.getAsLong() * 1_000_000);
    String from = beat.instance();
    if (e != null && from != null && refuseIfDuplicate(identity, e, from)) {
      return;
    }
    if (e != null) {
      e.rttMicros = beat.rttMicros();
      e.clock = beat.clock();
      if (e.rejoinPending && from != null && from.equals(e.instance)) {
        e.rejoinPending = false;
        DirectoryEntry snap = e.snapshot();
        events.accept(listener -> listener.peerJoined(snap));
      }
    }
    wire.toPeer(identity, notice(identity, HEARTBEAT_ACK, new LivenessProtocol.HeartbeatAck(beat.seq(), boot).toValue()));
  }

  /**
   * Detects two endpoints claiming one id: the instance that replaced another speaks while the
   * replaced one speaks again. Refuses the newer (the one that came second) whenever it speaks;
   * true when this message was from a refused instance.
   */
  private boolean refuseIfDuplicate(String identity, Entry e, String from) {
    if (from.equals(e.refusedInstance)) {
      refuse(identity, identity, from, "duplicate_id", "another endpoint (instance " + e.instance
          + ") was already connected to '" + id + "' as '" + identity + "'; a second endpoint may not use the same id");
      return true;
    }
    if (e.previousInstance != null && from.equals(e.previousInstance) && e.instance != null) {
      // The first one is alive after all: the newer instance is a duplicate, not a restart.
      e.refusedInstance = e.instance;
      e.instance = e.previousInstance;
      e.previousInstance = null;
      peerLog.error("{}: two endpoints claim the id '{}' (instances {} and {}); refusing the newer", id, identity,
          e.instance, e.refusedInstance);
      String refused = e.refusedInstance;
      events.accept(listener -> listener.peerRefused(identity, "duplicate_id: instance " + refused
          + " claims an id already in use"));
    }
    return false;
  }

  private void refuse(String identity, String claimed, String instance, String reason, String message) {
    peerLog.error("{}: refused '{}': {}", id, claimed, message);
    wire.toPeer(identity, notice(identity, HELLO_REPLY,
        LivenessProtocol.HelloReply.refused(id, instance, reason, message).toValue()));
    if (!reason.equals("duplicate_id")) { // a duplicate was reported once, when detected
      events.accept(listener -> listener.peerRefused(claimed, reason + ": " + message));
    }
  }

  private void changeStatus(Entry e, PeerStatus to, String reason) {
    PeerStatus from = e.status;
    e.status = to;
    DirectoryEntry snap = e.snapshot();
    if (to == PeerStatus.DEAD) {
      peerLog.warn("{}: '{}' left: {}", id, e.identity, reason);
      events.accept(listener -> listener.peerLeft(snap, reason));
    } else {
      events.accept(listener -> listener.peerStatusChanged(snap, from, reason));
    }
  }

  /** Judges every peer by its silence, and forgets the long gone; runs every quarter interval. */
  void check(long now) {
    if (now < nextCheck) {
      return;
    }
    nextCheck = now + intervalNanos / 4;
    peerLog.flush();
    int gone = 0;
    for (Entry e : entries.values()) {
      long silent = now - e.lastSeenNanos;
      if (e.gone() && silent > retentionNanos) {
        entries.remove(e.identity);
        continue;
      }
      if (e.gone()) {
        gone++;
      }
      if (e.instance == null || e.status == PeerStatus.DEAD) {
        continue; // no heartbeat contract (a Python peer), or already gone
      }
      if (silent > toleranceNanos) {
        changeStatus(e, PeerStatus.DEAD, "silent for " + silent / 1_000_000 + " ms");
        gone++;
      } else if (silent > 2 * intervalNanos && e.status == PeerStatus.ALIVE) {
        changeStatus(e, PeerStatus.SUSPECT, "missed a heartbeat (silent for " + silent / 1_000_000 + " ms)");
      }
    }
    if (gone > MAX_GONE) {
      entries.values().stream().filter(Entry::gone).sorted(Comparator.comparingLong((Entry e) -> e.lastSeenNanos))
          .limit(gone - MAX_GONE).toList().forEach(e -> entries.remove(e.identity));
    }
  }

  /** Nanoseconds until {@link #check} is due. */
  long nanosUntilNextCheck(long now) {
    return Math.max(0, nextCheck - now);
  }

  /** A snapshot of the directory, sorted by id; any thread. */
  List<DirectoryEntry> directory() {
    List<DirectoryEntry> list = new ArrayList<>();
    entries.values().forEach(e -> list.add(e.snapshot()));
    list.sort(Comparator.comparing(DirectoryEntry::id));
    return list;
  }

  /** True when {@code identity} said HELLO (a stationmq endpoint; a Python one never does). */
  boolean saidHello(String identity) {
    Entry e = entries.get(identity);
    return e != null && e.instance != null;
  }

  /**
   * True when {@code identity} said HELLO as a node: it sends only its own messages (a node
   * passes nothing on), so its sender need not be read to learn a route.
   */
  boolean isNode(String identity) {
    Entry e = entries.get(identity);
    return e != null && e.instance != null && "node".equals(e.role);
  }

  boolean knows(String identity) {
    return entries.containsKey(identity);
  }

  int size() {
    return entries.size();
  }

  private Message notice(String to, String key, Object value) {
    return LivenessProtocol.notice(ids.get(), id, to, key, value);
  }
}
