package io.stationmq.netnode;

import io.stationmq.message.Flags;
import io.stationmq.message.MessageCodec;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes frames to peers without ever blocking the socket thread, so one full peer costs only
 * itself. A write that finds its peer's ZeroMQ queue full waits in that peer's own queue (at
 * most {@code maxWaitingPerPeer} writes and {@code maxBytesPerPeer} bytes, in order) and is retried on every turn of the socket
 * loop; writes to every other peer go straight through meanwhile. A peer that takes nothing
 * for {@code timeoutNanos} is stuck: every write waiting for it is dropped and counted (a slow
 * peer that keeps taking writes loses none), and so is a write for a peer whose queue is
 * already full here: confirmed traffic is repeated by its sender, so a drop delays it; an
 * unconfirmed message is lost, counted.
 *
 * <p>Owned by the socket thread; not thread-safe. Time comes in on every call, and the sockets
 * are reached through {@link Wire}, so it is unit-tested with a fake clock and a fake wire.
 */
final class PeerWriter {
  /** The first retry comes this soon; later ones back off to {@link #MAX_RETRY_NANOS}. */
  static final long FIRST_RETRY_NANOS = 200_000L;
  static final long MAX_RETRY_NANOS = 5_000_000L;

  /** What one non-blocking write did. */
  enum Status {
    /** Written; ZeroMQ has it. */
    SENT,
    /** The peer's queue is full; nothing was written. */
    FULL,
    /** No such peer (it disconnected), or the socket refused it. */
    UNREACHABLE
  }

  /** What {@link #write} did with a message. */
  enum Result {
    /** Written, or waiting its turn for a full peer. */
    ACCEPTED,
    /** Given up, counted. */
    DROPPED,
    /** No such peer. */
    UNREACHABLE
  }

  /** The sockets: one non-blocking write of all frames to the upstream DEALER or the ROUTER. */
  interface Wire {
    Status send(boolean upstream, List<byte[]> frames);
  }

  /** Told of each write dropped (not when closing), so its producer can be told in turn. */
  interface Drops {
    Drops NONE = (peer, frames, reason, now) -> {};

    void dropped(String peer, List<byte[]> frames, String reason, long now);
  }

  private record Waiting(List<byte[]> frames, long sinceNanos, long bytes) {}


  private static long bytes(List<byte[]> frames) {
    long n = 0;
    for (byte[] f : frames) {
      n += f.length;
    }
    return n;
  }

  /** One full peer's waiting writes, and when to try it again. */
  private static final class Backlog {
    final boolean upstream;
    final ArrayDeque<Waiting> writes = new ArrayDeque<>();
    long bytes;
    long retryNanos;
    long backoffNanos = FIRST_RETRY_NANOS;
    /** When the peer last took a write (or its queue was first found full). */
    long progressNanos;

    Backlog(boolean upstream, long now) {
      this.upstream = upstream;
      this.progressNanos = now;
    }
  }

  private final String id;
  private final Wire wire;
  private final long timeoutNanos;
  private final int maxWaitingPerPeer;
  private final long maxBytesPerPeer;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private final Map<String, Backlog> backlogs = new LinkedHashMap<>();
  private Drops drops = Drops.NONE;
  /** Written by the socket thread only; read by callers deciding whether there is room. */
  private volatile int waiting;

  PeerWriter(String id, Wire wire, long timeoutNanos, int maxWaitingPerPeer, long maxBytesPerPeer,
      Counters counters, RateLimitedLog warnings) {
    this.id = id;
    this.wire = wire;
    this.timeoutNanos = timeoutNanos;
    this.maxWaitingPerPeer = maxWaitingPerPeer;
    this.maxBytesPerPeer = maxBytesPerPeer;
    this.counters = counters;
    this.warnings = warnings;
  }

  /** Tells {@code drops} of every write dropped from now on. */
  void onDrop(Drops drops) {
    this.drops = drops;
  }

  /** Writes {@code frames} for {@code peer}, or queues them behind its earlier waiting writes. */
  Result write(boolean upstream, String peer, List<byte[]> frames, long now) {
    Backlog b = backlogs.get(peer);
    if (b != null) {
      long size = bytes(frames);
      if ((b.writes.size() >= maxWaitingPerPeer || b.bytes + size > maxBytesPerPeer)
          && !(isConfirmed(frames) && makeRoom(b, peer, size, now))) {
        counters.dropped.increment();
        warnings.warn("{}: dropped a message for '{}': {} writes ({} bytes) already wait for its full queue", id,
            peer, b.writes.size(), b.bytes);
        drops.dropped(peer, frames, "its queue is full", now);
        return Result.DROPPED;
      }
      add(b, new Waiting(frames, now, size));
      return Result.ACCEPTED;
    }
    switch (wire.send(upstream, frames)) {
      case SENT -> {
        counters.sent.increment();
        return Result.ACCEPTED;
      }
      case UNREACHABLE -> {
        return Result.UNREACHABLE;
      }
      default -> {
        if (timeoutNanos <= 0 || maxWaitingPerPeer <= 0) {
          counters.dropped.increment();
          warnings.warn("{}: dropped a message for '{}': its queue is full", id, peer);
          drops.dropped(peer, frames, "its queue is full", now);
          return Result.DROPPED;
        }
        b = new Backlog(upstream, now);
        add(b, new Waiting(frames, now, bytes(frames)));
        b.retryNanos = now + b.backoffNanos;
        backlogs.put(peer, b);
        return Result.ACCEPTED;
      }
    }
  }

