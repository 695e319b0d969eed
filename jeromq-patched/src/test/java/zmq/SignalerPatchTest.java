package zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import zmq.util.Errno;

/**
 * The patched {@link Signaler} counts a signal before its byte can wake a reader. The test
 * holds a sender inside its write (the pipe is full) and checks that the signal is already
 * visible to {@code waitEvent(0)}; unpatched JeroMQ fails this, because it counts after writing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SignalerPatchTest {
  private Ctx ctx;
  private Signaler signaler;

  @BeforeEach
  void open() {
    ctx = new Ctx();
    signaler = new Signaler(ctx, 1, new Errno());
  }

  @AfterEach
  void close() throws Exception {
    signaler.close();
    ctx.terminate();
  }

  @Test
  void aSignalIsCountedBeforeItsByteIsWritten() throws Exception {
    Pipe.SinkChannel w = field("w");
    Pipe.SourceChannel r = field("r");
    int filler = 0;
    while (w.write(ByteBuffer.wrap(new byte[] {0})) == 1) {
      filler++;
    }
    assertFalse(signaler.waitEvent(0), "no signal sent yet");

    Thread sender = new Thread(signaler::send, "test-signal-sender");
    sender.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (!signaler.waitEvent(0) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertTrue(sender.isAlive(), "the sender must still be waiting to write into the full pipe");
    assertTrue(signaler.waitEvent(0), "a reader must be able to count the signal before its byte arrives");

    ByteBuffer drain = ByteBuffer.allocate(filler);
    while (drain.hasRemaining()) {
      r.read(drain);
    }
    sender.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(sender.isAlive());
    signaler.recv();
    assertFalse(signaler.waitEvent(0), "one signal sent, one received");
    assertEquals(0, r.read(ByteBuffer.allocate(1)), "the pipe holds nothing more");
  }

  @Test
  void signalsSentAndReceivedStayInStep() throws Exception {
    int n = 10_000;
    Thread sender = new Thread(() -> {
      for (int i = 0; i < n; i++) {
        signaler.send();
      }
    }, "test-signal-sender");
    sender.start();
    for (int received = 0; received < n; ) {
      if (signaler.waitEvent(100)) {
        signaler.recv();
        received++;
      }
    }
    sender.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(signaler.waitEvent(0));
  }

  @SuppressWarnings("unchecked")
  private <T> T field(String name) throws ReflectiveOperationException {
    Field f = Signaler.class.getDeclaredField(name);
    f.setAccessible(true);
    return (T) f.get(signaler);
  }
}
