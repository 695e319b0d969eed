package zmq.io.coder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import zmq.ZError;
import zmq.io.coder.IDecoder.Step;
import zmq.io.coder.v2.V2Decoder;
import zmq.msg.MsgAllocatorThreshold;
import zmq.util.Errno;
import zmq.util.ValueReference;

/**
 * The patched {@link Decoder} refuses a ZMTP frame whose 64-bit size has its top bit set.
 * Unpatched JeroMQ read it as a negative long, which passed the maximum-size check and made
 * the allocator throw {@link NegativeArraySizeException} in the I/O thread.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DecoderPatchTest {
  private static Step.Result decodeHeader(long size, long maxMsgSize, Errno errno) {
    V2Decoder decoder = new V2Decoder(errno, 8192, maxMsgSize, new MsgAllocatorThreshold());
    ByteBuffer header = ByteBuffer.allocate(9).put((byte) 0x02).putLong(size);
    header.flip();
    ByteBuffer into = decoder.getBuffer();
    into.put(header);
    into.flip();
    return decoder.decode(into, 9, new ValueReference<>(0));
  }

  @Test
  void sizeWithTheTopBitSetIsRefusedWithOrWithoutALimit() {
    for (long size : new long[] {-1L, Long.MIN_VALUE, 0xFFFFFFFF_80000000L}) {
      for (long max : new long[] {-1L, 1L << 20}) {
        Errno errno = new Errno();
        assertEquals(Step.Result.ERROR, decodeHeader(size, max, errno), "size " + Long.toUnsignedString(size));
        assertTrue(errno.is(ZError.EMSGSIZE), "EMSGSIZE for size " + Long.toUnsignedString(size));
      }
    }
  }

  @Test
  void limitsStillApply() {
    Errno errno = new Errno();
    assertEquals(Step.Result.ERROR, decodeHeader((1L << 20) + 1, 1L << 20, errno));
    assertTrue(errno.is(ZError.EMSGSIZE));
    assertEquals(Step.Result.MORE_DATA, decodeHeader(1L << 20, 1L << 20, new Errno()));
    assertEquals(Step.Result.ERROR, decodeHeader(1L << 31, -1L, new Errno()), "JeroMQ's own int range check");
  }
}
