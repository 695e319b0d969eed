package io.stationmq.netnode.internal;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.Route;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Confirmed messages waiting for their confirmation, with one timer queue for their re-sends
 * (a heap ordered by deadline; confirmed entries are skipped when they surface, so nothing
 * scans the whole outbox). Owned by the socket thread; not thread-safe.
 */
final class Outbox {
  /** One confirmed message in flight. Fields are the socket thread's. */
  static final class Pending {
    final Message message;
    final Route route;
    final CompletableFuture<DeliveryReceipt> future;
    int attempts;
    int ttlLeft;
    long firstSentNanos;
    long intervalNanos;
    long deadlineNanos;
    boolean done;

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
  private final HashMap<String, Pending> byId = new HashMap<>();
  private final PriorityQueue<Pending> timers =
      new PriorityQueue<>(Comparator.comparingLong((Pending p) -> p.deadlineNanos));

  Outbox(long firstIntervalNanos, double backoff, long maxIntervalNanos) {
    this.firstIntervalNanos = firstIntervalNanos;
    this.backoff = backoff;
    this.maxIntervalNanos = maxIntervalNanos;
  }

  /** Starts tracking a message just sent for the first time. */
  void track(Pending p, long nowNanos) {
    p.attempts = 1;
    p.firstSentNanos = nowNanos;
    p.intervalNanos = firstIntervalNanos;
    p.deadlineNanos = nowNanos + firstIntervalNanos;
    byId.put(p.message.id(), p);
    timers.add(p);
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
   * left is removed and passed to {@code expired}.
   */
  void runDue(long nowNanos, Consumer<Pending> resend, Consumer<Pending> expired) {
    while (!timers.isEmpty() && timers.peek().deadlineNanos <= nowNanos) {
      Pending p = timers.poll();
      if (p.done) {
        continue;
      }
      if (p.ttlLeft <= 0) {
        remove(p.message.id());
        expired.accept(p);
        continue;
      }
      p.ttlLeft--;
      p.attempts++;
      p.intervalNanos = Math.min(maxIntervalNanos, (long) (p.intervalNanos * backoff));
      p.deadlineNanos = nowNanos + p.intervalNanos;
      timers.add(p);
      resend.accept(p);
    }
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
}
