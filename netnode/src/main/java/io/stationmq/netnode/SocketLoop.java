package io.stationmq.netnode;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one socket thread of a process ({@code stationmq-io}): it owns every endpoint's sockets
 * and serves each endpoint when one of its sockets signals, when another thread wakes it, or
 * when its next timer is due. It waits in one {@link Selector} over the sockets' signal pipes
 * (ZeroMQ's {@code ZMQ_FD}), so an iteration costs what the active endpoints cost, not what all
 * endpoints cost: a thousand idle endpoints add nothing to a busy one.
 *
 * <p>ZeroMQ's signal is edge-triggered: a socket that still holds input after it was served
 * does not signal again. A client therefore reads until its socket is empty or a read budget is
 * spent, checks its sockets' events last (see {@link Client#serve}), and says {@link #ready}
 * when input is left, so it is served again at once.
 *
 * <p>{@link #wake}, {@link #execute} and {@link #close} may be called from any thread;
 * everything else runs on the loop thread. A client that throws is reported to its {@link
 * Client#failed} and no longer served; the loop serves everyone else.
 */
final class SocketLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SocketLoop.class);
  /** The longest the loop sleeps with nothing due: a safety net, never a schedule. */
  private static final long MAX_SLEEP_MILLIS = 1_000;

  /** An endpoint the loop serves. Each method runs on the loop thread. */
  interface Client {
    /**
     * Does everything due: commands from other threads, readable sockets, timers. Ends by
     * checking its sockets for input left (calling {@link #ready}) and scheduling its next
     * timer ({@link #schedule}).
     */
    void serve(long nowNanos);

    /** {@link #serve} threw: the client is no longer served. */
    void failed(Throwable e);
  }

  private final Thread thread;
  private final Selector selector;
  /**
   * True while the loop is awake or already signalled: a waker then only queues, since the loop
   * looks at its queue before it sleeps. Cleared just before the loop sleeps.
   */
  private final AtomicBoolean wakePending = new AtomicBoolean(true);
  private final AtomicLong wakeSignals = new AtomicLong();
  private final ConcurrentLinkedQueue<Object> woken = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final Set<Client> toServe = new LinkedHashSet<>();
  private final List<Client> readyNext = new ArrayList<>();
  private final Set<Client> failed = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Client, Timer> scheduled = new IdentityHashMap<>();
  private final Runnable beforeSleep;
  private volatile boolean stopping;

  /** A client's next timer; {@link #cancelled} when a newer one replaced it. */
  private static final class Timer implements Comparable<Timer> {
    final long due;
    final Client client;
    boolean cancelled;

    Timer(long due, Client client) {
      this.due = due;
      this.client = client;
    }

    @Override
    public int compareTo(Timer o) {
      return Long.compare(due, o.due);
    }
  }

  /**
   * Starts the loop thread. {@code beforeSleep} runs on it once per iteration before it
   * sleeps (the worker pool's starvation check).
   */
  SocketLoop(String threadName, Runnable beforeSleep) {
    this.beforeSleep = beforeSleep;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the socket loop's selector", e);
    }
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** The loop thread. */
  Thread thread() {
    return thread;
  }

  /** True on the loop thread. */
  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Serves {@code client} soon (any thread). Cheap when the loop is already awake. */
  void wake(Client client) {
    woken.add(client);
    signal();
  }

  /** Runs {@code task} on the loop thread soon (any thread). */
  void execute(Runnable task) {
    woken.add(task);
    signal();
  }

  /** Wake-ups given to the selector so far (any thread): a loop at work needs none. */
  long wakeSignals() {
    return wakeSignals.get();
  }

  private void signal() {
    if (wakePending.compareAndSet(false, true)) {
      wakeSignals.incrementAndGet();
      selector.wakeup(); // a no-op once the selector is closed
    }
  }

  /** Serves {@code client} whenever {@code channel} (a socket's ZMQ_FD) signals (loop thread). */
  SelectionKey register(SelectableChannel channel, Client client) {
    try {
      return channel.register(selector, SelectionKey.OP_READ, client);
    } catch (IOException e) {
      throw new IllegalStateException("cannot register a socket with the socket loop", e);
    }
  }

  /** The client has input left: serve it again in the next iteration (loop thread). */
  void ready(Client client) {
    readyNext.add(client);
  }

  /** Serves {@code client} at {@code dueNanos} ({@link System#nanoTime()}); replaces its earlier timer (loop thread). */
  void schedule(Client client, long dueNanos) {
    Timer old = scheduled.get(client);
    if (old != null) {
      if (old.due == dueNanos) {
        return;
      }
      old.cancelled = true;
    }
    Timer t = new Timer(dueNanos, client);
    scheduled.put(client, t);
    timers.add(t);
  }

  /**
   * Forgets {@code client}: no timer, no readiness (loop thread; its keys are cancelled by its
   * owner). Already chosen for this iteration, it is still served once: it must ignore that.
   */
  void remove(Client client) {
    Timer old = scheduled.remove(client);
    if (old != null) {
      old.cancelled = true;
    }
    readyNext.remove(client);
  }

  private void run() {
    try {
      while (!stopping) {
        iterate();
      }
    } catch (ClosedSelectorException e) {
      // closed under us: ending
    } catch (RuntimeException | Error e) {
      log.error("the socket loop failed; every endpoint of this process stops sending and receiving", e);
    } finally {
      try {
        selector.close();
      } catch (IOException e) {
        log.debug("closing the socket loop's selector failed", e);
      }
    }
  }

  private void iterate() {
    beforeSleep.run();
    long timeoutMillis = sleepMillis();
    if (timeoutMillis > 0) {
      // About to sleep: from now on a waker wakes the selector. What came before this is seen here.
      wakePending.set(false);
      if (!woken.isEmpty() || stopping) {
        timeoutMillis = 0;
      }
    }
    try {
      if (timeoutMillis == 0) {
        selector.selectNow();
      } else {
        selector.select(timeoutMillis);
      }
    } catch (IOException e) {
      log.warn("the socket loop's select failed; trying again", e);
    }
    for (SelectionKey key : selector.selectedKeys()) {
      toServe.add((Client) key.attachment());
    }
    selector.selectedKeys().clear();
    wakePending.set(true); // awake: wakers only queue, the loop looks at the queue before it sleeps
    Object w;
    while ((w = woken.poll()) != null) {
      if (w instanceof Runnable task) {
        runTask(task);
      } else {
        toServe.add((Client) w);
      }
    }
    toServe.addAll(readyNext);
    readyNext.clear();
    long now = System.nanoTime();
    while (!timers.isEmpty() && (timers.peek().cancelled || timers.peek().due <= now)) {
      Timer t = timers.poll();
      if (!t.cancelled) {
        scheduled.remove(t.client);
        toServe.add(t.client);
      }
    }
    for (Client c : toServe) {
      if (failed.contains(c)) {
        continue;
      }
      try {
        c.serve(now);
      } catch (RuntimeException | Error e) {
        failed.add(c);
        Timer old = scheduled.remove(c);
        if (old != null) {
          old.cancelled = true;
        }
        try {
          c.failed(e);
        } catch (RuntimeException e2) {
          log.error("a client failed while reporting its failure", e2);
        }
      }
    }
    toServe.clear();
  }

  private long sleepMillis() {
    if (!readyNext.isEmpty() || !woken.isEmpty()) {
      return 0;
    }
    Timer next = timers.peek();
    while (next != null && next.cancelled) {
      timers.poll();
      next = timers.peek();
    }
    if (next == null) {
      return MAX_SLEEP_MILLIS;
    }
    long nanos = next.due - System.nanoTime();
    if (nanos <= 0) {
      return 0;
    }
    return Math.min(MAX_SLEEP_MILLIS, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
  }

  private static void runTask(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("a task on the socket loop failed", e);
    }
  }

  /** Ends the loop thread and waits for it (up to {@code timeoutMillis}), unless called from it. */
  @Override
  public void close() {
    close(5_000);
  }

  void close(long timeoutMillis) {
    stopping = true;
    signal();
    if (inLoop()) {
      return;
    }
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("the socket loop did not end within {} ms", timeoutMillis);
    }
  }
}
