package io.stationmq.netnode;

import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.ZError;
import zmq.io.Metadata;

/**
 * The ZeroMQ sockets of one endpoint: a ROUTER bound for peers (a Station's listener, a
 * NetNode's optional router port) and a DEALER connected upstream (a NetNode's upstream, a
 * Station's pusher), with their options, reads, non-blocking writes and close. A secured
 * endpoint's own context and {@link CurveGuard} live here too.
 *
 * <p>Confined to the endpoint's socket loop thread: every method runs there. Writes never
 * block ({@code DONTWAIT}); a full peer is the {@link PeerWriter}'s business.
 */
final class EndpointSockets {
  private final EngineConfig config;
  private final EndpointOptions options;
  private final String id;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private final ZContext sharedContext;
  private final List<SelectionKey> keys = new ArrayList<>(2);

  private ZContext ownContext; // a secured endpoint's; others use the shared one
  private CurveGuard curve; // CURVE hook: null without EndpointOptions.security()
  private ZMQ.Socket router;
  private ZMQ.Socket dealer;
  private String routerPeerAddress;
  private boolean upstreamRefused;
  private String upstreamAddress; // where the DEALER connects now; null while a search has found nothing
  private UpstreamMonitor.Events upstreamEvents; // where the DEALER's connection events go; null: not watched
  private UpstreamMonitor upstreamMonitor; // from the first watchUpstreamConnection() on
  private SocketLoop loop;
  private SocketLoop.Client client;

  EndpointSockets(EngineConfig config, Counters counters, RateLimitedLog warnings, ZContext sharedContext) {
    this.config = config;
    this.options = config.options();
    this.id = config.id();
    this.counters = counters;
    this.warnings = warnings;
    this.sharedContext = sharedContext;
    this.upstreamAddress = config.search() == null ? config.upstreamConnect() : null;
  }

  /** Where the upstream DEALER's connection events go once {@link #watchUpstreamConnection} is called. */
  void watchUpstream(UpstreamMonitor.Events events) {
    this.upstreamEvents = events;
  }

  /**
   * Watches the upstream DEALER's connection from now on ({@link UpstreamMonitor}; idempotent).
   * Only when asked (a Python upstream): its two sockets cost about 8 file descriptors. Not on a
   * secured endpoint: its DEALER's monitor is the {@link CurveGuard}'s (JeroMQ allows one).
   */
  void watchUpstreamConnection() {
    if (upstreamMonitor == null && upstreamEvents != null && curve == null && dealer != null && loop != null) {
      try {
        upstreamMonitor = UpstreamMonitor.open(id, sharedContext, dealer, loop, client, upstreamEvents, options.ticker());
      } catch (RuntimeException e) { // the endpoint goes on without it, as before
        upstreamEvents = null;
        warnings.warn("{}: cannot watch the upstream connection ({}): a Python upstream's lost connection goes unnoticed",
            id, e.toString());
      }
    }
  }

  /**
   * Binds and connects, and registers the sockets with {@code loop} for {@code client}.
   *
   * @throws IllegalStateException when a socket cannot be bound or connected
   */
  void open(SocketLoop loop, SocketLoop.Client client) {
    this.loop = loop;
    this.client = client;
    if (options.security() != null) {
      ownContext = new ZContext(1); // its ZAP handler binds a context-wide address
      JeromqFailures.report(ownContext, id, warnings);
      curve = CurveGuard.open(ownContext, config, counters); // CURVE hook: ZAP handler, before any socket
      ownContext.setLinger((int) options.linger().toMillis());
    }
    if (config.routerBind() != null) {
      router = newSocket(SocketType.ROUTER);
      router.setRouterMandatory(true);
      // Handover: a peer's new connection takes its identity over at once (a restart, or JeroMQ
      // re-establishing a connection). Two endpoints claiming one id are caught by liveness.
      router.setRouterHandover(true);
      try {
        router.bind(config.routerBind());
      } catch (ZMQException e) {
        throw new IllegalStateException("cannot bind ROUTER on " + config.routerBind() + ": " + BindFailure.explain(config.routerBind(), e.getErrorCode()), e);
      }
      keys.add(loop.register(router.getFD(), client));
    }
    if (config.upstreamConnect() != null) {
      dealer = newSocket(SocketType.DEALER);
      if (upstreamAddress != null) {
        try {
          dealer.connect(upstreamAddress);
        } catch (ZMQException e) {
          throw new IllegalStateException("cannot connect to " + upstreamAddress + ": " + ZError.toString(e.getErrorCode()), e);
        }
      }
      keys.add(loop.register(dealer.getFD(), client));
      if (upstreamAddress != null) {
        // A ping makes the upstream register this endpoint before it sends anything (PROTOCOL.md 4.1).
        pingUpstream();
      }
    }
  }

