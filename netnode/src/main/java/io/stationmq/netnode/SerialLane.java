package io.stationmq.netnode;

import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serial lane over a shared pool (the {@link Dispatcher}'s listens, the {@link Notifier}'s
 * callbacks): items are handled one at a time, in the order offered, at most {@link #BATCH} per
 * turn so a busy lane does not hold a thread from the others. A bounded lane refuses an item when
 * full and runs {@code onSpaceFreed} once it has room again. Items offered on a {@link Starter}'s
 * owner thread (a socket loop) wait for its {@link Starter#start} (the end of its visit): a burst
 * wakes one worker, not one per item.
 *
 * <p>{@link #offer} from any thread; a bounded lane's wake-up is meant for one producer. A
 * handler that throws is logged and the lane goes on with the next item.
 */
final class SerialLane<T> {
  private static final Logger log = LoggerFactory.getLogger(SerialLane.class);
  /** Items handled per turn at most. */
  static final int BATCH = 64;
  /** The capacity of a lane that never refuses. */
  static final int UNBOUNDED = Integer.MAX_VALUE;

  private final Executor pool;
  private final Starter starter;
  private final Queue<T> queue;
  private final Consumer<? super T> handler;
  private final Runnable onSpaceFreed;
  private final Runnable onRunDry;
  private final Runnable turn = this::turn;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile Thread running;
  private volatile boolean producerWaiting;
  /** Waits for {@link #starter}'s start (its owner thread only). */
  private boolean startPending;

  /**
   * {@code starter}, {@code onSpaceFreed} (runs after a refusal) and {@code onRunDry} (after a turn
   * that left the lane empty) may be null; {@code capacity} {@link #UNBOUNDED}: never refuses.
   */
  SerialLane(Executor pool, Starter starter, int capacity, Consumer<? super T> handler, Runnable onSpaceFreed,
      Runnable onRunDry) {
    this.pool = pool;
    this.starter = starter;
    this.queue = capacity == UNBOUNDED ? new ConcurrentLinkedQueue<>() : new ArrayBlockingQueue<>(capacity);
    this.handler = handler;
    this.onSpaceFreed = onSpaceFreed;
    this.onRunDry = onRunDry;
  }

  /** Queues {@code item}; false when the lane is full (then {@code onSpaceFreed} runs once it has room). */
  boolean offer(T item) {
    if (!queue.offer(item)) {
      producerWaiting = true;
      if (!queue.offer(item)) { // the lane may have drained between the refusal and the flag: once more
        return false;
      }
      producerWaiting = false;
    }
    if (starter != null && Thread.currentThread() == starter.owner) {
      starter.defer(this);
    } else {
      schedule();
    }
    return true;
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
        T item = queue.poll();
        if (item == null) {
          break;
        }
        if (onSpaceFreed != null && producerWaiting) {
          producerWaiting = false;
          onSpaceFreed.run();
        }
        handle(item);
      }
    } finally {
      running = null;
      scheduled.set(false);
    }
    if (!queue.isEmpty()) {
      schedule();
    } else if (onRunDry != null) {
      onRunDry.run();
    }
  }

  private void handle(T item) {
    try {
      handler.accept(item);
    } catch (Throwable e) { // an item's failure is the item's, never the lane's
      log.error("an item of a serial lane failed; the lane goes on", e);
    }
  }

  /** True when {@code t} is handling this lane's item now. */
  boolean isRunningOn(Thread t) {
    return running == t;
  }

  /** The thread handling this lane's item now, or null. */
  Thread running() {
    return running;
  }

  /** True when nothing is queued or running, or only the item running on {@code self} (may be null). */
  boolean idleOrOn(Thread self) {
    return (queue.isEmpty() && !scheduled.get()) || (self != null && running == self);
  }

  /** Waits until {@link #idleOrOn} the caller or {@code deadlineNanos}; starts the owner's lanes first. True when idle. */
  boolean awaitIdle(long deadlineNanos) {
    Thread self = Thread.currentThread();
    if (starter != null && self == starter.owner) {
      starter.start();
    }
    while (!idleOrOn(self)) {
      if (System.nanoTime() - deadlineNanos >= 0) {
        return false;
      }
      LockSupport.parkNanos(200_000L); // the polling interval of a deadline-bounded wait
    }
    return true;
  }

  /** Handles what is queued on the calling thread, in order (a lane past its shutdown). */
  void drainHere() {
    T item;
    while ((item = queue.poll()) != null) {
      handle(item);
    }
  }

  /**
   * The end of a socket loop's visit: the lanes its owner thread gave items since the last {@link
   * #start}, started then or every {@link #START_EVERY} items. Owner thread only.
   */
  static final class Starter {
    static final int START_EVERY = 32;
    private final Thread owner;
    private final ArrayList<SerialLane<?>> pending = new ArrayList<>();
    private int deferred;

    Starter(Thread owner) {
      this.owner = owner;
    }

    private void defer(SerialLane<?> lane) {
      if (!lane.startPending && !lane.scheduled.get()) { // a running turn takes it, or schedules again
        lane.startPending = true;
        pending.add(lane);
      }
      if (++deferred >= START_EVERY) {
        start();
      }
    }

    /** Starts the lanes given items since the last call: one turn each (owner thread only). */
    void start() {
      deferred = 0;
      for (int i = 0; i < pending.size(); i++) {
        SerialLane<?> lane = pending.get(i);
        lane.startPending = false;
        lane.schedule();
      }
      pending.clear();
    }
  }
}
