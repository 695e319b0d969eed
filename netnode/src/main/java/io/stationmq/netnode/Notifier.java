package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs user callbacks (future completions and {@link EndpointListener} events) in order, one
 * at a time, in a lane of the shared worker pool, so that the socket thread never runs user
 * code (an unbounded {@link SerialLane}; after {@link #shutdown}, callbacks run on their caller).
 * Its queue is bounded in practice by the outbox bound and the event rate. A callback that
 * throws is logged and ignored. Thread-safe.
 */
final class Notifier implements Requests.Completions {
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);
  private final EndpointListener listener;
  private final SerialLane<Runnable> lane;
  private volatile boolean shutdown;

  /** Runs callbacks in order on {@code pool} (the process's shared workers, in one lane of this endpoint's). */
  Notifier(Executor pool, EndpointListener listener) {
    this(pool, listener, null);
  }

  /**
   * As above; callbacks given on the socket thread (owner of {@code starter}) start at its next
   * {@link SerialLane.Starter#start} (the end of each visit of the loop), so a burst of
   * completions wakes one worker.
   */
  Notifier(Executor pool, EndpointListener listener, SerialLane.Starter starter) {
    this.listener = listener;
    this.lane = new SerialLane<>(pool, starter, SerialLane.UNBOUNDED, Notifier::runGuarded, null, null);
  }

  @Override
  public <T> void complete(CompletableFuture<T> future, T value) {
    run(() -> future.complete(value));
  }

  void fail(CompletableFuture<DeliveryReceipt> future, Message message, DeliveryException error) {
    run(() -> {
      future.completeExceptionally(error);
      listener.deliveryFailed(message, error);
    });
  }

  @Override
  public void failWith(CompletableFuture<?> future, Throwable error) {
    run(() -> future.completeExceptionally(error));
  }

  /** True when {@code t} is running one of this endpoint's callbacks now. */
  boolean isCallbackThread(Thread t) {
    return lane.isRunningOn(t);
  }

  /** Calls the listener on the callback lane. */
  void run(java.util.function.Consumer<EndpointListener> event) {
    run(() -> event.accept(listener));
  }

  void handlerFailed(Message message, Throwable error) {
    run(() -> listener.handlerFailed(message, error));
  }

  void unknownKey(Message message) {
    run(() -> listener.unknownKey(message));
  }

  void malformed(String source, String reason) {
    run(() -> listener.malformed(source, reason));
  }

  void unreachable(String recipient, String messageId, String reason) {
    run(() -> listener.unreachable(recipient, messageId, reason));
  }

  private void run(Runnable task) {
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

  /** Runs what is queued; waits for it unless called from a callback. Later callbacks run on their caller. */
  void shutdown(long timeoutMillis) {
    lane.awaitIdle(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    shutdown = true;
    if (!lane.isRunningOn(Thread.currentThread())) {
      lane.drainHere(); // what came in meanwhile, or what did not finish in time
    }
  }
}
