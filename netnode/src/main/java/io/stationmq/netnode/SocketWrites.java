package io.stationmq.netnode;

import io.stationmq.message.Envelope;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageIds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything one endpoint writes to its sockets, as its parts see it: the {@code Wire} of
 * {@link Routes}, {@link Intake}, {@link Delivery} and {@link Liveness}, the endpoint's own
 * messages ({@link #sendOwn}), and a Station's {@code SMQ_DROPPED} notices. Owns the {@link
 * PeerWriter} (writes waiting for a full peer) and the {@link DropReports}.
 *
 * <p>Every write is non-blocking: a write to a full peer waits in that peer's own queue and
 * counts as accepted; liveness traffic and ping echoes never wait (and are dropped, counted,
 * when the peer is full). A message that cannot go anywhere is counted, logged (rate-limited)
 * and reported to the listener, never silently lost.
 *
 * <p>Confined to the socket loop, except {@link #writer()}, which callers use (see {@link
 * PeerWriter}). Not public API.
 */
final class SocketWrites implements Routes.Wire, Intake.Wire, Delivery.Wire, Liveness.Wire {
  /** Writes that may wait for one full peer before more for it are dropped (see PeerWriter). */
  private static final int MAX_WAITING_PER_PEER = 10_000;
  private static final long MAX_WAITING_BYTES_PER_PEER = 16L << 20;

  private final String id;
  private final EngineConfig config;
  private final EndpointSockets sockets;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private final Notifier notifier;
  private final MessageIds ids;
  private final PeerWriter writer;
  private final DropReports dropReports; // a Station's; null on a node
  private final long startedNanos;
  // Set once by attach(): they need this class to be built.
  private Routes routes;
  private Liveness liveness;
  private Delivery delivery;

  SocketWrites(EngineConfig config, EndpointSockets sockets, Counters counters, RateLimitedLog warnings,
      Notifier notifier, MessageIds ids) {
    this.id = config.id();
    this.config = config;
    this.sockets = sockets;
    this.counters = counters;
    this.warnings = warnings;
    this.notifier = notifier;
    this.ids = ids;
    this.startedNanos = config.options().ticker().read();
    this.writer = new PeerWriter(id, sockets::sendNow, config.options().sendTimeout().toNanos(), MAX_WAITING_PER_PEER,
        MAX_WAITING_BYTES_PER_PEER, counters, warnings);
    this.dropReports = config.forwarding() ? new DropReports(id, TimeUnit.SECONDS.toNanos(1), 1_000) : null;
    if (dropReports != null) {
      writer.onDrop((peer, frames, reason, now) -> dropReports.droppedWrite(peer, frames, reason, now,
          liveness::saidHello));
    }
  }

  /** Connects the parts built on this wire. */
  void attach(Routes routes, Liveness liveness, Delivery delivery) {
    this.routes = routes;
    this.liveness = liveness;
    this.delivery = delivery;
  }

  /** The writes waiting for full peers (callers count them against their send queue). */
  PeerWriter writer() {
    return writer;
  }

  // ------------------------------------------------------------------ timers

  /** Retries the writes waiting for full peers. */
  void retryWaiting(long now) {
    writer.retry(now);
  }

  /** Tells each producer what was dropped of its messages since the last report (a Station, once a second). */
  void reportDrops(long now) {
    if (dropReports == null) {
      return;
    }
    for (Map.Entry<String, Notices.Dropped> due : dropReports.due(now)) {
      Message notice = due.getValue().toMessage(ids.next(), due.getKey());
      routes.send(notice, MessageCodec.encode(notice), Route.AUTO); // a notice lost here is counted as a drop
    }
  }

  /** Nanoseconds until a waiting write is retried (there is no event for "this peer has room") or drops are reported. */
  long nanosUntilNext(long now) {
    long next = writer.nanosUntilRetry(now);
    return dropReports == null ? next : Math.min(next, dropReports.nanosUntilDue(now));
  }

  /** Drops every waiting write (closing). */
  void dropWaiting() {
    writer.dropAll();
  }

  // ------------------------------------------------------------------ own messages