  /**
   * True when a write asks for confirmation (a body without the {@code NOREPEAT} flag; not a
   * ping). Read only for a full peer, where a dropped write is peeked anyway ({@link DropReports}).
   */
  private static boolean isConfirmed(List<byte[]> frames) {
    byte[] body = frames.get(frames.size() - 1);
    return body.length > 0 && !MessageCodec.peekFlag(body, Flags.NOREPEAT);
  }

  /**
   * Makes room in a full peer's queue for a confirmed message by dropping its newest waiting
   * unconfirmed writes (counted, their producers told as for any drop): a flood of unconfirmed
   * messages must not starve the confirmed ones behind it until their ttl runs out. True when
   * the message now fits.
   */
  private boolean makeRoom(Backlog b, String peer, long size, long now) {
    Iterator<Waiting> newestFirst = b.writes.descendingIterator();
    while ((b.writes.size() >= maxWaitingPerPeer || b.bytes + size > maxBytesPerPeer) && newestFirst.hasNext()) {
      Waiting w = newestFirst.next();
      if (isConfirmed(w.frames()) || w.frames().get(w.frames().size() - 1).length == 0) {
        continue; // confirmed, or a ping: keeps its place
      }
      newestFirst.remove();
      b.bytes -= w.bytes();
      waiting--;
      counters.dropped.increment();
      warnings.warn("{}: dropped a waiting unconfirmed message for '{}' to make room for a confirmed one: its queue"
          + " is full", id, peer);
      drops.dropped(peer, w.frames(), "its queue is full (made room for a confirmed message)", now);
    }
    return b.writes.size() < maxWaitingPerPeer && b.bytes + size <= maxBytesPerPeer;
  }

  private void add(Backlog b, Waiting w) {
    b.writes.add(w);
    b.bytes += w.bytes();
    waiting++;
  }

  private Waiting remove(Backlog b) {
    Waiting w = b.writes.poll();
    b.bytes -= w.bytes();
    waiting--;
    return w;
  }

  /** Retries the full peers that are due, in order per peer; drops what waited too long. */
  void retry(long now) {
    if (backlogs.isEmpty()) {
      return;
    }
    Iterator<Map.Entry<String, Backlog>> it = backlogs.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Backlog> e = it.next();
      Backlog b = e.getValue();
      if (now < b.retryNanos) {
        dropExpired(e.getKey(), b, now);
      } else {
        drain(e.getKey(), b, now);
      }
      if (b.writes.isEmpty()) {
        it.remove();
      }
    }
  }

  private void drain(String peer, Backlog b, long now) {
    while (!b.writes.isEmpty()) {
      Status s = wire.send(b.upstream, b.writes.peek().frames());
      if (s == Status.FULL) {
        dropExpired(peer, b, now);
        b.backoffNanos = Math.min(MAX_RETRY_NANOS, b.backoffNanos * 2);
        b.retryNanos = now + b.backoffNanos;
        return;
      }
      Waiting w = remove(b);
      b.progressNanos = now;
      if (s == Status.SENT) {
        counters.sent.increment();
      } else {
        counters.unreachable.increment();
        warnings.warn("{}: dropped a message for '{}': it disconnected", id, peer);
        drops.dropped(peer, w.frames(), "it disconnected", now);
      }
      b.backoffNanos = FIRST_RETRY_NANOS;
    }
  }

  /** Drops every waiting write when the peer has taken none for the timeout: it is stuck. */
  private void dropExpired(String peer, Backlog b, long now) {
    if (b.writes.isEmpty() || now - b.progressNanos < timeoutNanos) {
      return;
    }
    int dropped = 0;
    String reason = "it took nothing for " + timeoutNanos / 1_000_000 + " ms";
    while (!b.writes.isEmpty()) {
      drops.dropped(peer, remove(b).frames(), reason, now);
      dropped++;
    }
    counters.dropped.add(dropped);
    warnings.warn("{}: dropped {} message(s) for '{}': it took nothing for {} ms", id, dropped, peer,
        timeoutNanos / 1_000_000);
  }

  /** Nanoseconds until {@link #retry} has work, or {@code Long.MAX_VALUE} when nothing waits. */
  long nanosUntilRetry(long now) {
    long next = Long.MAX_VALUE;
    for (Backlog b : backlogs.values()) {
      next = Math.min(next, Math.min(b.retryNanos, b.progressNanos + timeoutNanos));
    }
    return next == Long.MAX_VALUE ? next : Math.max(0, next - now);
  }

  /** Writes waiting for full peers, all peers together (socket thread). */
  int waiting() {
    return waiting;
  }

  /** The same, read from any thread. */
  int waitingNow() {
    return waiting;
  }

  /** True when {@code peer} has writes waiting. */
  boolean isBacklogged(String peer) {
    return backlogs.containsKey(peer);
  }

  /** Drops every waiting write, counted (closing). */
  void dropAll() {
    if (waiting > 0) {
      counters.dropped.add(waiting);
    }
    backlogs.clear();
    waiting = 0;
  }
}
