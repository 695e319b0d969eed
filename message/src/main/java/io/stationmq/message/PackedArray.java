package io.stationmq.message;

import java.util.Arrays;

/**
 * The {@code NUMPY_ARRAY} bytes of an array that the sender packed with {@code blosc.pack_array}
 * or {@code blosc2.pack_array} (autopilot's {@code Message(..., blosc=True)}): a Blosc chunk
 * holding the array's pickle. Unpacks them into raw little-endian C-order element bytes and checks
 * them against the {@code DTYPE} and {@code SHAPE} written beside them.
 *
 * <p>Sizes are bounded before anything is allocated: the chunk must declare at least the array's
 * bytes and at most {@value #MAX_PICKLE_OVERHEAD} bytes more (the pickle's own opcodes), and every
 * unpacked byte is charged to a {@link Budget}. Failures are {@link MessageFormatException}s with
 * the reason (the caller adds the field). Stateless and thread-safe; a budget is not.
 */
final class PackedArray {
  /** The most bytes an array pickle may hold beside the elements (opcodes, dtype, shape). */
  static final int MAX_PICKLE_OVERHEAD = 64 * 1024;

  /** Unpacked bytes still allowed, shared by the arrays of one body; not thread-safe. */
  static final class Budget {
    private long remaining;
    private int unpacked;

    Budget(long limit) {
      this.remaining = limit;
    }

    /** How many arrays were unpacked against this budget. */
    int unpacked() {
      return unpacked;
    }
  }

  private PackedArray() {}

  /**
   * Whether raw-looking bytes (exactly {@code needed} long) are more likely a packed array: a
   * Blosc header of their own length whose typesize is the item size and whose declared size
   * leaves room for the array and its pickle. Autopilot tries to unpack first, so such bytes are
   * tried as packed and read raw only if that fails.
   */
  static boolean looksPacked(byte[] bytes, DType dtype, long needed) {
    if (!BloscChunk.looksLikeChunk(bytes) || (bytes[3] & 0xff) != dtype.itemSize()) {
      return false;
    }
    long declared = BloscChunk.declaredSize(bytes);
    return declared > needed && declared <= needed + MAX_PICKLE_OVERHEAD;
  }

  /** Whether bytes of the wrong length for raw data are worth trying as a packed array. */
  static boolean mayBePacked(byte[] bytes) {
    return BloscChunk.looksLikeChunk(bytes);
  }

  /**
   * Unpacks {@code bytes} into the raw element bytes of an array of {@code dtype} and {@code
   * shape} ({@code needed} bytes), little-endian and in C order.
   *
   * @throws MessageFormatException when the chunk or the pickle is malformed or unsupported, the
   *     pickled array is not {@code dtype} and {@code shape}, or the budget is exceeded
   */
  static byte[] unpack(byte[] bytes, DType dtype, int[] shape, long needed, Budget budget) {
    long declared = BloscChunk.declaredSize(bytes);
    if (declared < needed || declared > needed + MAX_PICKLE_OVERHEAD) {
      throw new MessageFormatException("blosc: chunk declares " + declared + " bytes, but a pickled "
          + dtype.numpyName() + " array of shape " + Arrays.toString(shape) + " takes "
          + needed + " to " + (needed + MAX_PICKLE_OVERHEAD));
    }
    if (declared > budget.remaining) {
      throw new MessageFormatException("blosc: unpacking " + declared + " more bytes would exceed the "
          + MessageCodec.MAX_UNPACKED_ARRAY_BYTES + " bytes the packed arrays of one body may take");
    }
    budget.remaining -= declared;
    byte[] pickle = BloscChunk.decompress(bytes, declared);
    NumpyPickle.Pickled p = NumpyPickle.read(pickle);
    if (p.dtype() != dtype || !Arrays.equals(p.shape(), shape)) {
      throw new MessageFormatException("the packed array is " + p.dtype().numpyName() + " of shape "
          + Arrays.toString(p.shape()) + " but DTYPE and SHAPE say " + dtype.numpyName() + " "
          + Arrays.toString(shape));
    }
    byte[] data = p.fortranOrder() ? fortranToC(p.data(), shape, dtype.itemSize()) : p.data();
    if (p.bigEndian()) {
      swapBytes(data, dtype.itemSize());
    }
    budget.unpacked++;
    return data;
  }

  /** The elements of an array stored in Fortran (column-major) order, rearranged to C order. */
  static byte[] fortranToC(byte[] f, int[] shape, int item) {
    int n = shape.length;
    if (n < 2 || f.length == 0) {
      return f;
    }
    int[] stride = new int[n];
    stride[0] = item;
    for (int k = 1; k < n; k++) {
      stride[k] = stride[k - 1] * shape[k - 1];
    }
    byte[] c = new byte[f.length];
    int[] index = new int[n];
    int from = 0;
    for (int to = 0; to < c.length; to += item) {
      System.arraycopy(f, from, c, to, item);
      for (int k = n - 1; k >= 0; k--) {
        from += stride[k];
        if (++index[k] < shape[k]) {
          break;
        }
        from -= stride[k] * shape[k];
        index[k] = 0;
      }
    }
    return c;
  }

  private static void swapBytes(byte[] data, int item) {
    for (int i = 0; i < data.length; i += item) {
      for (int a = i, b = i + item - 1; a < b; a++, b--) {
        byte t = data[a];
        data[a] = data[b];
        data[b] = t;
      }
    }
  }
}