  /** Sends this endpoint's own message: a confirmed one through {@link Delivery}. */
  void sendOwn(CallerSends.Outgoing o) {
    if (o.pending() != null) {
      delivery.send(o.pending(), o.body());
      return;
    }
    if (routes.send(o.message(), o.body(), o.route()) == Routes.Result.UNREACHABLE) {
      counters.unreachable.increment();
      warnings.warn("{}: no route to '{}'; message {} not sent", id, o.message().to(), o.message().id());
      notifier.unreachable(o.message().to(), o.message().id(), "no connection or route");
    }
  }

  // ------------------------------------------------------------------ Routes.Wire

  @Override
  public Routes.Result toRouter(List<byte[]> frames) {
    return write(false, frames);
  }

  @Override
  public Routes.Result toUpstream(List<byte[]> frames) {
    return write(true, frames);
  }

  @Override
  public boolean saidHello(String identity) {
    return liveness.saidHello(identity);
  }

  /** Writes all frames without blocking (see {@link PeerWriter}). */
  private Routes.Result write(boolean upstream, List<byte[]> frames) {
    if (upstream ? !sockets.hasUpstream() || sockets.upstreamRefused() : !sockets.hasRouter()) {
      return Routes.Result.UNREACHABLE;
    }
    String peer = upstream ? config.upstreamId() : new String(frames.get(0), StandardCharsets.UTF_8);
    return switch (writer.write(upstream, peer, frames, config.options().ticker().read())) {
      case ACCEPTED -> Routes.Result.OK;
      case DROPPED -> Routes.Result.DROPPED;
      case UNREACHABLE -> Routes.Result.UNREACHABLE;
    };
  }

  // ------------------------------------------------------------------ Intake.Wire, Delivery.Wire

  @Override
  public void echo(List<byte[]> frames) {
    // Best effort, never waiting: a peer that pinged and vanished can look full for a while.
    PeerWriter.Status echoed = sockets.sendNow(false, frames);
    if (echoed == PeerWriter.Status.SENT) {
      counters.sent.increment();
    } else if (echoed == PeerWriter.Status.FULL) {
      counters.dropped.increment();
    }
  }

  @Override
  public Routes.Result back(String via, String to, byte[] body) {
    if (via != null && !via.equals(to) && !liveness.saidHello(via)) {
      // A Python station takes whatever reaches its pusher as addressed to itself, and a
      // second frame makes it fail: it cannot pass this on to 'to', so it is not sent.
      counters.unreachable.increment();
      warnings.warn("{}: not sending a message for '{}' through '{}': a Python station cannot pass it on",
          id, to, via);
      return Routes.Result.UNREACHABLE;
    }
    return routes.back(via, to, body);
  }

  @Override
  public Routes.Result send(Message m, byte[] body, Route route) {
    return routes.send(m, body, route);
  }

  /**
   * True when {@code peer} may connect within a ttl: it was connected lately (it is in the
   * directory), or this endpoint started too recently to know its peers.
   */
  @Override
  public boolean mayComeBack(String peer) {
    if (sockets.upstreamRefused() && !sockets.hasRouter()) {
      return false;
    }
    EndpointOptions options = config.options();
    return liveness.knows(peer) || options.ticker().read() - startedNanos < options.reconnectGrace().toNanos();
  }

  // ------------------------------------------------------------------ Liveness.Wire

  /*
   * Liveness traffic (HELLO, heartbeats) never waits for a full peer, and is counted apart from
   * EndpointStats#sent(), which counts message traffic.
   */

  @Override
  public void toPeer(String identity, Message m) {
    sockets.sendNow(false, routes.toPeer(identity, MessageCodec.encode(m)));
  }

  @Override
  public void toUpstream(Message m) {
    sockets.sendNow(true, Envelope.toUpstream(config.upstreamId(), m.to(), MessageCodec.encode(m)));
  }

  @Override
  public void reconnectUpstream() {
    sockets.reconnectUpstream();
  }

  @Override
  public void refuseUpstream(String reason) {
    sockets.refuseUpstream();
  }

  @Override
  public void retargetUpstream(String address) { // discovery: a search picked another candidate
    sockets.retargetUpstream(address);
  }

  @Override
  public void pingUpstream() {
    sockets.pingUpstream();
  }

  @Override
  public void watchConnection() {
    sockets.watchUpstreamConnection();
  }
}
