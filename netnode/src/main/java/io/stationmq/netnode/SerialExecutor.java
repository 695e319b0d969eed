package io.stationmq.netnode;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order given, on a shared {@link Executor}: a lane of its
 * own over a pool of threads (an endpoint's callbacks keep their order while every endpoint of
 * the process shares the pool). At most {@code BATCH} tasks run per turn, so one busy lane
 * does not hold a thread from the others. After {@link #shutdown}, tasks run on the caller.
 *
 * <p>Thread-safe.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private static final int BATCH = 64;

  private final Executor pool;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable turn = this::turn;
  private volatile Thread running;
  private volatile boolean shutdown;
  /** The thread whose tasks wait for {@link #startDeferred} (a socket loop's), or null. */
  private final Thread deferring;
  /** A task from {@link #deferring} waits for {@link #startDeferred} (that thread only). */
  private boolean startPending;

  SerialExecutor(Executor pool) {
    this(pool, null);
  }

  /**
   * A lane whose tasks given by {@code deferring} start only at that thread's next {@link
   * #startDeferred}: a burst of them costs one wake-up of a worker, not one each.
   */
  SerialExecutor(Executor pool, Thread deferring) {
    this.pool = pool;
    this.deferring = deferring;
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      runGuarded(task);
      return;
    }
    tasks.add(task);
    if (Thread.currentThread() == deferring) {
      startPending = true; // a turn running now takes it, or startDeferred schedules one
    } else {
      schedule();
    }
  }

  /** Starts what the deferring thread gave since its last call (that thread only). */
  void startDeferred() {
    if (startPending) {
      startPending = false;
      schedule();
    }
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      pool.execute(turn);
    }
  }

  private void turn() {
    running = Thread.currentThread();
    try {
      for (int i = 0; i < BATCH; i++) {
        Runnable task = tasks.poll();
        if (task == null) {
          break;
        }
        runGuarded(task);
      }
    } finally {
      running = null;
      scheduled.set(false);
    }
    if (!tasks.isEmpty()) {
      schedule();
    }
  }

  private static void runGuarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("endpoint listener or future callback threw; ignored", e);
    }
  }

  /** True when {@code t} is running this lane's task now. */
  boolean isRunningOn(Thread t) {
    return running == t;
  }

  /** Lets queued tasks run; waits up to {@code timeoutMillis} for them unless called from this lane. */
  void shutdown(long timeoutMillis) {
    if (Thread.currentThread() == deferring) {
      startDeferred();
    }
    if (isRunningOn(Thread.currentThread())) {
      shutdown = true;
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while ((!tasks.isEmpty() || scheduled.get()) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(200_000L); // the polling interval of a deadline-bounded wait
    }
    shutdown = true;
    Runnable task;
    while ((task = tasks.poll()) != null) { // what came in meanwhile, or what did not finish in time
      runGuarded(task);
    }
  }
}
