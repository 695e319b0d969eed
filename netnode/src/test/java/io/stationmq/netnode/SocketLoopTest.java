package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The socket loop without sockets: pipes stand in for ZeroMQ's signal descriptors. */
@Timeout(30)
class SocketLoopTest {
  /** A client that counts its visits; {@code onServe} runs on the loop. */
  private static final class Counting implements SocketLoop.Client {
    final AtomicInteger served = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    volatile Runnable onServe = () -> {};

    @Override
    public void serve(long nowNanos) {
      served.incrementAndGet();
      onServe.run();
    }

    @Override
    public void failed(Throwable e) {
      failures.incrementAndGet();
    }
  }

  @Test
  void aWakeUpFromAnyThreadServesThatClientOnly() {
    try (SocketLoop loop = new SocketLoop("test-loop", () -> {})) {
      Counting a = new Counting();
      Counting b = new Counting();
      for (int i = 0; i < 1_000; i++) {
        loop.wake(a);
      }
      Await.until("a served", () -> a.served.get() > 0);
      assertEquals(0, b.served.get(), "b was never woken, has no timer and no socket");
    }
  }

  @Test
  void aSignalledChannelServesItsClient() throws Exception {
    try (SocketLoop loop = new SocketLoop("test-loop", () -> {})) {
      Counting c = new Counting();
      Pipe pipe = Pipe.open();
      pipe.source().configureBlocking(false);
      ByteBuffer drain = ByteBuffer.allocate(16);
      c.onServe = () -> {
        try {
          pipe.source().read(drain.clear()); // as a socket's events check drains its signal
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      };
      loop.execute(() -> loop.register(pipe.source(), c));
      int before = c.served.get();
      pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
      Await.until("served after the signal", () -> c.served.get() > before);
      pipe.sink().close();
      pipe.source().close();
    }
  }

  @Test
  void aTimerServesAtItsTimeAndAReplacedTimerDoesNot() {
    try (SocketLoop loop = new SocketLoop("test-loop", () -> {})) {
      Counting c = new Counting();
      long[] servedAt = new long[1];
      c.onServe = () -> servedAt[0] = System.nanoTime();
      long start = System.nanoTime();
      loop.execute(() -> {
        loop.schedule(c, start + TimeUnit.SECONDS.toNanos(60)); // replaced at once
        loop.schedule(c, start + TimeUnit.MILLISECONDS.toNanos(50));
      });
      Await.until("served by its timer", () -> c.served.get() == 1);
      assertTrue(servedAt[0] - start >= TimeUnit.MILLISECONDS.toNanos(50), "not before its time");
    }
  }

  @Test
  void aClientThatThrowsIsDroppedAndTheOthersAreStillServed() {
    try (SocketLoop loop = new SocketLoop("test-loop", () -> {})) {
      Counting bad = new Counting();
      bad.onServe = () -> {
        throw new IllegalStateException("a bug");
      };
      Counting good = new Counting();
      loop.wake(bad);
      Await.until("bad reported", () -> bad.failures.get() == 1);
      loop.wake(bad);
      loop.wake(good);
      Await.until("good served", () -> good.served.get() == 1);
      assertEquals(1, bad.served.get(), "a failed client is not served again");
    }
  }

  @Test
  void readyServesAgainWithoutAWakeUp() {
    try (SocketLoop loop = new SocketLoop("test-loop", () -> {})) {
      Counting c = new Counting();
      c.onServe = () -> {
        if (c.served.get() < 5) {
          loop.ready(c); // input left: come back
        }
      };
      loop.wake(c);
      Await.until("served five times from one wake-up", () -> c.served.get() == 5);
    }
  }

  @Test
  void wakeUpsWhileTheLoopWorksWriteNoSignalAndNoneIsLost() throws Exception {
    try (SocketLoop loop = new SocketLoop("test-loop", () -> {})) {
      CountDownLatch busy = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      loop.execute(() -> {
        busy.countDown();
        try {
          release.await(); // the loop at work
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      busy.await();
      long signalsBefore = loop.wakeSignals();
      Counting c = new Counting();
      for (int i = 0; i < 1_000; i++) {
        loop.wake(c);
      }
      assertEquals(signalsBefore, loop.wakeSignals(), "an awake loop looks at its queue before it sleeps");
      release.countDown();
      Await.until("served once the loop is free", () -> c.served.get() > 0);
    }
  }

  @Test
  void aWakeUpRacingTheLoopIntoSleepIsNeverLost() {
    try (SocketLoop loop = new SocketLoop("test-loop", () -> {})) {
      AtomicInteger ran = new AtomicInteger();
      // Each task is given as the loop finishes the previous one and goes to sleep: a lost
      // wake-up would leave it for the loop's one-second safety net, and 2,000 of them
      // would outlast the class's timeout.
      for (int i = 1; i <= 2_000; i++) {
        loop.execute(ran::incrementAndGet);
        int expected = i;
        Await.until("task " + i + " ran", () -> ran.get() == expected);
      }
    }
  }
}