  private ZMQ.Socket newSocket(SocketType type) {
    ZMQ.Socket s = (ownContext != null ? ownContext : sharedContext).createSocket(type);
    s.setIdentity(id.getBytes(StandardCharsets.UTF_8));
    s.setLinger((int) options.linger().toMillis());
    s.setSndHWM(options.highWaterMark());
    s.setRcvHWM(options.highWaterMark());
    FrameLimit.apply(s, options); // a peer's frame header must not size JeroMQ's allocations
    if (curve != null) {
      curve.configure(s, type); // CURVE hook: server (ROUTER) or client (DEALER) keys
    }
    s.setHandshakeIvl((int) options.handshakeInterval().toMillis());
    s.setReconnectIVL(100);
    s.setReconnectIVLMax(2_000);
    // ZMTP heartbeats tear down a connection whose peer vanished without closing it (power
    // loss, a cable), so its id is free again for the peer's next run.
    int heartbeatMillis = (int) options.heartbeatInterval().toMillis();
    s.setHeartbeatIvl(heartbeatMillis);
    s.setHeartbeatTimeout(heartbeatMillis * options.livenessTolerance());
    return s;
  }

  /** The port the ROUTER is bound to, or -1 without a ROUTER. */
  int routerPort() {
    if (router == null) {
      return -1;
    }
    String endpoint = router.getLastEndpoint();
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }

  boolean hasRouter() {
    return router != null;
  }

  boolean hasUpstream() {
    return dealer != null;
  }

  /** The connection metadata last read on the ROUTER, and its peer address (socket thread). */
  private Metadata lastMetadata;
  private String lastMetadataAddress;

  /**
   * The next message on the ROUTER, or null; notes the address of the connection it came by
   * (ZeroMQ's Peer-Address property, see {@link #lastPeerAddress}), so that an id moving to
   * another connection is seen. With CURVE, the id is pinned to its key first.
   */
  List<byte[]> readRouter() {
    if (curve != null) {
      return curve.receive(router); // CURVE hook: id pinned to key
    }
    Msg first = router.recvMsg(ZMQ.DONTWAIT);
    if (first == null) {
      return null;
    }
    List<byte[]> frames = new ArrayList<>(4);
    frames.add(first.data());
    String address = null;
    boolean more = first.hasMore();
    while (more) {
      Msg m = router.recvMsg(0);
      frames.add(m.data());
      Metadata metadata = m.getMetadata();
      if (address == null && metadata != null) {
        // One metadata object per connection: its address is looked up once, not per message.
        if (metadata != lastMetadata) {
          lastMetadata = metadata;
          lastMetadataAddress = metadata.get(Metadata.PEER_ADDRESS);
        }
        address = lastMetadataAddress;
      }
      more = m.hasMore();
    }
    routerPeerAddress = address;
    return frames;
  }

  /** The address of the connection the last ROUTER message came by, if known. */
  String lastPeerAddress() {
    return curve != null ? curve.lastPeerAddress() : routerPeerAddress;
  }

