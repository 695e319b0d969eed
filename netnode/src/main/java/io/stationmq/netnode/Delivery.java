package io.stationmq.netnode;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The sender's side of confirmed delivery: sole owner of the outbox (messages waiting for
 * their confirmation, with their repeat timers) and of the in-flight count. It sends each
 * message and its repeats along its route, settles it when its confirmation (or, for a
 * request, its reply) arrives, and tells the sender how it ended: {@link DeliveryReceipt},
 * {@link TtlExpiredException}, {@link UnreachableException} or {@link EndpointClosedException}.
 *
 * <p>A recipient that cannot be reached now but may come back within the ttl (one this
 * endpoint knows, or any while it has just started; see {@link Wire#mayComeBack}) is waited
 * for: the message is repeated as usual and fails as unreachable only when its ttl is spent.
 *
 * <p>Thread-safety: {@link #reserve} and {@link #release} from any thread; everything else on
 * the socket thread. The sockets and liveness are reached through {@link Wire}, the clock is
 * injected, and futures complete on the engine's callback thread.
 */
final class Delivery {
  /** What delivery needs of the engine. */
  interface Wire {
    /** Sends {@code m} (its body already encoded) along {@code route}. */
    Routes.Result send(Message m, byte[] body, Route route);

    /** True when {@code peer} may connect within a ttl. */
    boolean mayComeBack(String peer);
  }

  private final String id;
  private final Wire wire;
  private final Outbox outbox;
  private final Counters counters;
  private final Notifier notifier;
  private final RateLimitedLog warnings;
  private final LongSupplier clock;
  private final int maxInFlight;

  Delivery(String id, Wire wire, Outbox outbox, Counters counters, Notifier notifier, RateLimitedLog warnings,
      LongSupplier clock, int maxInFlight) {
    this.id = id;
    this.wire = wire;
    this.outbox = outbox;
    this.counters = counters;
    this.notifier = notifier;
    this.warnings = warnings;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
  }

  /** Takes a place in flight for a new confirmed message (any thread); false when the outbox is full. */
  boolean reserve() {
    if (counters.inFlight.incrementAndGet() > maxInFlight) {
      counters.inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives a place back for a message that never reached the outbox (any thread). */
  void release(Outbox.Pending p, EndpointClosedException why) {
    counters.inFlight.decrementAndGet();
    notifier.fail(p.future, p.message, why);
  }

  /** Sends a confirmed message for the first time and starts its repeat timer. */
  void send(Outbox.Pending p, byte[] body) {
    Message m = p.message;
    if (outbox.contains(m.id())) {
      counters.inFlight.decrementAndGet();
      notifier.failWith(p.future, new DuplicateMessageException(m.id(), m.to()));
      return;
    }
    Routes.Result r = wire.send(m, body, p.route);
    if (r == Routes.Result.UNREACHABLE && !wire.mayComeBack(firstHop(m))) {
      failUnreachable(p);
      return;
    }
    outbox.track(p, clock.getAsLong()); // even when dropped or not connected: the repeat timer tries again
    if (r == Routes.Result.UNREACHABLE) {
      outbox.noteUnreachable(m.id(), id, "no connection or route");
    }
  }

  /** A message could not be sent at all (an internal error): it fails as unreachable. */
  void sendFailed(Outbox.Pending p) {
    if (!p.future.isDone()) {
      outbox.remove(p.message.id());
      failUnreachable(p);
    }
  }

  /** Completes the future of {@code messageId}, confirmed by a CONFIRM or, for a request, by its reply. */
  void settle(String messageId) {
    Outbox.Pending p = outbox.confirmed(messageId, clock.getAsLong());
    if (p == null) {
      return; // a confirmation of a repeat that was already confirmed, or of a message not tracked
    }
    counters.inFlight.decrementAndGet();
    Duration rtt = Duration.ofNanos(clock.getAsLong() - p.firstSentNanos);
    notifier.complete(p.future, new DeliveryReceipt(p.message.id(), p.message.to(), p.attempts, rtt));
  }

  /**
   * A Station could not pass {@code messageId} on. With {@code retry} (the recipient may come
   * back), the message is repeated within its ttl; else it fails at once. False when the
   * message is not (or no longer) in flight here.
   */
  boolean unreachable(String messageId, String recipient, String station, String reason, boolean retry) {
    if (messageId == null || !outbox.contains(messageId)) {
      return false;
    }
    if (retry) {
      outbox.noteUnreachable(messageId, station, reason); // repeated within its ttl; fails as unreachable after
      return true;
    }
    Outbox.Pending p = outbox.remove(messageId);
    counters.inFlight.decrementAndGet();
    notifier.fail(p.future, p.message, new UnreachableException(messageId, recipient, station, reason, p.attempts));
    return true;
  }

  /** Repeats what is due and fails what has run out of ttl or time. */
  void runDue(long now) {
    outbox.runDue(now, this::repeat, this::expire, () -> true);
  }

  /** Nanoseconds until a repeat is due, or {@code Long.MAX_VALUE}. */
  long nanosUntilNext(long now) {
    return outbox.nanosUntilNext(now);
  }

  /** Fails every message in flight: the endpoint closes. */
  void closeAll() {
    for (Outbox.Pending p : outbox.drain()) {
      counters.inFlight.decrementAndGet();
      notifier.fail(p.future, p.message, new EndpointClosedException(id, p.message.id(), p.message.to(), p.attempts));
    }
  }

  private void repeat(Outbox.Pending p) {
    counters.repeated.increment();
    Message m = p.message;
    byte[] body = MessageCodec.encode(wireForm(m.newBuilder().ttl(p.ttlLeft).build()));
    if (wire.send(m, body, p.route) == Routes.Result.UNREACHABLE) {
      if (wire.mayComeBack(firstHop(m))) {
        outbox.noteUnreachable(m.id(), id, "no connection or route");
      } else {
        outbox.remove(m.id());
        failUnreachable(p);
      }
    }
  }

  private void expire(Outbox.Pending p) {
    counters.inFlight.decrementAndGet();
    Message m = p.message;
    if (p.unreachableBy != null) {
      notifier.fail(p.future, m, new UnreachableException(m.id(), m.to(), p.unreachableBy,
          p.unreachableReason + ", for as long as its ttl allowed", p.attempts));
      return;
    }
    counters.ttlExpired.increment();
    TtlExpiredException e = new TtlExpiredException(m.id(), m.to(), p.attempts);
    warnings.warn("{}: {}", id, e.getMessage());
    notifier.fail(p.future, m, e);
  }

  private void failUnreachable(Outbox.Pending p) {
    counters.unreachable.increment();
    counters.inFlight.decrementAndGet();
    Message m = p.message;
    notifier.fail(p.future, m, new UnreachableException(m.id(), m.to(), id, "no connection or route",
        Math.max(1, p.attempts)));
  }

  private static String firstHop(Message m) {
    return m.isMultihop() ? m.path().get(0) : m.to();
  }

  /** The body as sent: a multihop message names only its final recipient (the path is in the frames). */
  static Message wireForm(Message m) {
    return m.isMultihop() ? m.newBuilder().to(m.to()).build() : m;
  }
}
