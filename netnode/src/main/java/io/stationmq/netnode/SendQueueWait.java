package io.stationmq.netnode;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Blocks a sender until the send queue has room (see {@link
 * io.stationmq.netnode.EndpointOptions#sendQueueFullWait()}). The socket thread signals
 * nothing when it takes a message off the queue, so the caller polls, parking between looks:
 * 20 µs at first, doubling to 1 ms, which keeps a blocked producer within about a millisecond
 * of the socket thread's pace without spinning a core.
 */
final class SendQueueWait {
  private static final long FIRST_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private SendQueueWait() {}

  /**
   * Waits until {@code hasRoom} or {@code closed} holds, or {@code maxWait} has passed; true
   * when there is room. An interrupt ends the wait early (false) and stays set.
   */
  static boolean await(BooleanSupplier hasRoom, BooleanSupplier closed, Duration maxWait) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    long park = FIRST_PARK_NANOS;
    while (!hasRoom.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || closed.getAsBoolean() || Thread.currentThread().isInterrupted()) {
        return false;
      }
      LockSupport.parkNanos(Math.min(park, left));
      park = Math.min(MAX_PARK_NANOS, park * 2);
    }
    return true;
  }
}
