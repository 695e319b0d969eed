package io.stationmq.netnode.internal;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hand-off from any thread to the socket loop: a queue of commands (messages to send,
 * messages the workers handled, close) and a wake-up of this endpoint on the loop, made only
 * when none is pending, so a busy endpoint wakes the loop almost never. The loop clears the
 * pending flag ({@link #woken}) before it takes commands, so a command queued after that wakes
 * it again and none is stranded. Counts the messages waiting to be sent. Thread-safe.
 */
final class CommandQueue {
  private final ConcurrentLinkedQueue<Object> commands = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final AtomicInteger queuedSends = new AtomicInteger();
  private final Runnable wake;

  /** {@code wake} asks the loop to serve this endpoint (any thread). */
  CommandQueue(Runnable wake) {
    this.wake = wake;
  }

  /** Queues a message to send (any thread) and wakes the socket thread. */
  void addSend(Object send) {
    queuedSends.incrementAndGet();
    commands.add(send);
    wakeUp();
  }

  /** Queues any other command (any thread) and wakes the socket thread. */
  void add(Object command) {
    commands.add(command);
    wakeUp();
  }

  /** Puts commands back, unwoken (socket thread, closing). */
  void putBack(List<Object> others) {
    commands.addAll(others);
  }

  /** The next command, or null (socket thread). A send taken off no longer counts as queued. */
  Object poll(Class<?> sendType) {
    Object c = commands.poll();
    if (sendType.isInstance(c)) {
      queuedSends.decrementAndGet();
    }
    return c;
  }

  boolean isEmpty() {
    return commands.isEmpty();
  }

  /** Messages queued to be sent and not yet taken by the socket thread. */
  int queuedSends() {
    return queuedSends.get();
  }

  /** Wakes the socket loop for this endpoint; cheap when a wake-up is already pending. */
  void wakeUp() {
    if (wakePending.compareAndSet(false, true)) {
      wake.run();
    }
  }

  /** The loop is serving this endpoint: later commands wake it again. Call before taking commands. */
  void woken() {
    wakePending.set(false);
  }
}
