package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The close sequence with fake steps and a fake loop (no sockets): its order, who waits, and once only. */
@Timeout(30)
class ClosingTest {
  /** Records the steps; the "loop" is the test's own thread, driven by hand. */
  private static final class FakeSteps implements Closing.Steps {
    final List<String> done = new CopyOnWriteArrayList<>();
    volatile Thread own;
    volatile boolean lanesStopped;

    @Override
    public void wakeUp() {
      done.add("wake");
    }

    @Override
    public void stopLanes(long timeoutMillis) {
      done.add("stopLanes");
      lanesStopped = true;
    }

    @Override
    public boolean lanesStopped() {
      return lanesStopped;
    }

    @Override
    public void queueClose() {
      done.add("queueClose");
    }

    @Override
    public boolean isOwnThread(Thread t) {
      return t == own;
    }

    @Override
    public void release(long timeoutMillis) {
      done.add("release");
    }

    @Override
    public void onWorker(Runnable r) {
      done.add("onWorker");
      Thread t = new Thread(r, "closing-test-worker");
      t.start();
    }
  }

  private final FakeSteps steps = new FakeSteps();
  private final Closing closing = new Closing("rig", steps);

  /** Plays the loop's part of a close: stops intake when asked, then closes the sockets when told. */
  private void playLoop() {
    Await.until("the loop is asked to stop reading", closing::mustStopIntake);
    closing.intakeStopped();
    Await.until("the close command is queued", () -> steps.done.contains("queueClose"));
    assertFalse(closing.waitForLanes(), "the lanes are stopped: no need to wait for them");
    closing.terminated();
    closing.socketsClosed();
  }

  @Test
  void aCallerWaitsForEachStepInOrderAndReleasesOnce() throws Exception {
    AtomicBoolean returned = new AtomicBoolean();
    Thread caller = new Thread(() -> {
      closing.close();
      returned.set(true);
    }, "closing-test-caller");
    caller.start();
    playLoop();
    caller.join(10_000);

    assertTrue(returned.get());
    assertEquals(List.of("wake", "stopLanes", "queueClose", "release"), steps.done);
    assertTrue(closing.isRequested());
    assertTrue(closing.isClosing());
    assertTrue(closing.isTerminated());

    closing.close(); // a second close waits for nothing and does nothing
    assertEquals(List.of("wake", "stopLanes", "queueClose", "release"), steps.done);
  }

  @Test
  void aListenClosingItsOwnEndpointReturnsAtOnceAndAWorkerFinishes() {
    steps.own = Thread.currentThread(); // the test thread plays a listen of the endpoint
    Thread loop = new Thread(this::playLoop, "closing-test-loop");
    loop.start();
    closing.close(); // returns without waiting for the sockets
    assertFalse(steps.done.contains("release"), "nothing released before the loop closed the sockets");
    Await.until("a worker finishes the close", () -> steps.done.contains("release"));
    assertEquals(List.of("wake", "stopLanes", "queueClose", "onWorker", "release"), steps.done);
  }

  @Test
  void theLoopWaitsForLanesStillRunningUntilTheyStop() {
    steps.own = Thread.currentThread();
    Thread loop = new Thread(() -> {
      Await.until("asked to stop reading", closing::mustStopIntake);
      closing.intakeStopped();
    }, "closing-test-loop");
    loop.start();
    closing.close();
    steps.lanesStopped = false; // a listen still runs: the loop waits for it, without blocking
    assertTrue(closing.waitForLanes());
    steps.lanesStopped = true;
    assertFalse(closing.waitForLanes());
  }

  @Test
  void aFailedLoopStopsIntakeAndAClosingListenFinishesItself() {
    closing.failed();
    assertTrue(closing.isClosing());
    assertFalse(closing.mustStopIntake(), "intake already stopped by the failure");
    closing.terminated();
    closing.socketsClosed();
    steps.own = Thread.currentThread();
    closing.close();
    assertEquals(List.of("wake", "stopLanes", "queueClose", "release"), steps.done, "finished on the caller's thread");
  }

  @Test
  void closeQuietlyAfterAFailedStartWaitsForNothing() {
    closing.terminated();
    closing.socketsClosed(); // the sockets never opened
    closing.closeQuietly();
    assertEquals(List.of("stopLanes", "release"), steps.done);
    assertTrue(closing.isRequested());
  }
}
