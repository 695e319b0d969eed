package io.stationmq.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads and validates the wire object of an {@link NdArray} ({@code NUMPY_ARRAY}, {@code DTYPE},
 * {@code SHAPE}), unpacking an array the sender packed with blosc: the decoding side of {@link
 * NdArray#fromJson(JsonNode, String)} and of {@link MessageCodec#decode}'s array checks.
 *
 * <p>Stateless and thread-safe. Every failure is a {@link MessageFormatException} that starts
 * with the array's place in the message. Not public API.
 */
final class ArrayObjectReader {
  private static final Set<String> WIRE_KEYS = Set.of(NdArray.KEY_DATA, NdArray.KEY_DTYPE, NdArray.KEY_SHAPE);

  private ArrayObjectReader() {}

  /**
   * Decodes and validates a wire array object as {@link NdArray#fromJson(JsonNode, String)}
   * describes, charging a packed array's unpacked bytes to {@code budget}.
   *
   * @throws MessageFormatException and nothing else, with a message starting {@code field
   *     '<fieldPath>': } followed by the specific reason
   */
  static NdArray read(JsonNode node, String fieldPath, PackedArray.Budget budget) {
    if (node == null || !node.isObject()) {
      throw invalid(fieldPath, "expected an array object {\"NUMPY_ARRAY\", \"DTYPE\", \"SHAPE\"}, got "
          + describe(node));
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!WIRE_KEYS.contains(name)) {
        throw invalid(fieldPath, "unexpected key '" + name
            + "' in array object; expected exactly NUMPY_ARRAY, DTYPE and SHAPE");
      }
    }
    DType dtype = readDType(node.get(NdArray.KEY_DTYPE), fieldPath);
    int[] shape = readShape(node.get(NdArray.KEY_SHAPE), fieldPath);
    int size = elementCount(shape, fieldPath);
    byte[] bytes = readBase64(node.get(NdArray.KEY_DATA), fieldPath);

    long needed = (long) size * dtype.itemSize();
    boolean raw = bytes.length == needed;
    if (raw ? PackedArray.looksPacked(bytes, dtype, needed) : PackedArray.mayBePacked(bytes)) {
      try {
        bytes = PackedArray.unpack(bytes, dtype, shape, needed, budget);
      } catch (MessageFormatException e) {
        if (!raw) {
          throw new MessageFormatException(
              prefix(fieldPath) + "blosc-packed array cannot be unpacked: " + e.getMessage(), e);
        }
        // Raw data that only looked packed: read raw, as autopilot does when unpacking fails.
      }
    } else if (!raw) {
      throw invalid(fieldPath, "array data does not match its shape (" + bytes.length
          + " bytes for shape " + Arrays.toString(shape) + " " + dtype.numpyName() + " needs "
          + needed + ") and is not a blosc-packed array either");
    }
    String badBool = NdArray.checkBool(dtype, bytes);
    if (badBool != null) {
      throw invalid(fieldPath, badBool);
    }
    return new NdArray(dtype, bytes, shape, size);
  }

  /** {@link ArrayShapes#elementCount(int[])} for already non-negative wire dims, failing with the field path. */
  private static int elementCount(int[] dims, String fieldPath) {
    long count = ArrayShapes.product(dims);
    if (count < 0) {
      throw invalid(fieldPath, "SHAPE " + Arrays.toString(dims) + " has more than "
          + Integer.MAX_VALUE + " elements");
    }
    return (int) count;
  }

  private static DType readDType(JsonNode node, String fieldPath) {
    if (node == null || !node.isTextual()) {
      throw invalid(fieldPath, "DTYPE must be a numpy dtype name string, got " + describe(node));
    }
    try {
      return DType.fromNumpyName(node.textValue());
    } catch (MessageFormatException e) {
      throw new MessageFormatException(prefix(fieldPath) + e.getMessage(), e);
    }
  }

  private static int[] readShape(JsonNode node, String fieldPath) {
    if (node == null || !node.isArray()) {
      throw invalid(fieldPath, "SHAPE must be a list of dimensions, got " + describe(node));
    }
    int[] dims = new int[node.size()];
    for (int i = 0; i < dims.length; i++) {
      JsonNode dim = node.get(i);
      String where = "SHAPE[" + i + "] = " + dim;
      if (!dim.isIntegralNumber()) {
        throw invalid(fieldPath, where + " is not an integer");
      }
      if (dim.bigIntegerValue().signum() < 0) {
        throw invalid(fieldPath, where + " is negative");
      }
      if (!dim.canConvertToInt()) {
        throw invalid(fieldPath, where + " is larger than " + Integer.MAX_VALUE);
      }
      dims[i] = dim.intValue();
    }
    return dims;
  }

  private static byte[] readBase64(JsonNode node, String fieldPath) {
    if (node == null || !node.isTextual()) {
      throw invalid(fieldPath, "NUMPY_ARRAY must be a base64 string, got " + describe(node));
    }
    String text = node.textValue();
    if (text.length() % 4 != 0) {
      throw invalid(fieldPath, "NUMPY_ARRAY is not valid base64: length " + text.length()
          + " is not a multiple of 4 (standard base64 with padding expected)");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new MessageFormatException(
          prefix(fieldPath) + "NUMPY_ARRAY is not valid base64: " + e.getMessage(), e);
    }
  }

  private static String describe(JsonNode node) {
    return node == null || node.isMissingNode() ? "nothing (key missing)" : node.getNodeType().toString();
  }

  private static String prefix(String fieldPath) {
    return "field '" + fieldPath + "': ";
  }

  private static MessageFormatException invalid(String fieldPath, String reason) {
    return new MessageFormatException(prefix(fieldPath) + reason);
  }
}
