package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * HELLO, heartbeats and the directory of one endpoint: the engine's one handle on its two
 * halves, the {@link PeerDirectory} of the peers on its ROUTER and the {@link UpstreamLink} to
 * the Station it connects to. Owned by the socket thread; {@link #directory()} may be called
 * from any thread. The keys are stationmq's own (a Python peer sends none and ignores them).
 */
final class Liveness implements UpstreamMonitor.Events {
  /** How long a DEAD, or a silent UNKNOWN, peer stays in the directory at least. */
  static final Duration MIN_RETENTION = Duration.ofMinutes(1);

  /** What liveness needs of the engine's sockets (all called on the socket thread). */
  interface Wire extends PeerDirectory.Wire, UpstreamLink.Wire {}

  private final PeerDirectory peers;
  private final UpstreamLink upstream;
  private final ClockSync clock;

  Liveness(EngineConfig config, Notifier notifier, Supplier<String> ids, Wire wire, Supplier<Set<String>> listens,
      LongAdder handovers, ClockSync clock) {
    this.clock = clock;
    long interval = config.options().heartbeatInterval().toNanos();
    int tolerance = config.options().livenessTolerance();
    long retention = Math.max(MIN_RETENTION.toNanos(), 10 * interval * tolerance);
    String role = config.forwarding() ? "station" : "node";
    this.upstream = config.upstreamId() == null ? null
        : new UpstreamLink(config.id(), role, config.upstreamId(), config.upstreamConnect(), interval, tolerance,
            config.options().helloTimeout().toNanos(), notifier::run, ids, wire, listens);
    if (upstream != null && config.search() != null) { // discovery: the address comes from a search
      upstream.locate(new UpstreamLocator(config.id(), config.upstreamId(), config.search(), notifier::run));
    }
    if (upstream != null && clock != null) {
      upstream.heartbeatClock(clock::offset); // the Station's directory shows each node's offset
    }
    // The boot id the directory sends in acknowledgements tells a restarted endpoint from a
    // reconnected one; this run's instance id serves.
    String boot = upstream != null ? upstream.instance() : java.util.UUID.randomUUID().toString();
    this.peers = new PeerDirectory(config.id(), boot, interval, tolerance, retention, notifier::run, ids, wire,
        () -> config.options().wallClock().epochNanos() / 1_000_000, handovers);
  }

  /** Frames from {@code identity} over the connection from {@code address} (see {@link PeerDirectory#heardFrom}). */
  void heardFrom(String identity, String address, long now) {
    peers.heardFrom(identity, address, now);
  }

  boolean onPeerMessage(String identity, Message m) {
    return peers.onMessage(identity, m);
  }

  void heardFromUpstream(long now) {
    if (upstream != null) {
      upstream.heardFrom(now);
    }
  }

  @Override
  public void connectionClosed(long now) {
    if (upstream != null) {
      upstream.connectionClosed(now);
    }
  }

  @Override
  public void connectionOpened(long now) {
    if (upstream != null) {
      upstream.connectionOpened(now);
    }
  }

  boolean onUpstreamMessage(Message m, long now) {
    return upstream != null && upstream.onMessage(m, now);
  }

  void tick(long now) {
    if (upstream != null) {
      upstream.tick(now);
      if (clock != null) {
        clock.tick(now, upstream.state() == UpstreamLink.State.CONNECTED);
      }
    }
    peers.check(now);
  }

  long nanosUntilNextTick(long now) {
    long next = peers.nanosUntilNextCheck(now);
    if (upstream == null) {
      return next;
    }
    next = Math.min(next, upstream.nanosUntilNextTick(now));
    return clock == null ? next : Math.min(next, clock.nanosUntilNextTick(now));
  }

  /** True when {@code identity} is in the directory (connected lately, or still connected). */
  boolean knows(String identity) {
    return identity != null && peers.knows(identity);
  }

  /** True when {@code identity} said HELLO as a node (see {@link PeerDirectory#isNode}). */
  boolean isNode(String identity) {
    return peers.isNode(identity);
  }

  /** True when {@code identity} said HELLO: a stationmq endpoint, not a Python one. */
  boolean saidHello(String identity) {
    return peers.saidHello(identity);
  }

  /** The upstream's state for other threads; null without an upstream. */
  UpstreamWatch upstreamWatch() {
    return upstream == null ? null : upstream.watch();
  }

  List<DirectoryEntry> directory() {
    return peers.directory();
  }
}
