package io.stationmq.netnode;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZCertStore;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.io.Metadata;

/**
 * CurveZMQ for one endpoint (its {@link CurveSecurity}): configures its sockets as CURVE
 * servers (bound) or clients (connecting), runs its ZAP handler, and binds ROUTER identities to
 * keys. The engine opens it with its context, applies it to each socket it creates, reads its
 * ROUTER through {@link #receive} and closes it before the context; all logic is here.
 *
 * <p><b>Authentication</b>, during the handshake: JeroMQ asks the ZAP handler (RFC 27, a REP
 * socket on {@code inproc://zeromq.zap.01} in the endpoint's own context, served by the thread
 * {@code <prefix>-zap}) about every CURVE client whose handshake is cryptographically sound. The
 * handler admits a key found in the allowlist folder (a {@link ZCertStore}, which re-reads the
 * folder when a file in it changes) and answers with the key's Z85 form as the User-Id, which
 * JeroMQ then attaches to every message of that connection. A refused key is logged once per
 * key and address (and rate limited), with its fingerprint, and counted ({@code
 * authFailures}). A peer without CURVE (plain ZeroMQ, an unsecured NetNode, a Python node) fails
 * the mechanism check before the ZAP handler hears of it; JeroMQ reports only that the
 * connection closed, so the handler also watches the ROUTER's monitor events and logs and counts
 * a connection that closed before it reached the ZAP handler.
 *
 * <p><b>Identity bound to key</b>, per message: a ROUTER identity is a claim the peer makes, so
 * {@link #receive} reads each message's User-Id and pins its ROUTER identity to that key the
 * first time it is seen (trust on first use, for the endpoint's lifetime). A message from that
 * identity with another key is dropped before the engine sees it, counted and logged once per
 * id and key. Limit: ROUTER handover still hands a pinned id's route to a newer connection
 * with another (allowlisted) key; its messages are refused, but messages to that id go to it
 * until the real peer reconnects.
 *
 * <p>Admins by key: when the {@link AdminGate} is given keys, it asks {@link #keyOf} which key
 * the ROUTER identity of a message is pinned to.
 */
