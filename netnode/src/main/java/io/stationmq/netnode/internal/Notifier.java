package io.stationmq.netnode.internal;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryException;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs user callbacks (future completions and {@link EndpointListener} events) on one
 * callback thread, so that the socket thread never runs user code. Its queue is bounded in
 * practice by the outbox bound and the event rate. Thread-safe.
 */
final class Notifier implements Requests.Completions {
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  private final EndpointListener listener;
  private final ExecutorService executor;
  private final String threadName;
  private volatile Thread callbackThread;

  Notifier(String threadName, EndpointListener listener) {
    this.listener = listener;
    this.threadName = threadName;
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      callbackThread = t;
      return t;
    });
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

  boolean isCallbackThread(Thread t) {
    return t == callbackThread;
  }

  /** Calls the listener on the callback thread. */
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
    Runnable guarded = () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("endpoint listener or future callback threw; ignored", e);
      }
    };
    try {
      executor.execute(guarded);
    } catch (RejectedExecutionException closed) {
      guarded.run();
    }
  }

  /** Runs what is queued, then ends the callback thread; waits for it unless called from it. */
  void shutdown(long timeoutMillis) {
    executor.shutdown();
    if (isCallbackThread(Thread.currentThread())) {
      return;
    }
    try {
      if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        log.warn("callback thread did not finish within {} ms", timeoutMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
