package io.stationmq.netnode;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
 * <p>With a durable outbox ({@link OutboxJournal}) a new message is put on record when the
 * socket thread takes it, and sent only once the store has committed that, at the end of the
 * visit ({@link #recorded}); its caller waits for that ({@link #awaitRecorded}), so {@code
 * sendConfirmed} returns once the message is on record. The record is taken off when the
 * message is confirmed or fails. What the previous run left there is sent again on the first
 * {@link #runDue}, with futures nobody holds: how such a message fails goes to the listener
 * alone.
 *
 * <p>Thread-safety: {@link #reserve}, {@link #pending}, {@link #awaitRecorded} and {@link
 * #release} from any thread; everything else on the socket thread. The sockets and liveness are reached through {@link Wire}, the clock is
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
  private final OutboxJournal journal;
  private List<OutboxJournal.Resumable> toResume;
  /** Durable outbox: taken this visit, on record once the store commits, then sent (by id). */
  private final LinkedHashMap<String, Unrecorded> unrecorded = new LinkedHashMap<>();

  private record Unrecorded(Outbox.Pending pending, byte[] body) {}

  Delivery(String id, Wire wire, Outbox outbox, Counters counters, Notifier notifier, RateLimitedLog warnings,
      LongSupplier clock, int maxInFlight) {
    this(id, wire, outbox, counters, notifier, warnings, clock, maxInFlight, null);
  }

  /** A delivery with a durable outbox's {@code journal} (null: memory only), resuming what it holds. */
  Delivery(String id, Wire wire, Outbox outbox, Counters counters, Notifier notifier, RateLimitedLog warnings,
      LongSupplier clock, int maxInFlight, OutboxJournal journal) {
    this.journal = journal;
    this.toResume = journal == null ? null : journal.restore();
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

  /**
   * A confirmed message to send, with its future (any thread); with a durable outbox its caller
   * is to wait for its record ({@link #awaitRecorded}).
   */
  Outbox.Pending pending(Message m, Route route, CompletableFuture<DeliveryReceipt> future) {
    Outbox.Pending p = new Outbox.Pending(m, route, future);
    if (journal != null && isKept(m)) {
      p.recorded = new CompletableFuture<>();
    }
    return p;
  }

  /**
   * Blocks until {@code p} is on record in the durable outbox, or has ended without (refused,
   * failed, closed: then its future says so); returns at once without a durable outbox (any
   * thread). An interrupt is kept for the caller, not acted on.
   */
  static void awaitRecorded(Outbox.Pending p) {
    if (p.recorded == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        p.recorded.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        break; // never completed exceptionally
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Lets the caller waiting for {@code p}'s record go (it is on record, or has ended). */
  private static void letCallerGo(Outbox.Pending p) {
    if (p.recorded != null) {
      p.recorded.complete(null);
    }
  }

  /** True while messages taken this visit wait for the store's commit. */
  boolean hasUnrecorded() {
    return !unrecorded.isEmpty();
  }

  /**
   * The store committed ({@code ok}) what this visit put on record, or failed to: sends what
   * waited for it, or fails it with {@link DurableStoreException}; either way its caller goes.
   */
  void recorded(boolean ok) {
    for (Unrecorded u : unrecorded.values()) {
      if (ok) {
        sendNow(u.pending(), u.body());
        letCallerGo(u.pending());
      } else {
        failUnrecorded(u.pending());
      }
    }
    unrecorded.clear();
  }

  private void failUnrecorded(Outbox.Pending p) {
    counters.inFlight.decrementAndGet();
    forget(p.message);
    Message m = p.message;
    DurableStoreException e = new DurableStoreException(m.id(), m.to(), "the store failed (see the log)");
    warnings.warn("{}: {}", id, e.getMessage());
    notifier.fail(p.future, m, e);
    letCallerGo(p);
  }

  /** Requests and replies are answered within one run: a durable outbox keeps only other messages. */
  private static boolean isKept(Message m) {
    return !m.key().equals(Keys.REQUEST) && !m.key().equals(Keys.REPLY);
  }

  /** Takes a message that has ended (confirmed or failed) off the durable outbox, if any. */
  private void forget(Message m) {
    if (journal != null) {
      journal.remove(m.id());
    }
  }

  /** Gives a place back for a message that never reached the outbox, nor the store (any thread). */
  void release(Outbox.Pending p, EndpointClosedException why) {
    counters.inFlight.decrementAndGet();
    notifier.fail(p.future, p.message, why);
    letCallerGo(p);
  }

  /**
   * Sends a confirmed message for the first time and starts its repeat timer; with a durable
   * outbox, puts it on record and sends it once that is committed ({@link #recorded}).
   */
  void send(Outbox.Pending p, byte[] body) {
    Message m = p.message;
    if (outbox.contains(m.id()) || unrecorded.containsKey(m.id())) {
      counters.inFlight.decrementAndGet();
      notifier.failWith(p.future, new DuplicateMessageException(m.id(), m.to()));
      letCallerGo(p);
      return;
    }
    if (p.recorded != null) {
      if (journal.put(m, m.isMultihop() ? MessageCodec.encode(m) : body, p.route)) {
        unrecorded.put(m.id(), new Unrecorded(p, body));
      } else {
        failUnrecorded(p); // the store failed earlier
      }
      return;
    }
    sendNow(p, body);
  }

  private void sendNow(Outbox.Pending p, byte[] body) {
    Message m = p.message;
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
    letCallerGo(p);
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
    forget(p.message);
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
    forget(p.message);
    notifier.fail(p.future, p.message, new UnreachableException(messageId, recipient, station, reason, p.attempts));
    return true;
  }

  /**
   * The recipient says it died (in an earlier run) while handling {@code messageId}, and will
   * not handle it again: the message fails with {@link ReceiverCrashedException}. False when it
   * is not (or no longer) in flight here.
   */
  boolean receiverCrashed(String messageId) {
    Outbox.Pending p = messageId == null ? null : outbox.remove(messageId);
    if (p == null) {
      return false;
    }
    counters.inFlight.decrementAndGet();
    forget(p.message);
    ReceiverCrashedException e = new ReceiverCrashedException(messageId, p.message.to(), p.attempts);
    warnings.warn("{}: {}", id, e.getMessage());
    notifier.fail(p.future, p.message, e);
    return true;
  }

  /** Repeats what is due and fails what has run out of ttl or time; first resumes the previous run's messages. */
  void runDue(long now) {
    if (toResume != null) {
      resume(now);
    }
    outbox.runDue(now, this::repeat, this::expire, () -> true);
  }

  /**
   * Sends again what the previous run left in the durable outbox, within what is left of each
   * message's maxDeliveryTime; one whose time ran out while the endpoint was down fails at once.
   */
  private void resume(long now) {
    List<OutboxJournal.Resumable> all = toResume;
    toResume = null;
    List<Message> resumed = new ArrayList<>();
    for (OutboxJournal.Resumable r : all) {
      Outbox.Pending p = new Outbox.Pending(r.message(), r.route(), new CompletableFuture<>());
      counters.inFlight.incrementAndGet();
      if (!outbox.resume(p, now, TimeUnit.MILLISECONDS.toNanos(r.ageMillis()))) {
        p.attempts = 1 + p.ttlLeft;
        expire(p);
        continue;
      }
      counters.resumed.increment();
      resumed.add(r.message());
      transmit(p);
    }
    if (!resumed.isEmpty()) {
      warnings.info("{}: resumed {} confirmed message(s) left in flight by the previous run ({} had run out of time)",
          id, resumed.size(), all.size() - resumed.size());
      List<Message> list = List.copyOf(resumed);
      notifier.run(listener -> listener.deliveriesResumed(list));
    }
  }

  /** Nanoseconds until a repeat is due, or {@code Long.MAX_VALUE}. */
  long nanosUntilNext(long now) {
    return outbox.nanosUntilNext(now);
  }

  /** Fails every message in flight: the endpoint closes. */
  void closeAll() {
    for (Unrecorded u : unrecorded.values()) {
      Outbox.Pending p = u.pending();
      counters.inFlight.decrementAndGet();
      forget(p.message);
      notifier.fail(p.future, p.message, new EndpointClosedException(id, p.message.id(), p.message.to(), 0));
      letCallerGo(p);
    }
    unrecorded.clear();
    for (Outbox.Pending p : outbox.drain()) {
      counters.inFlight.decrementAndGet();
      forget(p.message);
      notifier.fail(p.future, p.message, new EndpointClosedException(id, p.message.id(), p.message.to(), p.attempts));
    }
  }

  private void repeat(Outbox.Pending p) {
    counters.repeated.increment();
    transmit(p);
  }

  /** Sends {@code p} again with the ttl it has left; fails it when its recipient cannot come back. */
  private void transmit(Outbox.Pending p) {
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
    forget(m);
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
    forget(m);
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
