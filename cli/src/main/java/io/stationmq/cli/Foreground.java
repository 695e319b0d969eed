package io.stationmq.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A command that runs until Ctrl-C or SIGTERM (or until it ends itself): the signal wakes its
 * {@link #awaitStop} and then waits (at most {@link #GRACE}) for the command to {@link #close()},
 * so a final summary is printed before the JVM exits. Thread-safe; owns a shutdown hook until
 * closed.
 */
final class Foreground implements AutoCloseable {
  static final Duration GRACE = Duration.ofSeconds(3);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  Foreground(String command) {
    this(command, GRACE);
  }

  /** A foreground whose signal waits up to {@code grace} for the command to finish. */
  Foreground(String command, Duration grace) {
    this.hook = new Thread(() -> {
      stop.countDown();
      try {
        finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "stationmq-" + command + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Ends the wait: the command has done what it was asked (any thread). */
  void stop() {
    stop.countDown();
  }

  /** Waits up to {@code timeout}; true once stopped (by a signal or {@link #stop()}). */
  boolean awaitStop(Duration timeout) throws InterruptedException {
    return stop.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Waits until stopped. */
  void awaitStop() throws InterruptedException {
    stop.await();
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it returns now that the command finished
    }
  }
}