  /** The next message from upstream, or null. */
  List<byte[]> readUpstream() {
    byte[] first = dealer.recv(ZMQ.DONTWAIT);
    if (first == null) {
      return null;
    }
    if (!dealer.hasReceiveMore()) {
      return List.of(first);
    }
    List<byte[]> frames = new ArrayList<>(4);
    frames.add(first);
    while (dealer.hasReceiveMore()) {
      frames.add(dealer.recv(0));
    }
    return frames;
  }

  /**
   * True when a socket holds input. Call it last in a visit: it also takes in ZeroMQ's pending
   * signals, so the loop hears of the next input (the signal is edge-triggered).
   */
  boolean hasInput() {
    return hasInput(router) | hasInput(dealer);
  }

  private static boolean hasInput(ZMQ.Socket socket) {
    return socket != null && (socket.getEvents() & ZMQ.Poller.POLLIN) != 0;
  }

  /** One non-blocking write of all frames, upstream or on the ROUTER (frame 0 names the peer). */
  PeerWriter.Status sendNow(boolean upstream, List<byte[]> frames) {
    ZMQ.Socket socket = upstream ? dealer : router;
    if (socket == null || (upstream && upstreamRefused)) {
      return PeerWriter.Status.UNREACHABLE;
    }
    int last = frames.size() - 1;
    try {
      for (int i = 0; i <= last; i++) {
        if (!socket.send(frames.get(i), (i < last ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT)) {
          return PeerWriter.Status.FULL; // only the first frame can be refused; then nothing was sent
        }
      }
    } catch (ZMQException e) {
      if (e.getErrorCode() != ZError.EHOSTUNREACH) {
        warnings.warn("{}: send failed: {}", id, ZError.toString(e.getErrorCode()));
      }
      return PeerWriter.Status.UNREACHABLE;
    }
    return PeerWriter.Status.SENT;
  }

  /** Connects upstream again and pings, so the upstream registers this endpoint anew. */
  void reconnectUpstream() {
    if (upstreamRefused || upstreamAddress == null) {
      return;
    }
    dealer.disconnect(upstreamAddress);
    dealer.connect(upstreamAddress);
    pingUpstream(); // registers this endpoint again
  }

  /** Sends the connection ping (an empty frame) upstream, unless refused or not connected. */
  void pingUpstream() {
    if (!upstreamRefused && upstreamAddress != null) {
      dealer.send(new byte[0], ZMQ.DONTWAIT);
    }
  }

  /** Connects upstream to {@code address} instead (a search found another candidate), and pings. */
  void retargetUpstream(String address) {
    if (upstreamRefused) {
      return;
    }
    if (upstreamAddress != null) {
      dealer.disconnect(upstreamAddress);
    }
    try {
      dealer.connect(address);
    } catch (ZMQException e) {
      warnings.warn("{}: cannot connect to upstream candidate {}: {}", id, address, ZError.toString(e.getErrorCode()));
      upstreamAddress = null;
      return;
    }
    upstreamAddress = address;
    pingUpstream();
  }

  /** The upstream refused this endpoint: disconnect, and write nothing more upstream. */
  void refuseUpstream() {
    upstreamRefused = true;
    if (upstreamAddress != null) {
      dealer.disconnect(upstreamAddress);
    }
  }

  boolean upstreamRefused() {
    return upstreamRefused;
  }

  /** Closes the sockets (each lingers as set, on its context's reaper) and an own context. */
  void close() {
    for (SelectionKey key : keys) {
      key.cancel();
    }
    keys.clear();
    loop = null; // no monitor after the close
    if (curve != null) {
      curve.close(); // CURVE hook: stop the ZAP handler before the context
    }
    if (upstreamMonitor != null) {
      upstreamMonitor.close(); // before the DEALER it watches
    }
    for (ZMQ.Socket s : new ZMQ.Socket[] {router, dealer}) {
      if (s != null) {
        s.close();
      }
    }
    if (ownContext != null) {
      ownContext.close();
    }
  }
}
