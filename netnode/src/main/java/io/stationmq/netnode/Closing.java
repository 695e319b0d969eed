package io.stationmq.netnode;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The close sequence of one endpoint, and the state it goes through: requested, intake
 * stopped, lanes stopped, sockets closed, finished. {@link #close()} runs on the caller's
 * thread; the socket loop reports its steps ({@link #intakeStopped()}, {@link #terminated()},
 * {@link #socketsClosed()}). The order is what makes a close lose nothing it confirmed: the loop
 * stops reading first, so every message it confirmed is already queued for the lanes; the lanes
 * run dry; the loop confirms what they handled and closes the sockets; the callbacks run out and
 * the runtime is released, once.
 *
 * <p>A listen or callback closing its own endpoint does not wait: the loop waits (without
 * blocking, up to {@link #TIMEOUT_MILLIS}) for the lanes, and a worker finishes the close. A
 * second caller waits for the first unless it is one of the endpoint's own threads.
 *
 * <p>Thread-safe. A step of the loop that does not come within {@link #TIMEOUT_MILLIS} is logged
 * and the close goes on. Unit-tested with fake steps (no sockets).
 */
final class Closing {
  private static final Logger log = LoggerFactory.getLogger(Closing.class);
  /** How long each step of a close may take before the close goes on without it. */
  static final long TIMEOUT_MILLIS = 5_000;

  /** What the close sequence does to the rest of the endpoint. */
  interface Steps {
    /** Wakes the socket loop for this endpoint. */
    void wakeUp();

    /** Stops the listen lanes, waiting up to {@code timeoutMillis} for them (see {@link Dispatcher#shutdown}). */
    void stopLanes(long timeoutMillis);

    /** True once the lanes have run dry. */
    boolean lanesStopped();

    /** Queues the command that makes the loop close the sockets. */
    void queueClose();

    /** True for the endpoint's own threads: a worker running its listen, or its callback. */
    boolean isOwnThread(Thread t);

    /** The last step: runs the callbacks out (up to {@code timeoutMillis}) and releases the runtime. */
    void release(long timeoutMillis);

    /** Runs {@code r} on a worker (never on the loop: releasing may end the runtime). */
    void onWorker(Runnable r);
  }

  private final String id;
  private final Steps steps;
  private final AtomicBoolean requested = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final CountDownLatch intakeStopped = new CountDownLatch(1);
  private final CountDownLatch socketsClosed = new CountDownLatch(1);
  private volatile boolean closing;
  private volatile boolean terminated;
  private volatile boolean finishOnWorker;
  private volatile long lanesDeadlineNanos;

  Closing(String id, Steps steps) {
    this.id = id;
    this.steps = steps;
  }

  /** True once close was requested. */
  boolean isRequested() {
    return requested.get();
  }

  /** True once the endpoint closes (or its loop failed): it takes nothing new. */
  boolean isClosing() {
    return closing;
  }

  /** True once the sockets are closed (or never opened). */
  boolean isTerminated() {
    return terminated;
  }

  /** Closes the endpoint; see the class comment for who waits. */
  void close() {
    if (!requested.compareAndSet(false, true)) {
      if (!steps.isOwnThread(Thread.currentThread())) {
        try {
          closed.await(3 * TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return;
    }
    closing = true;
    steps.wakeUp();
    await(intakeStopped, "stop reading");
    steps.stopLanes(TIMEOUT_MILLIS);
    boolean handOver = steps.isOwnThread(Thread.currentThread());
    finishOnWorker = handOver;
    lanesDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    steps.queueClose();
    if (handOver) {
      if (terminated) { // the sockets were closed meanwhile (the loop failed): finish here
        finish(0);
      }
      return;
    }
    await(socketsClosed, "close its sockets");
    finish(TIMEOUT_MILLIS);
  }

  /** Closes an endpoint that failed to start, waiting for nothing but its sockets. */
  void closeQuietly() {
    requested.set(true);
    closing = true;
    if (!terminated) {
      lanesDeadlineNanos = System.nanoTime();
      steps.queueClose();
      await(socketsClosed, "close its sockets");
    }
    steps.stopLanes(0);
    finish(TIMEOUT_MILLIS);
  }

  // ------------------------------------------------------------------ the socket loop's steps

  /** True when the loop must stop reading now (closing, and it has not yet said so). */
  boolean mustStopIntake() {
    return closing && intakeStopped.getCount() > 0;
  }

  /** The loop reads, hands over and confirms nothing more for this endpoint. */
  void intakeStopped() {
    intakeStopped.countDown();
  }

  /** The loop failed: the endpoint stops at once. */
  void failed() {
    closing = true;
    intakeStopped.countDown();
  }

  /** True while the loop should wait for the lanes before it closes the sockets (a listen closing its endpoint). */
  boolean waitForLanes() {
    return !steps.lanesStopped() && System.nanoTime() < lanesDeadlineNanos;
  }

  /** The sockets are closed, or will never open: callers' sends are refused from now on. */
  void terminated() {
    terminated = true;
  }

  /** The loop is done with this endpoint; a close handed over by one of its own threads finishes on a worker. */
  void socketsClosed() {
    intakeStopped.countDown();
    terminated = true;
    socketsClosed.countDown();
    if (finishOnWorker) {
      steps.onWorker(() -> finish(TIMEOUT_MILLIS));
    }
  }

  private void finish(long callbackTimeoutMillis) {
    if (finished.compareAndSet(false, true)) {
      steps.release(callbackTimeoutMillis);
      closed.countDown();
    }
  }

  private void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        log.warn("{}: the socket loop did not {} within {} ms", id, what, TIMEOUT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
