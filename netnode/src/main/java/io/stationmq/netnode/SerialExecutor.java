package io.stationmq.netnode;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order given, on a shared {@link Executor}: an unbounded
 * {@link SerialLane} of tasks over a pool of threads (an endpoint's callbacks keep their order
 * while every endpoint of the process shares the pool). After {@link #shutdown}, tasks run on
 * the caller.
 *
 * <p>Thread-safe. A task that throws is logged and ignored; the tasks after it still run.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final SerialLane<Runnable> lane;
  private volatile boolean shutdown;

  SerialExecutor(Executor pool) {
    this(pool, null);
  }

  /**
   * A lane whose tasks given on {@code starter}'s owner thread (a socket loop's) start at its
   * next {@link SerialLane.Starter#start}: a burst of them costs one wake-up of a worker, not one each.
   */
  SerialExecutor(Executor pool, SerialLane.Starter starter) {
    this.lane = new SerialLane<>(pool, starter, SerialLane.UNBOUNDED, SerialExecutor::runGuarded, null, null);
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      runGuarded(task);
    } else {
      lane.offer(task);
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
    return lane.isRunningOn(t);
  }

  /** Lets queued tasks run; waits up to {@code timeoutMillis} for them unless called from this lane. */
  void shutdown(long timeoutMillis) {
    lane.awaitIdle(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    shutdown = true;
    if (!lane.isRunningOn(Thread.currentThread())) {
      lane.drainHere(); // what came in meanwhile, or what did not finish in time
    }
  }
}
