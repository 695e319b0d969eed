package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Confirmed messages waiting for their confirmation, with one timer queue for their re-sends
 * (a heap ordered by deadline; confirmed entries are skipped when they surface, so nothing
 * scans the whole outbox). Owned by the socket thread; not thread-safe.
 *
 * <p>When a message's timer fires, the recipient's progress decides what happens. Messages
 * to one recipient travel in order, so if it has confirmed a message sent after this one,
 * this one was lost: it is re-sent. If it has only confirmed earlier messages since the last
 * check, it is alive and working through a backlog: the timer is postponed without spending
 * ttl, so a burst to a busy receiver is not re-sent (which would add to its load) nor failed.
 * If nothing came back, the message is re-sent and its ttl spent.
 *
 * <p>Postponing has a limit: each message gets a give-up deadline when it is first sent,
 * {@code maxLifetimeNanos} later ({@link io.stationmq.netnode.EndpointOptions#maxDeliveryTime()}).
 * No timer is set past it, and a message still unconfirmed then expires even with ttl left.
 * So no repeat is sent after the deadline, which the options keep well inside the receivers'
 * de-duplication window: a repeat that arrived after the receiver forgot the id would be
 * handled twice.
 */
final class Outbox {
  /** One confirmed message in flight. Fields are the socket thread's. */
  static final class Pending {
    final Message message;
    final Route route;
    final CompletableFuture<DeliveryReceipt> future;
    int attempts;
    int ttlLeft;
    long sequence;
    long checkedNanos;
    long firstSentNanos;
    long intervalNanos;
    long deadlineNanos;
    long giveUpNanos;
    boolean done;
    /** Who last said the recipient could not be reached, and why; null when nobody did. */
    String unreachableBy;
    String unreachableReason;
    /** With a durable outbox: completes once the message is on record, or has ended without. */
    CompletableFuture<Void> recorded;

    Pending(Message message, Route route, CompletableFuture<DeliveryReceipt> future) {
      this.message = message;
      this.route = route;
      this.future = future;
      this.ttlLeft = message.ttl();
    }
  }

  private final long firstIntervalNanos;
  private final double backoff;
  private final long maxIntervalNanos;
  private final long maxLifetimeNanos;
  private final HashMap<String, Pending> byId = new HashMap<>();
  private final PriorityQueue<Pending> timers =
      new PriorityQueue<>(Comparator.comparingLong((Pending p) -> p.deadlineNanos));
  private final LinkedHashMap<String, Progress> progress = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Progress> eldest) {
      return size() > MAX_TRACKED_RECIPIENTS;
    }
  };
  private long nextSequence;
  private long postponed;

  private static final int MAX_TRACKED_RECIPIENTS = 10_000;

  /** What a recipient has confirmed lately. */
  private static final class Progress {
    long lastConfirmNanos = Long.MIN_VALUE;
    long highestConfirmedSequence = -1;
  }

  /**
   * @param maxLifetimeNanos how long after its first send a message may still be re-sent; at
   *     that point it expires whatever ttl it has left
   */
  Outbox(long firstIntervalNanos, double backoff, long maxIntervalNanos, long maxLifetimeNanos) {
    if (maxLifetimeNanos <= 0) {
      throw new IllegalArgumentException("maxLifetimeNanos must be positive, got " + maxLifetimeNanos);
    }
    this.firstIntervalNanos = firstIntervalNanos;
    this.backoff = backoff;
    this.maxIntervalNanos = maxIntervalNanos;
    this.maxLifetimeNanos = maxLifetimeNanos;
  }

  /** Starts tracking a message just sent for the first time. */
  void track(Pending p, long nowNanos) {
    p.attempts = 1;
    p.sequence = nextSequence++;
    p.firstSentNanos = nowNanos;
    p.checkedNanos = nowNanos;
    p.intervalNanos = firstIntervalNanos;
    p.giveUpNanos = nowNanos + maxLifetimeNanos < nowNanos ? Long.MAX_VALUE : nowNanos + maxLifetimeNanos;
    p.deadlineNanos = timer(p, nowNanos);
    byId.put(p.message.id(), p);
    timers.add(p);
  }

  /**
   * Starts tracking a message of the previous run, first sent {@code ageNanos} ago (wall clock),
   * as it is sent again now. Its give-up deadline stays where its first send put it; its ttl is
   * spent as if its repeats had gone on while the endpoint was down, but at least this send is
   * made. False, tracking nothing, when its give-up deadline has passed.
   */
  boolean resume(Pending p, long nowNanos, long ageNanos) {
    if (ageNanos >= maxLifetimeNanos) {
      return false;
    }
    int repeats = 0;
    long interval = firstIntervalNanos;
    long due = interval;
    while (due <= ageNanos && repeats < p.ttlLeft) {
      repeats++;
      interval = Math.min(maxIntervalNanos, (long) (interval * backoff));
      due += interval;
    }
    p.ttlLeft -= repeats;
    p.attempts = repeats + 2; // the first send and the repeats its schedule had made, and this one
    p.sequence = nextSequence++;
    p.firstSentNanos = nowNanos - ageNanos;
    p.checkedNanos = nowNanos;
    p.intervalNanos = interval;
    p.giveUpNanos = nowNanos + (maxLifetimeNanos - ageNanos);
    p.deadlineNanos = timer(p, nowNanos);
    byId.put(p.message.id(), p);
    timers.add(p);
    return true;
  }

  /** A confirmation arrived: stops tracking {@code id}, notes the recipient's progress, returns the entry or null. */
  Pending confirmed(String id, long nowNanos) {
    Pending p = remove(id);
    if (p != null) {
      Progress pr = progress.computeIfAbsent(p.message.to(), k -> new Progress());
      pr.lastConfirmNanos = nowNanos;
      pr.highestConfirmedSequence = Math.max(pr.highestConfirmedSequence, p.sequence);
    }
    return p;
  }

  /**
   * Notes that {@code id}'s recipient could not be reached for now; the message stays in
   * flight and is repeated as usual, and fails as unreachable if its ttl runs out.
   */
  void noteUnreachable(String id, String by, String reason) {
    Pending p = byId.get(id);
    if (p != null) {
      p.unreachableBy = by;
      p.unreachableReason = reason;
    }
  }

  /** Stops tracking {@code id} and returns its entry, or null if it is not (or no longer) here. */
  Pending remove(String id) {
    Pending p = byId.remove(id);
    if (p != null) {
      p.done = true;
    }
    return p;
  }

  /**
   * Handles every entry whose deadline has passed: one with ttl left is counted as re-sent
   * (ttl decremented, next interval backed off) and passed to {@code resend}; one with none
   * left, or at its give-up deadline, is removed and passed to {@code expired}. Stops early
   * when {@code canContinue} says so.
   */
  void runDue(long nowNanos, Consumer<Pending> resend, Consumer<Pending> expired, BooleanSupplier canContinue) {
    while (!timers.isEmpty() && timers.peek().deadlineNanos <= nowNanos && canContinue.getAsBoolean()) {
      Pending p = timers.poll();
      if (p.done) {
        continue;
      }
      if (nowNanos >= p.giveUpNanos) {
        remove(p.message.id()); // its lifetime is over: a repeat now could outlive the receiver's memory of it
        expired.accept(p);
        continue;
      }
      Progress pr = progress.get(p.message.to());
      if (pr != null && pr.highestConfirmedSequence < p.sequence && pr.lastConfirmNanos > p.checkedNanos) {
        postponed++; // the recipient is alive and busy with earlier messages: wait, spend no ttl
        p.checkedNanos = nowNanos;
        p.deadlineNanos = timer(p, nowNanos);
        timers.add(p);
        continue;
      }
      p.checkedNanos = nowNanos;
      if (p.ttlLeft <= 0) {
        remove(p.message.id());
        expired.accept(p);
        continue;
      }
      p.ttlLeft--;
      p.attempts++;
      p.intervalNanos = Math.min(maxIntervalNanos, (long) (p.intervalNanos * backoff));
      p.deadlineNanos = timer(p, nowNanos);
      timers.add(p);
      resend.accept(p);
    }
  }

  /** When {@code p}'s timer should next fire: one interval from now, but never past its give-up deadline. */
  private static long timer(Pending p, long nowNanos) {
    return Math.min(nowNanos + p.intervalNanos, p.giveUpNanos);
  }

  /** Nanoseconds until the next deadline (0 if one is due), or {@code Long.MAX_VALUE} if none. */
  long nanosUntilNext(long nowNanos) {
    while (!timers.isEmpty() && timers.peek().done) {
      timers.poll();
    }
    return timers.isEmpty() ? Long.MAX_VALUE : Math.max(0, timers.peek().deadlineNanos - nowNanos);
  }

  /** Removes and returns every entry (closing). */
  List<Pending> drain() {
    List<Pending> all = new ArrayList<>(byId.values());
    all.forEach(p -> p.done = true);
    byId.clear();
    timers.clear();
    return all;
  }

  int size() {
    return byId.size();
  }

  boolean contains(String id) {
    return byId.containsKey(id);
  }

  /** How many timers were postponed because the recipient was busy with earlier messages. */
  long postponedCount() {
    return postponed;
  }
}
