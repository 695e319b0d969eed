package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-off to the socket thread: counting sends and never losing a wake-up. */
@Timeout(30)
class CommandQueueTest {
  @Test
  void sendsAreCountedUntilTakenAndOtherCommandsAreNot() throws Exception {
    CommandQueue q = new CommandQueue(() -> {});
    q.addSend("m1");
    q.add(Integer.valueOf(7));
    q.addSend("m2");
    assertEquals(2, q.queuedSends());
    assertEquals("m1", q.poll(String.class));
    assertEquals(7, q.poll(String.class));
    assertEquals(1, q.queuedSends());
    q.putBack(List.of(q.poll(Void.class)));
    assertEquals(1, q.queuedSends(), "put back: still queued");
    assertEquals("m2", q.poll(String.class));
    assertEquals(0, q.queuedSends());
    assertNull(q.poll(String.class));
  }

  /** A producer thread and a consumer that sleeps only when woken: no command is ever stranded. */
  @Test
  void noWakeUpIsLostUnderContention() throws Exception {
    int count = 200_000;
    Semaphore wakeUps = new Semaphore(0); // the loop's wake-up, as the socket loop sees it
    CommandQueue q = new CommandQueue(wakeUps::release);
    Thread producer = new Thread(() -> {
      for (int i = 0; i < count; i++) {
        q.addSend(i);
      }
    }, "test-producer");
    producer.start();
    int taken = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (taken < count && System.nanoTime() < deadline) {
      if (q.isEmpty()) {
        // Sleep as the socket loop does: only a wake-up (or the time-out) ends it.
        wakeUps.tryAcquire(5, TimeUnit.SECONDS);
        q.woken();
      }
      while (q.poll(Integer.class) != null) {
        taken++;
      }
    }
    producer.join();
    assertEquals(count, taken, "every command taken, none stranded behind a lost wake-up");
    assertTrue(q.queuedSends() == 0);
  }
}
