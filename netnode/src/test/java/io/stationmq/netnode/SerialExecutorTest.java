package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A callback lane on a pool that runs each turn at once, on the thread that schedules it. */
@Timeout(30)
class SerialExecutorTest {
  private final List<String> ran = new ArrayList<>();
  private final List<Runnable> turns = new ArrayList<>();
  /** Turns are kept and run when the test says, as a pool's worker would take them. */
  private final Executor pool = turns::add;
  /** The socket thread's end of the visit: this test's thread owns it. */
  private final SerialLane.Starter visitEnd = new SerialLane.Starter(Thread.currentThread());

  private void runTurns() {
    while (!turns.isEmpty()) {
      turns.remove(0).run();
    }
  }

  @Test
  void tasksFromTheDeferringThreadWaitForItsStartAndTakeOneTurn() {
    SerialExecutor lane = new SerialExecutor(pool, visitEnd);
    for (int i = 0; i < 10; i++) {
      int n = i;
      lane.execute(() -> ran.add("t" + n));
    }
    assertEquals(0, turns.size(), "nothing scheduled before the visit ends");
    visitEnd.start();
    visitEnd.start(); // nothing new: no second turn
    assertEquals(1, turns.size(), "a burst costs one turn");
    runTurns();
    assertEquals(10, ran.size());
    assertEquals("t0", ran.get(0));
    assertEquals("t9", ran.get(9));
  }

  @Test
  void tasksFromOtherThreadsStartAtOnce() throws Exception {
    SerialExecutor lane = new SerialExecutor(pool, visitEnd);
    Thread other = new Thread(() -> lane.execute(() -> ran.add("other")), "test-other");
    other.start();
    other.join();
    assertEquals(1, turns.size(), "scheduled by the other thread itself");
    runTurns();
    assertEquals(List.of("other"), ran);
  }

  @Test
  void aTaskDeferredWhileATurnRunsIsTakenByThatTurnOrTheNext() {
    SerialExecutor lane = new SerialExecutor(pool, visitEnd);
    lane.execute(() -> {
      ran.add("first");
      lane.execute(() -> ran.add("given during the turn")); // same (deferring) thread, turn running
    });
    visitEnd.start();
    runTurns();
    visitEnd.start();
    runTurns();
    assertEquals(List.of("first", "given during the turn"), ran);
  }

  @Test
  void shutdownOnTheDeferringThreadRunsWhatWaitsForItsStart() {
    SerialExecutor lane = new SerialExecutor(turn -> turn.run(), visitEnd);
    lane.execute(() -> ran.add("deferred"));
    lane.shutdown(1_000);
    assertEquals(List.of("deferred"), ran);
  }
}
