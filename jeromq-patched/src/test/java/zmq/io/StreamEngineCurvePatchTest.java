package zmq.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The patched {@link StreamEngine} delivers a CURVE message that met a full receive queue
 * decrypted (jeromq issue 1009). Unpatched, {@code decodeAndPush} decrypted a frame into a new
 * {@code Msg}, found the pipe full and dropped it; {@code restartInput} then pushed the
 * decoder's own message, still encrypted, so the receiver got ciphertext (and broken
 * multipart framing) once per back-pressure stall.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamEngineCurvePatchTest {
  private static final int MESSAGES = 5_000;

  @Test
  void curveFramesSurviveAFullReceiveQueue() throws Exception {
    ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
    ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
    try (ZContext ctx = new ZContext(1)) {
      ZMQ.Socket pull = ctx.createSocket(SocketType.PULL);
      pull.setCurveServer(true);
      pull.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
      pull.setRcvHWM(2); // a small queue: the engine meets it full again and again
      pull.setReceiveTimeOut(10_000);
      int port = pull.bindToRandomPort("tcp://127.0.0.1");

      ZMQ.Socket push = ctx.createSocket(SocketType.PUSH);
      push.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
      push.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
      push.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
      push.setSndHWM(0);
      push.connect("tcp://127.0.0.1:" + port);
      for (int i = 0; i < MESSAGES; i++) {
        push.sendMore(header(i));
        push.send(body(i));
      }

      int corrupt = 0;
      for (int i = 0; i < MESSAGES; i++) {
        if (i % 500 == 0) {
          LockSupport.parkNanos(20_000_000); // a slow receiver: let the queue fill up
        }
        byte[] h = pull.recv();
        assertTrue(h != null, "message " + i + " arrived");
        if (h.length != 4 || ByteBuffer.wrap(h).getInt() != i || !pull.hasReceiveMore()) {
          corrupt++;
          while (pull.hasReceiveMore()) {
            pull.recv();
          }
          continue;
        }
        byte[] b = pull.recv();
        if (pull.hasReceiveMore() || b == null || b.length != body(i).length) {
          corrupt++;
          while (pull.hasReceiveMore()) {
            pull.recv();
          }
          continue;
        }
        assertArrayEquals(body(i), b, "body of message " + i);
      }
      assertEquals(0, corrupt, "messages with a corrupted (still encrypted) frame");
    }
  }

  private static byte[] header(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  private static byte[] body(int i) {
    byte[] b = new byte[64 + i % 64];
    for (int k = 0; k < b.length; k++) {
      b[k] = (byte) (i + k);
    }
    return b;
  }
}
