package io.stationmq.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The shape and size arithmetic of {@link NdArray}: element counts from shapes, which must be
 * non-negative and fit an int, and element buffers, which must fit a byte[].
 *
 * <p>Stateless and thread-safe. A shape or size out of range fails with {@link
 * IllegalArgumentException} ({@link ArrayObjectReader} reports its own as a {@link
 * MessageFormatException}). Not public API.
 */
final class ArrayShapes {
  private ArrayShapes() {}

  /** A little-endian buffer for {@code count} elements of {@code dtype}, if a byte[] can hold them. */
  static ByteBuffer allocate(DType dtype, int count) {
    long bytes = (long) count * dtype.itemSize();
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          count + " " + dtype.numpyName() + " elements need " + bytes + " bytes, more than a byte[] holds");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The shape for a factory: {@code shape} copied, or 1-d of {@code length} when none is given. */
  static int[] shapeFor(int length, int[] shape) {
    if (shape.length == 0) {
      return new int[] {length};
    }
    int[] dims = shape.clone();
    int size = elementCount(dims);
    if (size != length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(dims) + " holds " + size + " elements but " + length
              + " were given");
    }
    return dims;
  }

  /** Product of {@code dims}, throwing IllegalArgumentException if a dim is negative or it overflows. */
  static int elementCount(int[] dims) {
    for (int dim : dims) {
      if (dim < 0) {
        throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a negative dimension");
      }
    }
    long count = product(dims);
    if (count < 0) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(dims) + " has more than " + Integer.MAX_VALUE + " elements");
    }
    return (int) count;
  }

  /** Product of non-negative {@code dims}, or -1 if it exceeds {@link Integer#MAX_VALUE}. */
  static long product(int[] dims) {
    if (Arrays.stream(dims).anyMatch(dim -> dim == 0)) {
      return 0;
    }
    long count = 1;
    for (int dim : dims) {
      count *= dim;
      if (count > Integer.MAX_VALUE) {
        return -1;
      }
    }
    return count;
  }
}
