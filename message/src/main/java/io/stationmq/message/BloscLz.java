package io.stationmq.message;

/**
 * Decompresses one BloscLZ stream, the default codec of {@code blosc.pack_array} and {@code
 * blosc2.pack_array} (format version 1, a FastLZ level-2 derivative; see c-blosc's {@code
 * blosclz.c}).
 *
 * <p>Every read and write is bounds-checked against the given ranges, so hostile input can only
 * make it return {@code -1}; it never writes outside {@code [outOff, outOff + outLen)} and
 * allocates nothing. Stateless and thread-safe.
 */
final class BloscLz {
  /** Matches at or beyond this distance carry an extra 16-bit distance. */
  private static final int MAX_DISTANCE = 8191;

  private BloscLz() {}

  /**
   * Decompresses {@code in[inOff, inOff + inLen)} into {@code out} starting at {@code outOff},
   * writing at most {@code outLen} bytes.
   *
   * @return the number of bytes written, or -1 when the stream is malformed or would overflow
   *     {@code outLen}
   */
  static int decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
    if (inLen <= 0) {
      return -1;
    }
    int ip = inOff;
    int ipLimit = inOff + inLen;
    int op = outOff;
    int opLimit = outOff + outLen;
    int ctrl = in[ip++] & 31;
    while (true) {
      if (ctrl >= 32) {
        int len = (ctrl >>> 5) - 1;
        int ofs = (ctrl & 31) << 8;
        if (len == 6) {
          int code;
          do {
            if (ip + 1 >= ipLimit) {
              return -1;
            }
            code = in[ip++] & 0xff;
            len += code;
            if (len > outLen) {
              return -1;
            }
          } while (code == 255);
        } else if (ip + 1 >= ipLimit) {
          return -1;
        }
        int code = in[ip++] & 0xff;
        len += 3;
        int ref = op - ofs - code;
        if (code == 255 && ofs == (31 << 8)) {
          if (ip + 1 >= ipLimit) {
            return -1;
          }
          int far = (in[ip++] & 0xff) << 8;
          far += in[ip++] & 0xff;
          ref = op - far - MAX_DISTANCE;
        }
        if (len > opLimit - op || ref - 1 < outOff) {
          return -1;
        }
        if (ip >= ipLimit) {
          break;
        }
        ctrl = in[ip++] & 0xff;
        ref--;
        // Byte by byte: an overlapping match repeats what it has just written (a run when ref == op - 1).
        for (int end = op + len; op < end; ) {
          out[op++] = out[ref++];
        }
      } else {
        int count = ctrl + 1;
        if (count > opLimit - op || count > ipLimit - ip) {
          return -1;
        }
        System.arraycopy(in, ip, out, op, count);
        op += count;
        ip += count;
        if (ip >= ipLimit) {
          break;
        }
        ctrl = in[ip++] & 0xff;
      }
    }
    return op - outOff;
  }
}
