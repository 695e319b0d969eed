package zmq.poll;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import zmq.Ctx;

/**
 * A channel handed from one handle to another within one turn of the I/O loop must reach its
 * new handle. JeroMQ's TCP connecter does this with every fresh connection: on connect it
 * removes its handle and an engine adds its own for the same channel, often before the loop
 * selects again. The unpatched {@link Poller} then kept the old, cancelled key for the channel
 * and never registered the new handle, so the connection stayed silent until the handshake
 * timer closed it (JeroMQ pull request 1022).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollerPatchTest {
  private Ctx ctx;
  private Poller poller;
  private Pipe trigger;
  private Pipe data;

  @BeforeEach
  void open() throws IOException {
    ctx = new Ctx();
    poller = new Poller(ctx, "test-poller");
    trigger = Pipe.open();
    data = Pipe.open();
    trigger.source().configureBlocking(false);
    data.source().configureBlocking(false);
  }

  @AfterEach
  void close() throws IOException {
    poller.destroy();
    trigger.source().close();
    trigger.sink().close();
    data.source().close();
    data.sink().close();
    ctx.terminate();
  }

  @Test
  void aChannelHandedToANewHandleInOneTurnGetsItsEvents() throws Exception {
    CountDownLatch handedOver = new CountDownLatch(1);
    CountDownLatch newHandleRead = new CountDownLatch(1);
    IPollEvents oldHandler = new IPollEvents() {
      @Override
      public void inEvent() {
        // The old handle is gone before any data arrives.
      }
    };
    IPollEvents newHandler = new IPollEvents() {
      @Override
      public void inEvent() {
        read(data.source());
        newHandleRead.countDown();
      }
    };
    Poller.Handle old = poller.addHandle(data.source(), oldHandler);
    poller.setPollIn(old);
    // On the poller's thread, in one turn: drop the data channel's handle and add another.
    IPollEvents handOver = new IPollEvents() {
      @Override
      public void inEvent() {
        read(trigger.source());
        poller.removeHandle(old);
        poller.setPollIn(poller.addHandle(data.source(), newHandler));
        handedOver.countDown();
      }
    };
    poller.setPollIn(poller.addHandle(trigger.source(), handOver));
    poller.start();

    trigger.sink().write(ByteBuffer.wrap(new byte[] {1}));
    assertTrue(handedOver.await(10, TimeUnit.SECONDS), "the poller ran the hand-over");
    data.sink().write(ByteBuffer.wrap(new byte[] {2}));
    assertTrue(newHandleRead.await(5, TimeUnit.SECONDS), "the new handle never saw its channel become readable");
  }

  private static void read(Pipe.SourceChannel source) {
    try {
      source.read(ByteBuffer.allocate(16));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
