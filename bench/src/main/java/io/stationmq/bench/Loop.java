package io.stationmq.bench;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A thread that runs a body until {@link #close()}; the body polls {@link #running()}. Closing
 * stops it, waits for it and rethrows what it threw, so a failed sender or receiver fails
 * the run instead of silently slowing it.
 */
final class Loop implements AutoCloseable {
  /** What the thread runs. */
  @FunctionalInterface
  interface Body {
    void run(Loop loop) throws Exception;
  }

  private final Thread thread;
  private volatile boolean stopped;
  private volatile Throwable failure;
  private final CountDownLatch ready = new CountDownLatch(1);

  private Loop(String name, Body body) {
    thread = new Thread(() -> {
      try {
        body.run(this);
      } catch (Throwable t) {
        failure = t;
        stopped = true;
      }
    }, name);
    thread.setDaemon(true);
  }

  /** Starts {@code body} on a new thread called {@code name}. */
  static Loop start(String name, Body body) {
    Loop loop = new Loop(name, body);
    loop.thread.start();
    return loop;
  }

  /** Called by the body once set up (connected, handshake done). */
  void ready() {
    ready.countDown();
  }

  /** Waits until the body called {@link #ready()}; fails if it failed or took too long. */
  void awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (!ready.await(10, TimeUnit.MILLISECONDS)) {
      if (failure != null) {
        throw new IllegalStateException("thread " + thread.getName() + " failed: " + failure, failure);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("thread " + thread.getName() + " not ready within " + timeout + " " + unit);
      }
    }
  }

  /** True until {@link #close()} is called or the body failed. */
  boolean running() {
    return !stopped;
  }

  /**
   * Waits until fewer than {@code window} messages are sent but not received, parking
   * briefly between checks (the machine has 2 cores: spinning would steal the receiver's).
   * Returns false when the loop is stopped meanwhile.
   */
  boolean awaitCredit(long sent, LongSupplier received, int window) {
    int spins = 0;
    while (sent - received.getAsLong() >= window) {
      if (stopped) {
        return false;
      }
      if (++spins < 50) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
      }
    }
    return true;
  }

  /** Stops the thread and waits for it; rethrows its failure. */
  @Override
  public void close() {
    stopped = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
      throw new IllegalStateException("thread " + thread.getName() + " did not stop within 15 s");
    }
    if (failure instanceof Exception) {
      throw new IllegalStateException("thread " + thread.getName() + " failed: " + failure, failure);
    }
    if (failure != null) {
      throw (Error) failure;
    }
  }

  /** Loops closed together, the last started first (senders before the peers they send to). */
  static final class Group implements AutoCloseable {
    private final Deque<Loop> loops = new ArrayDeque<>();

    /** Adds a started loop; returns it. */
    Loop add(Loop loop) {
      loops.push(loop);
      return loop;
    }

    @Override
    public void close() {
      RuntimeException first = null;
      while (!loops.isEmpty()) {
        try {
          loops.pop().close();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }
}
