package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs user callbacks (future completions and {@link EndpointListener} events) in order, one
 * at a time, in a lane of the shared worker pool, so that the socket thread never runs user
 * code. Its queue is bounded in
 * practice by the outbox bound and the event rate. Thread-safe.
 */
final class Notifier implements Requests.Completions {
  private final EndpointListener listener;
  private final SerialExecutor lane;

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
    this.lane = new SerialExecutor(pool, starter);
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
    lane.execute(task);
  }

  /** Runs what is queued; waits for it unless called from a callback. Later callbacks run on their caller. */
  void shutdown(long timeoutMillis) {
    lane.shutdown(timeoutMillis);
  }
}
