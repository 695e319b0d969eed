package zmq.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The patched {@link PollerBase} keeps a timer added again after it was cancelled. Unpatched
 * JeroMQ mapped the new timer under the cancelled object still in its map and dropped it at
 * the next pass: StreamEngine's heartbeat timeout, cancelled by each message and re-armed by
 * the next PING, vanished so. Socket-free: a poller with a hand-set clock, run on the test
 * thread.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollerBaseTimerPatchTest {
  private static final int PING_INTERVAL = 0x81;
  private static final int PONG_TIMEOUT = 0x82;

  /** A poller whose clock the test sets and whose worker is the test thread. */
  private static final class HandClockPoller extends PollerBase {
    long now;

    HandClockPoller() {
      super("hand-clock", (runnable, name) -> Thread.currentThread());
    }

    @Override
    long clock() {
      return now;
    }

    @Override
    public void run() {}

    /** Runs the timers due at {@code time}. */
    void runAt(long time) {
      now = time;
      executeTimers();
    }
  }

  /** Notes each timer that fires, then lets the test act on it. */
  private static final class Sink implements IPollEvents {
    final List<String> fired = new ArrayList<>();
    IntConsumer then = id -> {};

    @Override
    public void timerEvent(int id) {
      fired.add(id == PONG_TIMEOUT ? "timeout" : id == PING_INTERVAL ? "ping" : "timer " + id);
      then.accept(id);
    }
  }

  @Test
  void aHeartbeatTimeoutReArmedAfterACancelFires() {
    HandClockPoller poller = new HandClockPoller();
    Sink engine = new Sink();
    // As StreamEngine: each PING (interval timer) arms the timeout; each message cancels it.
    engine.then = id -> {
      if (id == PING_INTERVAL) {
        poller.addTimer(100, engine, PING_INTERVAL);
        poller.addTimer(300, engine, PONG_TIMEOUT);
      }
    };
    poller.addTimer(100, engine, PING_INTERVAL);
    poller.addTimer(300, engine, PONG_TIMEOUT); // the first PING
    poller.now = 50;
    poller.cancelTimer(engine, PONG_TIMEOUT); // its PONG came back
    poller.runAt(50); // the interval timer sorts first and is not due: the cancelled one stays
    poller.runAt(100); // the next PING: the timeout is armed again; the peer then freezes
    engine.then = id -> {};
    poller.runAt(400); // a last PING at 200 (not re-armed here), then the timeout at 400
    assertEquals(List.of("ping", "ping", "timeout"), engine.fired, "the timeout armed at 100 fires");
  }

  @Test
  void aTimerReplacedDuringAPassAtTheSameExpiryFiresOnce() {
    HandClockPoller poller = new HandClockPoller();
    Sink sink = new Sink();
    poller.addTimer(100, sink, 1);
    poller.addTimer(200, sink, 2);
    poller.cancelTimer(sink, 2);
    // Timer 1 adds timer 2 again, due at the same time as the cancelled one the pass still holds.
    sink.then = id -> {
      if (id == 1) {
        poller.addTimer(100, sink, 2);
      }
    };
    poller.runAt(100);
    sink.then = id -> {};
    poller.runAt(200);
    poller.runAt(1_000);
    assertEquals(List.of("timer 1", "timer 2"), sink.fired);
  }

  @Test
  void aCancelledTimerStillDoesNotFire() {
    HandClockPoller poller = new HandClockPoller();
    Sink sink = new Sink();
    poller.addTimer(100, sink, 1);
    poller.addTimer(200, sink, 2);
    poller.cancelTimer(sink, 2);
    poller.runAt(1_000);
    assertEquals(List.of("timer 1"), sink.fired);
  }

  @Test
  void aTimerAddedAgainBeforeItFiresFiresOnceAtItsNewTime() {
    HandClockPoller poller = new HandClockPoller();
    Sink sink = new Sink();
    poller.addTimer(100, sink, 1);
    poller.addTimer(300, sink, 1);
    poller.runAt(200);
    assertEquals(List.of(), sink.fired, "the first expiry was replaced");
    poller.runAt(300);
    poller.runAt(1_000);
    assertEquals(List.of("timer 1"), sink.fired);
  }
}
