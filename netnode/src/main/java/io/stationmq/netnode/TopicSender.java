package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The sending side of a {@link TopicBroker}: confirmed sends through two windows (towards the
 * upstream, towards the peers below), and latest-only sends with one message in flight and one
 * waiting slot per peer and topic. Separate windows keep a Station and its parent, passing
 * messages both ways, from waiting on each other: a send down waits only for the subtree below.
 *
 * <p>Thread-safe: callers are the broker's listens and publishers; completions run on the
 * endpoint's callback lane. The slots are guarded by one lock, never held while sending.
 * Failures are counted ({@link #failed}) and logged, rate limited; one that only says the
 * endpoint is closing is counted, not logged. Not public API.
 */
final class TopicSender {
  static final int UP_WINDOW = 1_024;
  static final int DOWN_WINDOW = 4_096;
  /**
   * The ttl of topic messages: repeated until the endpoint's {@code maxDeliveryTime} rather than
   * a few times, because a Station holds back its confirmation while it waits for room in its
   * own window (back-pressure from a slow subscriber further down), and the receiver confirms a
   * repeat without handling it again.
   */
  static final int TTL = 1_000;

  private final String id;
  private final Supplier<Engine> engine;
  private final RateLimitedLog warnings;
  private final Semaphore upWindow = new Semaphore(UP_WINDOW);
  private final Semaphore downWindow = new Semaphore(DOWN_WINDOW);
  private volatile long windowWaitMillis = 60_000;
  private final Object lock = new Object();
  private final Map<String, Slot> slots = new HashMap<>(); // guarded by lock

  final LongAdder sentUp = new LongAdder();
  final LongAdder sentDown = new LongAdder();
  final LongAdder conflated = new LongAdder();
  final LongAdder failed = new LongAdder();

  /** A latest-only slot for one peer and topic: present while a send is in flight; the newest value waiting behind it. */
  private static final class Slot {
    Message waiting;
  }

  TopicSender(String id, Supplier<Engine> engine, RateLimitedLog warnings) {
    this.id = id;
    this.engine = engine;
    this.warnings = warnings;
  }

  /** How long a send waits for room in its window before it fails (the endpoint's maxDeliveryTime). */
  void windowWait(long millis) {
    windowWaitMillis = millis;
  }

  /** A confirmed send towards the upstream. */
  CompletableFuture<Void> up(Message m, String what) {
    return windowed(m, upWindow, UP_WINDOW, sentUp, what);
  }

  /** A confirmed send to a peer below. */
  CompletableFuture<Void> down(Message m, String what) {
    return windowed(m, downWindow, DOWN_WINDOW, sentDown, what);
  }

  private CompletableFuture<Void> windowed(Message m, Semaphore window, int size, LongAdder sent, String what) {
    try {
      if (!window.tryAcquire(windowWaitMillis, TimeUnit.MILLISECONDS)) {
        failed.increment();
        warnings.warn("{}: {} not sent: no room in the window within {} ms", id, what, windowWaitMillis);
        return CompletableFuture.failedFuture(new OutboxFullException(m.id(), m.to(), size));
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      failed.increment();
      return CompletableFuture.failedFuture(new EndpointClosedException(id, m.id(), m.to(), 0));
    }
    sent.increment();
    return engine.get().sendConfirmed(m, Route.AUTO).handle((r, err) -> {
      window.release();
      if (err != null) {
        failed.increment();
        if (!closing(err)) {
          warnings.warn("{}: {} failed: {}", id, what, String.valueOf(err));
        }
        throw err instanceof CompletionException ce ? ce : new CompletionException(err);
      }
      return null;
    });
  }

  /** Latest-only: sent now when nothing is in flight for this peer and topic, else it waits, replacing an older waiting value. */
  void latest(String peer, String topic, Message m) {
    String slotKey = peer + "\u0000" + topic;
    synchronized (lock) {
      Slot slot = slots.get(slotKey);
      if (slot != null) {
        if (slot.waiting != null) {
          conflated.increment();
        }
        slot.waiting = m;
        return;
      }
      slots.put(slotKey, new Slot());
    }
    latestNow(slotKey, m);
  }

  private void latestNow(String slotKey, Message m) {
    sentDown.increment();
    engine.get().sendConfirmed(m, Route.AUTO).whenComplete((r, err) -> {
      if (err != null) {
        failed.increment();
        if (!closing(err)) {
          warnings.warn("{}: latest value of '{}' to '{}' failed: {}", id, m.extraText("topic").orElse("?"), m.to(),
              String.valueOf(err));
        }
      }
      Message next;
      synchronized (lock) {
        Slot slot = slots.get(slotKey);
        next = slot == null ? null : slot.waiting;
        if (slot != null) {
          slot.waiting = null;
          if (next == null) {
            slots.remove(slotKey);
          }
        }
      }
      if (next != null) {
        latestNow(slotKey, next);
      }
    });
  }

  /** Forgets the waiting values for {@code peer} (gone). */
  void forget(String peer) {
    synchronized (lock) {
      // A slot in flight stays: its completion removes it.
      slots.forEach((k, s) -> {
        if (k.startsWith(peer + "\u0000")) {
          s.waiting = null;
        }
      });
    }
  }

  /** Values waiting behind a send in flight: at most one per peer and topic. */
  int waiting() {
    synchronized (lock) {
      return (int) slots.values().stream().filter(s -> s.waiting != null).count();
    }
  }

  /** True when {@code err} only says that this endpoint is closing. */
  static boolean closing(Throwable err) {
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    return cause instanceof EndpointClosedException;
  }
}
