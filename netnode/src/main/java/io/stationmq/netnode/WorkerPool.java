package io.stationmq.netnode;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker threads a process's endpoints share ({@code stationmq-worker-N}): they run the
 * endpoints' listens and callbacks, each endpoint through lanes of its own that keep its
 * ordering (see {@link SerialLane}). {@code core} threads live as
 * long as the pool.
 *
 * <p>A listen may block (a motor moving, a future awaited). When every thread is busy and
 * tasks have waited for {@code starvedAfter}, {@link #checkStarvation} adds a thread, up to
 * {@code max}; such extra threads end after a minute without work. So blocking listens cost
 * threads, not other endpoints' progress, and a process whose listens are quick keeps a
 * handful of threads however many endpoints it holds.
 *
 * <p>Thread-safe.
 */
final class WorkerPool implements Executor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
  private static final long EXTRA_IDLE_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final Runnable STOP = () -> {};

  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final String namePrefix;
  private final int core;
  private final int max;
  private final long starvedAfterNanos;
  private final AtomicInteger threads = new AtomicInteger();
  private final AtomicInteger busy = new AtomicInteger();
  private final AtomicInteger names = new AtomicInteger();
  /** When a worker last took a task, or the queue was last seen empty ({@link System#nanoTime()}). */
  private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
  private final Set<Thread> all = ConcurrentHashMap.newKeySet();
  private volatile boolean shutdown;

  WorkerPool(String namePrefix, int core, int max, long starvedAfterNanos) {
    if (core < 1 || max < core) {
      throw new IllegalArgumentException("need 1 <= core <= max, got " + core + ", " + max);
    }
    this.namePrefix = namePrefix;
    this.core = core;
    this.max = max;
    this.starvedAfterNanos = starvedAfterNanos;
    for (int i = 0; i < core; i++) {
      startThread(true);
    }
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("the worker pool is shut down");
    }
    tasks.add(task);
  }

  /** True when tasks wait for a thread. */
  boolean hasQueued() {
    return !tasks.isEmpty();
  }

  /** Threads now (core and extra). */
  int threads() {
    return threads.get();
  }

  /**
   * Adds a thread when tasks have waited for {@code starvedAfter} with every thread busy;
   * cheap, called often (by the socket loop).
   */
  void checkStarvation(long nowNanos) {
    if (tasks.isEmpty()) {
      lastProgress.set(nowNanos);
      return;
    }
    if (busy.get() < threads.get() || nowNanos - lastProgress.get() < starvedAfterNanos || shutdown) {
      return;
    }
    int n = threads.get();
    if (n >= max) {
      return;
    }
    if (threads.compareAndSet(n, n + 1)) {
      lastProgress.set(nowNanos);
      startThread(false);
      log.debug("all {} workers busy for {} ms with work waiting: added one", n,
          TimeUnit.NANOSECONDS.toMillis(starvedAfterNanos));
    }
  }

  private void startThread(boolean isCore) {
    if (isCore) {
      threads.incrementAndGet();
    }
    Thread t = new Thread(() -> work(isCore), namePrefix + names.getAndIncrement());
    t.setDaemon(true);
    all.add(t);
    t.start();
  }

  private void work(boolean isCore) {
    try {
      while (true) {
        Runnable task;
        try {
          task = isCore ? tasks.take() : tasks.poll(EXTRA_IDLE_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          continue; // a listen's interrupt that arrived after it returned: not the pool's; STOP ends a thread
        }
        if (task == null || task == STOP) {
          return; // an extra thread idle for a minute, or the end of the pool
        }
        lastProgress.set(System.nanoTime());
        busy.incrementAndGet();
        try {
          task.run();
        } catch (RuntimeException | Error e) { // a task's failure is the task's, never the pool's
          log.error("a task on {} failed", Thread.currentThread().getName(), e);
        } finally {
          busy.decrementAndGet();
          Thread.interrupted(); // an interrupt meant for that task ends with it
        }
      }
    } finally {
      threads.decrementAndGet();
      all.remove(Thread.currentThread());
    }
  }

  /** Runs what is queued, then ends the threads; waits up to {@code timeoutMillis} for them, not for the calling one. */
  void shutdown(long timeoutMillis) {
    shutdown = true;
    for (int i = 0; i < max; i++) {
      tasks.add(STOP); // after what is queued; one for every thread there may be
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (Thread t : all) {
      if (t == Thread.currentThread()) {
        continue;
      }
      long left = deadline - System.nanoTime();
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (t.isAlive()) {
        log.warn("worker {} did not end within {} ms", t.getName(), timeoutMillis);
      }
    }
  }

  @Override
  public void close() {
    shutdown(5_000);
  }
}
