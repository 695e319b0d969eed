package io.stationmq.transfer;

import java.io.IOException;
import java.io.InputStream;

/** Deterministic pseudo-random content of any size, generated as it is read (nothing held in memory). */
final class PatternSource implements TransferSource {
  private final long size;
  private final long seed;

  PatternSource(long size, long seed) {
    this.size = size;
    this.seed = seed;
  }

  /** The byte at {@code position}: a mix of the position's 8-byte word and the seed. */
  static byte at(long seed, long position) {
    long z = (position >>> 3) * 0x9E3779B97F4A7C15L + seed;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (byte) (z >>> ((position & 7) * 8));
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public InputStream open(long offset) {
    return new InputStream() {
      private long position = offset;

      @Override
      public int read() {
        return position < size ? at(seed, position++) & 0xFF : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (position >= size) {
          return -1;
        }
        int n = (int) Math.min(len, size - position);
        for (int i = 0; i < n; i++) {
          b[off + i] = at(seed, position++);
        }
        return n;
      }
    };
  }

  /** The content's SHA-256, computed by streaming it. */
  String sha256() throws IOException {
    var digest = Wire.sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = open(0)) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return Wire.hex(digest.digest());
  }
}
