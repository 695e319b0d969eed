package io.stationmq.netnode;

import io.stationmq.message.Envelope;
import io.stationmq.message.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a message goes next, and in which frames: sole owner of the peers connected to this
 * endpoint's ROUTER and of the routes it learned (which child station a sender sits behind).
 * It chooses the hop first, then builds the frames once (layouts from {@link Envelope}), and
 * writes them through {@link Wire}. Owned by the socket thread; not thread-safe; unit-tested
 * with a fake wire.
 *
 * <p>A message for a single recipient goes to it directly when it is a connected peer, else
 * along a learned route, else upstream, else to the ROUTER anyway (which answers unreachable
 * when it has no such peer). A learned route, or any message for someone behind a hop, goes
 * only through a hop that said HELLO: a Python station takes whatever reaches its pusher as
 * addressed to itself and fails on a second frame (PROTOCOL.md 3), so nothing is sent to it
 * that it cannot read.
 */
final class Routes {
  /** How many learned routes are kept (the least recently used go first). */
  static final int CAPACITY = 10_000;

  /** What a write did: written or waiting its turn, given up (counted), or no such peer. */
  enum Result { OK, DROPPED, UNREACHABLE }

  /** The sockets, and what liveness knows of a peer. */
  interface Wire {
    Result toRouter(List<byte[]> frames);

    Result toUpstream(List<byte[]> frames);

    /** True when {@code identity} said HELLO: a stationmq endpoint. */
    boolean saidHello(String identity);
  }

  private final String upstreamId;
  private final boolean hasRouter;
  private final boolean hasUpstream;
  private final boolean station;
  private final Wire wire;
  private final Set<String> peers = new HashSet<>();
  private final LinkedHashMap<String, String> learned = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > CAPACITY;
    }
  };

  /**
   * @param upstreamId the upstream's id, or null without one
   * @param station true for a Station, which writes {@code [to, body]} to a connected peer (a
   *     NetNode writes {@code [to, to, body]}; PROTOCOL.md 3)
   */
  Routes(String upstreamId, boolean hasRouter, boolean station, Wire wire) {
    this.upstreamId = upstreamId;
    this.hasRouter = hasRouter;
    this.hasUpstream = upstreamId != null;
    this.station = station;
    this.wire = wire;
  }

  /** A peer spoke on the ROUTER: it is connected. */
  void connected(String identity) {
    peers.add(identity);
  }

  /** {@code sender}'s message came in through the ROUTER peer {@code via}: {@code sender} is behind it. */
  void learn(String sender, String via) {
    if (via != null && sender != null && !via.equals(sender)) {
      learned.put(sender, via);
    }
  }

  /** Passes on a message that is not for this endpoint, without decoding it. */
  Result forward(Envelope env) {
    List<byte[]> upstreamFrames = hasUpstream ? env.forwardViaPusher(upstreamId) : null;
    return env.isMultihop()
        ? multihop(env.nextHop(), env.forwardViaRouter(), upstreamFrames)
        : single(env.recipient(), env.body(), upstreamFrames);
  }

  /** Sends this endpoint's own message along {@code route}. */
  Result send(Message m, byte[] body, Route route) {
    if (m.isMultihop()) {
      List<String> path = m.path();
      List<byte[]> direct = Envelope.multihop(path, body);
      List<byte[]> upstream = null;
      if (hasUpstream) {
        upstream = path.get(0).equals(upstreamId) ? direct : Envelope.multihop(prepend(upstreamId, path), body);
      }
      if (route == Route.UPSTREAM) {
        return upstream == null ? Result.UNREACHABLE : wire.toUpstream(upstream);
      }
      return multihop(path.get(0), direct, upstream);
    }
    String to = m.to();
    return switch (route) {
      case UPSTREAM -> hasUpstream ? wire.toUpstream(Envelope.toUpstream(upstreamId, to, body)) : Result.UNREACHABLE;
      case DIRECT -> hasUpstream ? wire.toUpstream(Envelope.toPeer(to, body)) : Result.UNREACHABLE;
      default -> single(to, body, hasUpstream ? Envelope.toUpstream(upstreamId, to, body) : null);
    };
  }

  /**
   * Writes a body for {@code to} back through the hop {@code via} it came by (a ROUTER
   * identity, or null for the upstream): a confirmation, a reply, a notice.
   */
  Result back(String via, String to, byte[] body) {
    if (via == null) {
      return hasUpstream ? wire.toUpstream(Envelope.toUpstream(upstreamId, to, body)) : Result.UNREACHABLE;
    }
    if (via.equals(to)) {
      return wire.toRouter(toPeer(to, body));
    }
    if (!wire.saidHello(via)) {
      return Result.UNREACHABLE; // a Python station could not pass it on
    }
    return wire.toRouter(Envelope.throughRouter(via, to, body));
  }

  /** The frames for a connected peer of the ROUTER. */
  List<byte[]> toPeer(String to, byte[] body) {
    return station ? Envelope.toConnected(to, body) : Envelope.toPeer(to, body);
  }

  private Result single(String to, byte[] body, List<byte[]> upstreamFrames) {
    if (hasRouter && peers.contains(to)) {
      Result r = wire.toRouter(toPeer(to, body));
      if (r != Result.UNREACHABLE) {
        return r;
      }
      peers.remove(to);
    }
    String via = hasRouter ? learned.get(to) : null;
    if (via != null && wire.saidHello(via)) {
      Result r = wire.toRouter(Envelope.throughRouter(via, to, body));
      if (r != Result.UNREACHABLE) {
        return r;
      }
      learned.remove(to);
    }
    if (upstreamFrames != null) {
      return wire.toUpstream(upstreamFrames);
    }
    return hasRouter ? wire.toRouter(toPeer(to, body)) : Result.UNREACHABLE;
  }

  private Result multihop(String next, List<byte[]> routerFrames, List<byte[]> upstreamFrames) {
    if (hasRouter && peers.contains(next)) {
      Result r = wire.toRouter(routerFrames);
      if (r != Result.UNREACHABLE) {
        return r;
      }
      peers.remove(next);
    }
    if (upstreamFrames != null) {
      return wire.toUpstream(upstreamFrames);
    }
    return hasRouter ? wire.toRouter(routerFrames) : Result.UNREACHABLE;
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> l = new ArrayList<>(rest.size() + 1);
    l.add(first);
    l.addAll(rest);
    return l;
  }
}
