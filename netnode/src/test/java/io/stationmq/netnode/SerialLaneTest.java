package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A lane on a pool whose turns the test runs by hand, on its own thread, as a worker would. */
@Timeout(30)
class SerialLaneTest {
  private final List<Integer> handled = new ArrayList<>();
  private final ArrayDeque<Runnable> turns = new ArrayDeque<>();
  private final Executor pool = turns::add;
  /** The socket thread's end of the visit: this test's thread owns it. */
  private final SerialLane.Starter visitEnd = new SerialLane.Starter(Thread.currentThread());
  private int spaceFreed;
  private int ranDry;

  private SerialLane<Integer> lane(SerialLane.Starter starter, int capacity) {
    return new SerialLane<>(pool, starter, capacity, handled::add, () -> spaceFreed++, () -> ranDry++);
  }

  private static List<Integer> upTo(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private void offerAll(SerialLane<Integer> lane, int n) {
    for (int i = 0; i < n; i++) {
      assertTrue(lane.offer(i));
    }
  }

  private void onOtherThread(Runnable r) throws InterruptedException {
    Thread t = new Thread(r, "test-producer");
    t.start();
    t.join();
  }

  @Test
  void aTurnHandlesAtMostOneBatchInOrderAndSchedulesTheNext() {
    SerialLane<Integer> lane = lane(null, SerialLane.UNBOUNDED);
    offerAll(lane, 150);
    assertEquals(1, turns.size(), "one turn for the lot, however many items");
    turns.poll().run();
    assertEquals(upTo(SerialLane.BATCH), handled);
    assertEquals(1, turns.size(), "items left: the turn schedules the next");
    assertEquals(0, ranDry);
    turns.poll().run();
    turns.poll().run();
    assertEquals(upTo(150), handled);
    assertTrue(turns.isEmpty());
    assertEquals(1, ranDry, "the last turn left it empty");
    assertTrue(lane.idleOrOn(null));
  }

  @Test
  void theOwnersItemsWaitForItsStartOthersStartAtOnce() throws Exception {
    SerialLane<Integer> a = lane(visitEnd, SerialLane.UNBOUNDED);
    SerialLane<Integer> b = lane(visitEnd, 16);
    offerAll(a, 5);
    offerAll(b, 5);
    assertTrue(turns.isEmpty(), "nothing scheduled before the visit ends");
    assertFalse(a.idleOrOn(null));
    visitEnd.start();
    visitEnd.start(); // nothing new: no second turn
    assertEquals(2, turns.size(), "one turn per lane");
    while (!turns.isEmpty()) {
      turns.poll().run();
    }
    assertEquals(10, handled.size());

    onOtherThread(() -> a.offer(99));
    assertEquals(1, turns.size(), "another thread's item schedules its turn itself");
  }

  @Test
  void aLongVisitStartsItsLanesEveryFewItems() {
    SerialLane<Integer> lane = lane(visitEnd, SerialLane.UNBOUNDED);
    offerAll(lane, SerialLane.Starter.START_EVERY - 1);
    assertTrue(turns.isEmpty());
    offerAll(lane, 1);
    assertEquals(1, turns.size(), "started without waiting for the visit's end");
  }

  @Test
  void anItemTheOwnerGivesDuringATurnIsTakenByThatTurnOrTheNext() {
    List<String> ran = new ArrayList<>();
    SerialLane<Runnable> lane = new SerialLane<>(pool, visitEnd, SerialLane.UNBOUNDED, Runnable::run, null, null);
    lane.offer(() -> {
      ran.add("first");
      assertTrue(lane.isRunningOn(Thread.currentThread()));
      assertTrue(lane.idleOrOn(Thread.currentThread()), "only the calling thread's own item runs");
      lane.offer(() -> ran.add("given during the turn")); // the owner, with a turn running
    });
    visitEnd.start();
    turns.poll().run();
    assertFalse(lane.isRunningOn(Thread.currentThread()));
    visitEnd.start();
    while (!turns.isEmpty()) {
      turns.poll().run();
    }
    assertEquals(List.of("first", "given during the turn"), ran);
  }

  @Test
  void aFullLaneRefusesAndSaysOnceWhenItHasRoom() {
    SerialLane<Integer> lane = lane(null, 2);
    offerAll(lane, 2);
    assertFalse(lane.offer(2), "full");
    assertEquals(0, spaceFreed);
    turns.poll().run();
    assertEquals(List.of(0, 1), handled);
    assertEquals(1, spaceFreed, "the producer is woken once, when the lane takes an item");
    assertTrue(lane.offer(2));
    turns.poll().run();
    assertEquals(1, spaceFreed, "no refusal since: no wake-up");
  }

  @Test
  void aThrowingItemDoesNotEndTheLane() {
    SerialLane<Integer> lane = new SerialLane<>(pool, null, SerialLane.UNBOUNDED, i -> {
      if (i == 1) {
        throw new IllegalStateException("item 1 fails (expected by the test)");
      }
      if (i == 2) {
        throw new AssertionError("item 2 fails (expected by the test)");
      }
      handled.add(i);
    }, null, null);
    offerAll(lane, 4);
    turns.poll().run();
    assertEquals(List.of(0, 3), handled);
    assertTrue(lane.idleOrOn(null));
    assertTrue(lane.offer(4));
    turns.poll().run();
    assertEquals(List.of(0, 3, 4), handled);
  }

  @Test
  void awaitIdleGivesUpAtItsDeadlineAndDrainHereRunsWhatIsLeft() throws Exception {
    SerialLane<Integer> lane = lane(null, SerialLane.UNBOUNDED);
    onOtherThread(() -> offerAll(lane, 3));
    assertFalse(lane.awaitIdle(System.nanoTime()), "no worker took the turn");
    lane.drainHere();
    assertEquals(upTo(3), handled);
    turns.poll().run(); // the turn the pool held comes late: nothing left for it
    assertEquals(upTo(3), handled);
    assertTrue(lane.awaitIdle(System.nanoTime()));
  }

  @Test
  void awaitIdleOnTheOwnerStartsWhatWaitsForItsStart() {
    SerialLane<Integer> lane = new SerialLane<>(turn -> turn.run(), visitEnd, SerialLane.UNBOUNDED, handled::add, null,
        null);
    offerAll(lane, 3);
    assertTrue(handled.isEmpty());
    assertTrue(lane.awaitIdle(System.nanoTime() + 1_000_000_000L));
    assertEquals(upTo(3), handled);
  }
}
