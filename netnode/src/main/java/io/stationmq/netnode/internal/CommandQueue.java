package io.stationmq.netnode.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hand-off from any thread to the socket thread: a queue of commands (messages to send,
 * messages the workers handled, close) and a one-byte wake-up pipe that the socket thread
 * polls with its sockets. A byte is written only when no wake-up is pending, so a busy endpoint
 * writes almost none; the socket thread drains the pipe before it clears the flag, so no
 * wake-up is lost. Counts the messages waiting to be sent. Thread-safe.
 */
final class CommandQueue implements AutoCloseable {
  private final ConcurrentLinkedQueue<Object> commands = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final AtomicInteger queuedSends = new AtomicInteger();
  private final Pipe pipe;

  CommandQueue() {
    try {
      this.pipe = Pipe.open();
      pipe.source().configureBlocking(false);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the wake-up pipe", e);
    }
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

  /** Wakes the socket thread from its poll; cheap when a wake-up is already pending. */
  void wakeUp() {
    if (wakePending.compareAndSet(false, true)) {
      try {
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
      } catch (IOException closed) {
        // The socket thread has ended; nothing to wake.
      }
    }
  }

  /** What the socket thread polls. */
  SelectableChannel wakeSource() {
    return pipe.source();
  }

  /**
   * The socket thread was woken: drain, then clear. Clearing first would let a caller's byte
   * be drained with the flag left set, after which no caller writes again (a lost wake-up); a
   * command queued before its caller's compare-and-set is seen by the next poll of the queue
   * either way.
   */
  void woken() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64);
    while (pipe.source().read(buf) > 0) {
      buf.clear();
    }
    wakePending.set(false);
  }

  @Override
  public void close() throws IOException {
    pipe.sink().close();
    pipe.source().close();
  }
}