@SuppressWarnings("deprecation") // ZMQ.Event: JeroMQ 0.6.0 reads monitor events no other way without an actor thread
final class CurveGuard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CurveGuard.class);
  static final String ZAP_ENDPOINT = "inproc://zeromq.zap.01";
  private static final int MAX_PINS = 65_536;
  private static final int REFUSED_READ_BUDGET = 256;
  private static final long PENDING_MILLIS = 60_000;

  private String lastPeerAddress;
  private final String id;
  private final CurveSecurity security;
  private final Counters counters;
  private final ZContext context;
  private final RateLimitedLog warnings = new RateLimitedLog(log, 20, TimeUnit.SECONDS.toNanos(10));
  /** What was logged lately, so that a peer retrying every 100 ms is logged once a minute. */
  private final Cache<String, Boolean> logged =
      CacheBuilder.newBuilder().maximumSize(10_000).expireAfterWrite(1, TimeUnit.MINUTES).build();
  private final ConcurrentHashMap<String, String> pins = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Monitored> monitorsToAdd = new ConcurrentLinkedQueue<>();
  private final ZMQ.Socket zap;
  private final Thread thread;
  private volatile boolean closed;
  private int monitorCount;

  // Owned by the ZAP thread.
  private final ZCertStore allowlist;
  private final List<Monitored> monitors = new ArrayList<>();
  /**
   * Connections accepted on the ROUTER, by channel (JeroMQ gives each event its own handle, so
   * the channel itself is the key), until they close or {@code PENDING_MILLIS} pass.
   */
  private final Map<Object, Pending> pending = new LinkedHashMap<>();
  /** ZAP requests from a host whose ACCEPTED event had not been read yet. */
  private final Map<String, Integer> earlyAuthentications = new java.util.HashMap<>();

  private record Monitored(ZMQ.Socket socket, boolean server, String what) {}

  private static final class Pending {
    final String host;
    final String address;
    final long since = System.currentTimeMillis();
    boolean authenticated;

    Pending(String host, String address) {
      this.host = host;
      this.address = address;
    }
  }

  /**
   * Opens the guard for an endpoint with {@code config}; null when the endpoint has no {@link
   * CurveSecurity}. Call on the socket thread before creating sockets.
   */
  static CurveGuard open(ZContext context, EngineConfig config, Counters counters) {
    CurveSecurity security = config.options().security();
    if (security == null) {
      return null;
    }
    if (config.routerBind() != null && security.allowed() == null && !security.allowAnyKey()) {
      throw new IllegalStateException("a secured endpoint that binds needs an allowlist folder (CurveSecurity.allowed)"
          + " or CurveSecurity.allowAnyKey()");
    }
    if (config.upstreamConnect() != null && security.upstreamKey() == null) {
      throw new IllegalStateException("a secured endpoint with an upstream needs the upstream's public key"
          + " (CurveSecurity.upstreamKey)");
    }
    CurveGuard guard = new CurveGuard(context, config, security, counters);
    if (config.gate() != null) {
      config.gate().bindKeys(guard::keyOf, security.adminKeys());
    }
    return guard;
  }

  private CurveGuard(ZContext context, EngineConfig config, CurveSecurity security, Counters counters) {
    this.id = config.id();
    this.security = security;
    this.counters = counters;
    this.context = context;
    this.allowlist = security.allowed() == null ? null : new ZCertStore(security.allowed().toString());
    this.zap = context.createSocket(SocketType.REP);
    zap.setLinger(0);
    try {
      zap.bind(ZAP_ENDPOINT);
    } catch (ZMQException e) {
      zap.close();
      throw new IllegalStateException("cannot bind the ZAP handler on " + ZAP_ENDPOINT, e);
    }
    this.thread = new Thread(this::run, config.threadPrefix() + "-zap");
    thread.setDaemon(true);
    thread.start();
    log.info("{}: CURVE on, public key {}; {}", id, security.keys().publicKey(),
        security.allowAnyKey() ? "any key admitted"
            : security.allowed() == null ? "binds nothing" : "admits the keys in " + security.allowed());
  }

  /** Makes {@code socket} a CURVE server (ROUTER) or client (DEALER); before it binds or connects. */
  void configure(ZMQ.Socket socket, SocketType type) {
    byte[] secret = ZMQ.Curve.z85Decode(security.keys().secretKey());
    boolean server = type == SocketType.ROUTER;
    if (server) {
      socket.setCurveServer(true);
      socket.setCurveSecretKey(secret);
      socket.setZAPDomain("stationmq");
    } else {
      socket.setCurvePublicKey(ZMQ.Curve.z85Decode(security.keys().publicKey()));
      socket.setCurveSecretKey(secret);
      socket.setCurveServerKey(ZMQ.Curve.z85Decode(security.upstreamKey().publicKey()));
    }
    String address = "inproc://stationmq-curve-monitor-" + System.identityHashCode(this) + "-" + (monitorCount++);
    int events = server ? ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED
        : ZMQ.HANDSHAKE_FAILED_AUTH | ZMQ.HANDSHAKE_FAILED_PROTOCOL;
    if (!socket.monitor(address, events)) {
      throw new IllegalStateException("cannot monitor a " + type + " socket");
    }
    ZMQ.Socket pair = context.createSocket(SocketType.PAIR);
    pair.setLinger(0);
    pair.connect(address);
    monitorsToAdd.add(new Monitored(pair, server, server ? "ROUTER" : "upstream"));
  }

  /**
   * The next message on a secured ROUTER whose identity is pinned to its key, as the engine's
   * frame list; messages refused on the way are dropped, counted and logged. Null when there is
   * none (or after {@value #REFUSED_READ_BUDGET} refused in a row: the caller polls again).
   */
  /** The address of the connection the last message {@link #receive} returned came by, or null. */
  String lastPeerAddress() {
    return lastPeerAddress;
  }

  List<byte[]> receive(ZMQ.Socket socket) {
    for (int i = 0; i < REFUSED_READ_BUDGET; i++) {
      Msg first = socket.recvMsg(ZMQ.DONTWAIT);
      if (first == null) {
        return null;
      }
      List<byte[]> frames = new ArrayList<>(4);
      frames.add(first.data());
      String key = null;
      boolean more = first.hasMore();
      while (more) {
        Msg m = socket.recvMsg(0);
        frames.add(m.data());
        if (key == null && m.getMetadata() != null) {
          key = m.getMetadata().get(Metadata.USER_ID);
          lastPeerAddress = m.getMetadata().get(Metadata.PEER_ADDRESS);
        }
        more = m.hasMore();
      }
      String routerId = new String(frames.get(0), StandardCharsets.UTF_8);
      String refusal = pin(routerId, key);
      if (refusal == null) {
        return frames;
      }
      counters.authFailures.increment();
      if (logged.asMap().putIfAbsent("pin " + routerId + " " + key, Boolean.TRUE) == null) {
        warnings.warn("{}: refused a message from '{}' (key {}): {}", id, routerId, CurveKeys.fingerprint(key), refusal);
      }
    }
    return null;
  }

  private String pin(String routerId, String key) {
    if (key == null || key.isEmpty()) {
      return "it carries no CURVE key";
    }
    String pinned = pins.get(routerId);
    if (pinned == null) {
      if (pins.size() >= MAX_PINS) {
        return "this endpoint already pins " + MAX_PINS + " ids to keys";
      }
      pinned = pins.putIfAbsent(routerId, key);
      if (pinned == null) {
        return null;
      }
    }
    return pinned.equals(key) ? null
        : "the id '" + routerId + "' is pinned to key " + CurveKeys.fingerprint(pinned) + " (first seen with it)";
  }

  /** The Z85 key a ROUTER identity is pinned to, or null. */
  String keyOf(String routerId) {
    return routerId == null ? null : pins.get(routerId);
  }

  // ------------------------------------------------------------------ ZAP thread

  private void run() {
    ZMQ.Poller poller = null;
    try {
      while (!closed) {
        if (poller == null || !monitorsToAdd.isEmpty()) {
          Monitored m;
          while ((m = monitorsToAdd.poll()) != null) {
            monitors.add(m);
          }
          if (poller != null) {
            poller.close();
          }
          poller = context.createPoller(1 + monitors.size());
          poller.register(zap, ZMQ.Poller.POLLIN);
          for (Monitored mon : monitors) {
            poller.register(mon.socket(), ZMQ.Poller.POLLIN);
          }
        }
        poller.poll(100);
        // Monitor events first: a connection's ACCEPTED comes before its ZAP request.
        for (int i = 0; i < monitors.size(); i++) {
          if (poller.pollin(i + 1)) {
            drainMonitor(monitors.get(i));
          }
        }
        if (poller.pollin(0)) {
          answerZap();
        }
        expirePending();
        warnings.flush();
      }
    } catch (ZMQException e) {
      if (!closed) {
        log.error("{}: the ZAP handler stopped; new CURVE connections are no longer admitted", id, e);
      }
    } catch (RuntimeException e) {
      log.error("{}: the ZAP handler failed; new CURVE connections are no longer admitted", id, e);
    } finally {
      if (poller != null) {
        poller.close();
      }
      for (Monitored m : monitors) {
        m.socket().close();
      }
      Monitored m;
      while ((m = monitorsToAdd.poll()) != null) {
        m.socket().close();
      }
      zap.close();
    }
  }

  private void answerZap() {
    List<byte[]> request = new ArrayList<>(7);
    do {
      byte[] f = zap.recv(ZMQ.DONTWAIT);
      if (f == null) {
        return;
      }
      request.add(f);
    } while (zap.hasReceiveMore());
    // version, request id, domain, address, identity, mechanism, credentials...
    byte[] requestId = request.size() > 1 ? request.get(1) : new byte[0];
    String address = request.size() > 3 ? new String(request.get(3), StandardCharsets.UTF_8) : "?";
    String mechanism = request.size() > 5 ? new String(request.get(5), StandardCharsets.UTF_8) : "?";
    for (Monitored m : monitors) {
      drainMonitor(m); // this connection's ACCEPTED, if the poll that woke us saw only the ZAP socket
    }
    markAuthenticating(address);
    String key = request.size() > 6 && request.get(6).length == 32 ? ZMQ.Curve.z85Encode(request.get(6)) : null;
    String refusal;
    if (!"CURVE".equals(mechanism) || key == null) {
      refusal = "mechanism " + mechanism + " instead of CURVE";
    } else if (security.allowAnyKey()) {
      refusal = null;
    } else if (allowlist == null || !allowlist.containsPublicKey(key)) {
      refusal = "key not in the allowlist " + (security.allowed() == null ? "(none)" : security.allowed());
    } else {
      refusal = null;
    }
    zap.sendMore("1.0");
    zap.sendMore(requestId);
    if (refusal == null) {
      zap.sendMore("200");
      zap.sendMore("OK");
      zap.sendMore(key);
      zap.send("");
      return;
    }
    counters.authFailures.increment();
    if (logged.asMap().putIfAbsent("zap " + key + " " + address, Boolean.TRUE) == null) {
      warnings.warn("{}: refused a CURVE connection from {} with key {}: {}", id, address, CurveKeys.fingerprint(key),
          refusal);
    }
    zap.sendMore("400");
    zap.sendMore(refusal);
    zap.sendMore("");
    zap.send("");
  }

  private void drainMonitor(Monitored m) {
    ZMQ.Event e;
    while ((e = ZMQ.Event.recv(m.socket(), ZMQ.DONTWAIT)) != null) {
      if (m.server()) {
        onServerEvent(e);
      } else {
        onClientEvent(e);
      }
    }
  }

  private void onServerEvent(ZMQ.Event e) {
    Object channel = e.resolveValue();
    if (channel == null) {
      return;
    }
    if (e.getEvent() == ZMQ.EVENT_ACCEPTED) {
      String host = "?";
      String address = "?";
      if (channel instanceof SocketChannel sc) {
        try {
          SocketAddress remote = sc.getRemoteAddress();
          address = String.valueOf(remote);
          if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            host = inet.getAddress().getHostAddress();
            address = host + ":" + inet.getPort();
          }
        } catch (java.io.IOException | RuntimeException ex) {
          // closed already: its address is unknown
        }
      }
      Pending p = new Pending(host, address);
      Integer early = earlyAuthentications.remove(host);
      if (early != null) {
        p.authenticated = true;
        if (early > 1) {
          earlyAuthentications.put(host, early - 1);
        }
      }
      pending.put(channel, p);
    } else if (e.getEvent() == ZMQ.EVENT_DISCONNECTED) {
      Pending p = pending.remove(channel);
      if (p != null && !p.authenticated) {
        counters.authFailures.increment();
        if (logged.asMap().putIfAbsent("plain " + p.host, Boolean.TRUE) == null) {
          warnings.warn("{}: refused a connection from {}: it closed before CURVE authentication; a peer without CURVE"
              + " (plain ZeroMQ, an unsecured NetNode or Python node) or with another server key than {}", id, p.address,
              security.keys().fingerprint());
        }
      }
    }
  }

  private void onClientEvent(ZMQ.Event e) {
    counters.authFailures.increment();
    String reason = e.getEvent() == ZMQ.HANDSHAKE_FAILED_AUTH
        ? "refused this endpoint's key " + security.keys().fingerprint() + " (ZAP status " + e.getValue()
            + "): is its public certificate in the upstream's allowlist?"
        : "failed the CURVE handshake (protocol error " + e.getValue() + "): is " + security.upstreamKey().fingerprint()
            + " the upstream's public key, and does it run CURVE?";
    if (logged.asMap().putIfAbsent("client " + e.getEvent() + " " + e.getAddress(), Boolean.TRUE) == null) {
      warnings.warn("{}: the upstream at {} {}", id, e.getAddress(), reason);
    }
  }

  /** The ZAP handler heard of a connection from {@code host}: it was no plain peer. */
  private void markAuthenticating(String host) {
    Pending fallback = null;
    for (Pending p : pending.values()) {
      if (!p.authenticated) {
        if (p.host.equals(host)) {
          p.authenticated = true;
          return;
        }
        if (fallback == null) {
          fallback = p;
        }
      }
    }
    if (fallback != null) {
      fallback.authenticated = true;
    } else {
      earlyAuthentications.merge(host, 1, Integer::sum); // its ACCEPTED event is still on the way
    }
  }

  /** Forgets connections that stay open long after their handshake: they are not refused ones. */
  private void expirePending() {
    long cutoff = System.currentTimeMillis() - PENDING_MILLIS;
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.since >= cutoff) {
        return;
      }
      it.remove();
    }
  }

  /** Stops the ZAP handler and closes its sockets; before the context closes. */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{}: the ZAP handler did not stop within 5 s", id);
    }
  }
}
