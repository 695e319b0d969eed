package io.stationmq.message;

/**
 * The inverse of Blosc's byte shuffle and bit shuffle filters for one block (c-blosc's generic
 * {@code unshuffle} and the bitshuffle library's {@code bitunshuffle}, with Blosc's rules for the
 * bytes left over at the end of a block).
 *
 * <p>Pure functions on caller-owned arrays; stateless and thread-safe.
 */
final class Shuffles {
  private Shuffles() {}

  /**
   * Undoes the byte shuffle of {@code src[0, bsize)} into {@code dst}: byte {@code j} of element
   * {@code i} was stored at {@code j * n + i}; the bytes after the last whole element are copied.
   */
  static void unshuffle(int typesize, int bsize, byte[] src, byte[] dst) {
    int n = bsize / typesize;
    for (int j = 0; j < typesize; j++) {
      int from = j * n;
      for (int i = 0, to = j; i < n; i++, to += typesize) {
        dst[to] = src[from + i];
      }
    }
    int whole = n * typesize;
    System.arraycopy(src, whole, dst, whole, bsize - whole);
  }

  /**
   * Undoes the bit shuffle of {@code src[0, bsize)} into {@code dst}. Format version 2 (Blosc 1)
   * shuffled only blocks whose element count is a multiple of 8 and copied the others; later
   * versions shuffle the largest multiple of 8 elements and copy the rest.
   */
  static void bitunshuffle(int typesize, int bsize, byte[] src, byte[] dst, int formatVersion) {
    int size = bsize / typesize;
    if (formatVersion == 2 && size % 8 != 0) {
      size = 0;
    }
    size -= size % 8;
    untransposeBits(src, dst, size, typesize);
    int done = size * typesize;
    System.arraycopy(src, done, dst, done, bsize - done);
  }

  /**
   * Bit {@code k} of byte {@code j} of element {@code i} was stored as bit {@code i % 8} of byte
   * {@code (j * 8 + k) * (size / 8) + i / 8}; eight such bytes are one 8x8 bit matrix.
   */
  private static void untransposeBits(byte[] src, byte[] dst, int size, int typesize) {
    int rowLen = size / 8;
    for (int j = 0; j < typesize; j++) {
      int rows = j * 8 * rowLen;
      for (int m = 0; m < rowLen; m++) {
        long x = 0;
        for (int k = 0; k < 8; k++) {
          x |= (src[rows + k * rowLen + m] & 0xffL) << (8 * k);
        }
        x = transpose8x8(x);
        for (int r = 0, to = m * 8 * typesize + j; r < 8; r++, to += typesize) {
          dst[to] = (byte) (x >>> (8 * r));
        }
      }
    }
  }

  /** Transposes the 8x8 bit matrix whose row {@code r} is byte {@code r} of {@code x}. */
  private static long transpose8x8(long x) {
    long t = (x ^ (x >>> 7)) & 0x00AA00AA00AA00AAL;
    x = x ^ t ^ (t << 7);
    t = (x ^ (x >>> 14)) & 0x0000CCCC0000CCCCL;
    x = x ^ t ^ (t << 14);
    t = (x ^ (x >>> 28)) & 0x00000000F0F0F0F0L;
    return x ^ t ^ (t << 28);
  }
}
