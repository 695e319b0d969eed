package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared workers: a lane keeps its order, blocked workers add threads, shutdown leaves none. */
@Timeout(30)
class WorkerPoolTest {
  @Test
  void aSerialLaneRunsInOrderWhileSharingThePool() throws Exception {
    WorkerPool pool = new WorkerPool("test-worker-", 4, 4, TimeUnit.SECONDS.toNanos(1));
    try {
      SerialLane<Runnable> a = new SerialLane<>(pool, null, SerialLane.UNBOUNDED, Runnable::run, null, null);
      SerialLane<Runnable> b = new SerialLane<>(pool, null, SerialLane.UNBOUNDED, Runnable::run, null, null);
      List<Integer> gotA = Collections.synchronizedList(new ArrayList<>());
      List<Integer> gotB = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 10_000; i++) {
        int n = i;
        a.offer(() -> gotA.add(n));
        b.offer(() -> gotB.add(n));
      }
      Await.until("all ran", () -> gotA.size() == 10_000 && gotB.size() == 10_000);
      for (int i = 0; i < 10_000; i++) {
        assertEquals(i, gotA.get(i));
        assertEquals(i, gotB.get(i));
      }
    } finally {
      pool.shutdown(5_000);
    }
  }

  @Test
  void workersBlockedInListensAddAThreadSoOthersStillRun() throws Exception {
    WorkerPool pool = new WorkerPool("test-worker-", 2, 8, TimeUnit.MILLISECONDS.toNanos(20));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch ran = new CountDownLatch(1);
    try {
      pool.execute(() -> awaitQuietly(release)); // two listens that block...
      pool.execute(() -> awaitQuietly(release));
      pool.execute(ran::countDown); // ...and one that must still run
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ran.getCount() > 0 && System.nanoTime() < deadline) {
        pool.checkStarvation(System.nanoTime()); // as the socket loop does every iteration
        ran.await(5, TimeUnit.MILLISECONDS);
      }
      assertEquals(0, ran.getCount(), "the waiting task ran on an added thread");
      assertEquals(3, pool.threads());
    } finally {
      release.countDown();
      pool.shutdown(5_000);
    }
    Await.until("threads gone", () -> pool.threads() == 0);
  }

  @Test
  void quickTasksNeverAddThreads() {
    WorkerPool pool = new WorkerPool("test-worker-", 2, 8, TimeUnit.SECONDS.toNanos(1));
    try {
      for (int i = 0; i < 100_000; i++) {
        pool.execute(() -> {});
        if (i % 1_000 == 0) {
          pool.checkStarvation(System.nanoTime());
        }
      }
      Await.until("drained", () -> !pool.hasQueued());
      assertTrue(pool.threads() <= 3, "threads: " + pool.threads());
    } finally {
      pool.shutdown(5_000);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
