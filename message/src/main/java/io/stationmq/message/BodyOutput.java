package io.stationmq.message;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Collects what the generator flushes while {@link MessageCodec#encode} writes a body: a body
 * shorter than the generator's buffer (8,000 bytes) comes in one write and costs one array of its
 * exact size, no growing and no final copy.
 *
 * <p>One per body; not thread-safe; never throws. Not public API.
 */
final class BodyOutput extends OutputStream {
  private byte[] bytes = new byte[0];
  private int size;

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (size + len > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(size + len, 2 * bytes.length));
    }
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  /** The bytes written so far, in an array of their exact size. */
  byte[] toByteArray() {
    return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
  }
}
