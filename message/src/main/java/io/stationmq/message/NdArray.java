package io.stationmq.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An n-dimensional numeric array as autopilot (numpy) sends it inside a message value: the JSON
 * object {@code {"NUMPY_ARRAY": <base64>, "DTYPE": <numpy dtype name>, "SHAPE": [d0, d1, ...]}}.
 *
 * <p>The elements are kept as raw little-endian bytes in C (row-major) order, together with a
 * {@link DType} and a shape; an array a Python peer packed with blosc is unpacked on decoding
 * ({@link #fromJson}) and always written raw. A 0-d array has shape {@code []} and one element. The
 * {@code toXxxArray()} conversions return the elements flattened in C order and never lose
 * information: a conversion that could not represent every element exactly throws {@link
 * IllegalStateException} instead.
 *
 * <p>Instances are immutable (all arrays are copied on the way in and out) and thread-safe. Null
 * arguments to the factories throw {@link NullPointerException}.
 * Equality is by dtype, shape and bytes, so a NaN equals the same NaN and {@code -0.0} differs from
 * {@code 0.0}.
 */
public final class NdArray {
  /** JSON key holding the base64 element bytes. */
  static final String KEY_DATA = "NUMPY_ARRAY";
  /** JSON key holding the numpy dtype name. */
  static final String KEY_DTYPE = "DTYPE";
  /** JSON key holding the shape list. */
  static final String KEY_SHAPE = "SHAPE";

  private static final Set<DType> TO_DOUBLE = EnumSet.allOf(DType.class);
  private static final Set<DType> TO_FLOAT =
      EnumSet.of(DType.FLOAT32, DType.BOOL, DType.INT8, DType.UINT8, DType.INT16, DType.UINT16);
  private static final Set<DType> TO_LONG = EnumSet.complementOf(EnumSet.of(DType.FLOAT32, DType.FLOAT64));
  private static final Set<DType> TO_INT =
      EnumSet.of(DType.BOOL, DType.INT8, DType.UINT8, DType.INT16, DType.UINT16, DType.INT32);
  private static final Set<DType> TO_SHORT = EnumSet.of(DType.BOOL, DType.INT8, DType.UINT8, DType.INT16);
  private static final Set<DType> TO_BYTE = EnumSet.of(DType.BOOL, DType.INT8);
  private static final Set<DType> TO_BOOLEAN = EnumSet.of(DType.BOOL);

  private final DType dtype;
  private final int[] shape;
  private final int size;
  private final byte[] data;

  /** Takes ownership of {@code shape} and {@code data}, which the caller has validated. */
  NdArray(DType dtype, byte[] data, int[] shape, int size) {
    this.dtype = dtype;
    this.data = data;
    this.shape = shape;
    this.size = size;
  }

  // ---------------------------------------------------------------- factories

  /**
   * Creates a {@code float64} array from {@code data} in C order.
   *
   * @param shape the dimensions; when none are given the array is 1-d of {@code data.length}
   * @throws IllegalArgumentException if a dimension is negative, the element count overflows an
   *     int, or the shape does not hold exactly {@code data.length} elements
   */
  public static NdArray of(double[] data, int... shape) {
    int[] dims = ArrayShapes.shapeFor(data.length, shape);
    ByteBuffer buffer = ArrayShapes.allocate(DType.FLOAT64, data.length);
    buffer.asDoubleBuffer().put(data);
    return new NdArray(DType.FLOAT64, buffer.array(), dims, data.length);
  }

  /** Creates a {@code float32} array; shape rules and failures as in {@link #of(double[], int...)}. */
  public static NdArray of(float[] data, int... shape) {
    int[] dims = ArrayShapes.shapeFor(data.length, shape);
    ByteBuffer buffer = ArrayShapes.allocate(DType.FLOAT32, data.length);
    buffer.asFloatBuffer().put(data);
    return new NdArray(DType.FLOAT32, buffer.array(), dims, data.length);
  }

  /** Creates an {@code int64} array; shape rules and failures as in {@link #of(double[], int...)}. */
  public static NdArray of(long[] data, int... shape) {
    int[] dims = ArrayShapes.shapeFor(data.length, shape);
    ByteBuffer buffer = ArrayShapes.allocate(DType.INT64, data.length);
    buffer.asLongBuffer().put(data);
    return new NdArray(DType.INT64, buffer.array(), dims, data.length);
  }

  /** Creates an {@code int32} array; shape rules and failures as in {@link #of(double[], int...)}. */
  public static NdArray of(int[] data, int... shape) {
    int[] dims = ArrayShapes.shapeFor(data.length, shape);
    ByteBuffer buffer = ArrayShapes.allocate(DType.INT32, data.length);
    buffer.asIntBuffer().put(data);
    return new NdArray(DType.INT32, buffer.array(), dims, data.length);
  }

  /** Creates an {@code int16} array; shape rules and failures as in {@link #of(double[], int...)}. */
  public static NdArray of(short[] data, int... shape) {
    int[] dims = ArrayShapes.shapeFor(data.length, shape);
    ByteBuffer buffer = ArrayShapes.allocate(DType.INT16, data.length);
    buffer.asShortBuffer().put(data);
    return new NdArray(DType.INT16, buffer.array(), dims, data.length);
  }

  /**
   * Creates an {@code int8} array holding the (signed) values of {@code data}; shape rules and
   * failures as in {@link #of(double[], int...)}. For raw bytes of another dtype use {@link
   * #fromLittleEndianBytes}.
   */
  public static NdArray of(byte[] data, int... shape) {
    int[] dims = ArrayShapes.shapeFor(data.length, shape);
    return new NdArray(DType.INT8, data.clone(), dims, data.length);
  }

  /** Creates a {@code bool} array; shape rules and failures as in {@link #of(double[], int...)}. */
  public static NdArray of(boolean[] data, int... shape) {
    int[] dims = ArrayShapes.shapeFor(data.length, shape);
    byte[] bytes = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      bytes[i] = (byte) (data[i] ? 1 : 0);
    }
    return new NdArray(DType.BOOL, bytes, dims, data.length);
  }

  /**
   * Creates an unsigned integer array ({@code uint8}, {@code uint16}, {@code uint32} or {@code
   * uint64}). For {@code uint64} every {@code long} is taken as its unsigned bit pattern (so {@code
   * -1L} is 2<sup>64</sup>-1, as {@link Long#toUnsignedString(long)} prints it); for the narrower
   * types each value must lie in {@code 0 .. 2^(8*itemSize)-1}.
   *
   * @param shape the dimensions; when none are given the array is 1-d of {@code values.length}
   * @throws IllegalArgumentException if {@code dtype} is not unsigned, a value is out of range, or
   *     the shape is invalid or does not match {@code values.length}
   */
  public static NdArray ofUnsigned(DType dtype, long[] values, int... shape) {
    if (!dtype.isUnsigned()) {
      throw new IllegalArgumentException(
          "ofUnsigned needs uint8, uint16, uint32 or uint64, got " + dtype.numpyName());
    }
    int[] dims = ArrayShapes.shapeFor(values.length, shape);
    ByteBuffer buffer = ArrayShapes.allocate(dtype, values.length);
    long max = dtype == DType.UINT64 ? -1L : (1L << (8 * dtype.itemSize())) - 1;
    for (int i = 0; i < values.length; i++) {
      long value = values[i];
      if (dtype != DType.UINT64 && (value < 0 || value > max)) {
        throw new IllegalArgumentException(
            "value " + value + " at index " + i + " is out of range for " + dtype.numpyName()
                + " (0.." + max + ")");
      }
      switch (dtype.itemSize()) {
        case 1 -> buffer.put((byte) value);
        case 2 -> buffer.putShort((short) value);
        case 4 -> buffer.putInt((int) value);
        default -> buffer.putLong(value);
      }
    }
    return new NdArray(dtype, buffer.array(), dims, values.length);
  }

  /**
   * Creates an array from raw little-endian, C-order element bytes (copied).
   *
   * <p>Unlike the {@code of} factories the shape is taken literally: no dimensions means a 0-d
   * array, which needs exactly one element ({@code dtype.itemSize()} bytes).
   *
   * @throws IllegalArgumentException if the shape is invalid, {@code data.length} is not {@code
   *     size * itemSize}, or a {@code bool} byte is neither 0 nor 1
   */
  public static NdArray fromLittleEndianBytes(DType dtype, byte[] data, int... shape) {
    Objects.requireNonNull(dtype, "dtype");
    int[] dims = shape.clone();
    int size = ArrayShapes.elementCount(dims);
    long needed = (long) size * dtype.itemSize();
    if (data.length != needed) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(dims) + " " + dtype.numpyName() + " needs " + needed
              + " bytes but " + data.length + " were given");
    }
    byte[] bytes = data.clone();
    String badBool = checkBool(dtype, bytes);
    if (badBool != null) {
      throw new IllegalArgumentException(badBool);
    }
    return new NdArray(dtype, bytes, dims, size);
  }

  // ---------------------------------------------------------------- accessors

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** The dimensions (a copy); empty for a 0-d array. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of dimensions; 0 for a 0-d array. */
  public int ndim() {
    return shape.length;
  }

  /** The number of elements: the product of the dimensions (1 for a 0-d array). */
  public int size() {
    return size;
  }

  /** The raw element bytes, little-endian in C order (a copy), exactly as sent on the wire. */
  public byte[] toLittleEndianBytes() {
    return data.clone();
  }

  // ---------------------------------------------------------------- exact conversions

  /**
   * The elements as doubles. Every dtype converts except that {@code int64} and {@code uint64}
   * arrays convert only when every value is exactly representable as a double (for example all
   * magnitudes up to 2<sup>53</sup>); {@code bool} gives 0 and 1.
   *
   * @throws IllegalStateException naming the first value that a double cannot hold exactly
   */
  public double[] toDoubleArray() {
    requireConvertible(TO_DOUBLE, "double[]");
    ByteBuffer buffer = buffer();
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = switch (dtype) {
        case FLOAT64 -> buffer.getDouble(i * 8);
        case FLOAT32 -> buffer.getFloat(i * 4);
        case INT64, UINT64 -> exactDouble(buffer.getLong(i * 8), i);
        default -> integerAt(buffer, i);
      };
    }
    return out;
  }

  /**
   * The elements as floats: allowed for {@code float32}, {@code bool} (0 and 1), {@code int8},
   * {@code uint8}, {@code int16} and {@code uint16}, whose values all fit a float exactly.
   *
   * @throws IllegalStateException for any other dtype
   */
  public float[] toFloatArray() {
    requireConvertible(TO_FLOAT, "float[]");
    ByteBuffer buffer = buffer();
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = dtype == DType.FLOAT32 ? buffer.getFloat(i * 4) : integerAt(buffer, i);
    }
    return out;
  }

  /**
   * The elements as longs: allowed for {@code bool} (0 and 1) and every integer dtype. A {@code
   * uint64} value is returned as its unsigned bit pattern, so values of 2<sup>63</sup> and more come
   * out negative; read them with {@link Long#toUnsignedString(long)} or {@link
   * Long#compareUnsigned(long, long)}.
   *
   * @throws IllegalStateException for {@code float32} and {@code float64}
   */
  public long[] toLongArray() {
    requireConvertible(TO_LONG, "long[]");
    ByteBuffer buffer = buffer();
    long[] out = new long[size];
    for (int i = 0; i < size; i++) {
      out[i] = integerAt(buffer, i);
    }
    return out;
  }

  /**
   * The elements as ints: allowed for {@code bool} (0 and 1), {@code int8}, {@code uint8}, {@code
   * int16}, {@code uint16} and {@code int32}. For wider integers use {@link #toLongArray()}.
   *
   * @throws IllegalStateException for any other dtype
   */
  public int[] toIntArray() {
    requireConvertible(TO_INT, "int[]");
    ByteBuffer buffer = buffer();
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = (int) integerAt(buffer, i);
    }
    return out;
  }

  /**
   * The elements as shorts: allowed for {@code bool} (0 and 1), {@code int8}, {@code uint8} and
   * {@code int16}.
   *
   * @throws IllegalStateException for any other dtype (including {@code uint16}, whose values
   *     above 32767 a short cannot hold)
   */
  public short[] toShortArray() {
    requireConvertible(TO_SHORT, "short[]");
    ByteBuffer buffer = buffer();
    short[] out = new short[size];
    for (int i = 0; i < size; i++) {
      out[i] = (short) integerAt(buffer, i);
    }
    return out;
  }

  /**
   * The elements as signed bytes: allowed for {@code int8} and {@code bool} (0 and 1). For the raw
   * bytes of any dtype use {@link #toLittleEndianBytes()}.
   *
   * @throws IllegalStateException for any other dtype (including {@code uint8}, whose values above
   *     127 a byte cannot hold)
   */
  public byte[] toByteArray() {
    requireConvertible(TO_BYTE, "byte[]");
    return data.clone();
  }

  /**
   * The elements as booleans: allowed for {@code bool} only.
   *
   * @throws IllegalStateException for any other dtype
   */
  public boolean[] toBooleanArray() {
    requireConvertible(TO_BOOLEAN, "boolean[]");
    boolean[] out = new boolean[size];
    for (int i = 0; i < size; i++) {
      out[i] = data[i] != 0;
    }
    return out;
  }

  // ---------------------------------------------------------------- JSON

  /**
   * Whether {@code node} is an array object on the wire: a JSON object with a {@code NUMPY_ARRAY}
   * key. Such an object should be decoded with {@link #fromJson}, which validates the rest.
   */
  public static boolean isArrayObject(JsonNode node) {
    return node != null && node.isObject() && node.has(KEY_DATA);
  }

  /**
   * This array as its wire object, with the keys in the order autopilot writes them: {@code
   * NUMPY_ARRAY} (standard base64 with padding), {@code DTYPE}, {@code SHAPE}. Returns a new,
   * mutable node on every call.
   */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put(KEY_DATA, base64());
    node.put(KEY_DTYPE, dtype.numpyName());
    ArrayNode dims = node.putArray(KEY_SHAPE);
    for (int dim : shape) {
      dims.add(dim);
    }
    return node;
  }

  /**
   * Decodes and validates a wire array object. The keys may come in any order, but only the three
   * wire keys are allowed; {@code NUMPY_ARRAY} must be standard, padded base64, {@code DTYPE} a
   * supported dtype, {@code SHAPE} a list of non-negative ints whose product fits in an int, and
   * the decoded bytes exactly {@code product(SHAPE) * itemsize} long ({@code bool} bytes 0 or 1),
   * or an array the sender packed with blosc ({@code blosc.pack_array} or {@code
   * blosc2.pack_array}, as autopilot's {@code Message(..., blosc=True)} does): a Blosc 1 or Blosc 2
   * chunk holding the array's pickle, which is unpacked (at most {@link
   * MessageCodec#MAX_UNPACKED_ARRAY_BYTES}) and must hold exactly that {@code DTYPE} and {@code
   * SHAPE}. Bytes of the raw length that also look packed are tried packed first, as autopilot
   * does, and read raw if that fails.
   *
   * @param fieldPath where the node sits in the message (for example {@code "value.frame"}), used
   *     only in error messages
   * @throws MessageFormatException and nothing else, with a message starting {@code field
   *     '<fieldPath>': } followed by the specific reason
   */
  public static NdArray fromJson(JsonNode node, String fieldPath) {
    return ArrayObjectReader.read(node, fieldPath, new PackedArray.Budget(MessageCodec.MAX_UNPACKED_ARRAY_BYTES));
  }
  /** The element bytes as standard, padded base64 (the {@code NUMPY_ARRAY} value). */
  String base64() {
    return Base64.getEncoder().encodeToString(data);
  }

  // ---------------------------------------------------------------- Object

  /** Equal when dtype, shape and element bytes are all equal. */
  @Override
  public boolean equals(Object other) {
    return other instanceof NdArray that
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape)
        && Arrays.equals(data, that.data);
  }

  /** A hash of dtype, shape and element bytes, consistent with {@link #equals}. */
  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  /** The dtype and shape, for example {@code NdArray[float64 2x3x4]}; never the elements. */
  @Override
  public String toString() {
    String dims = shape.length == 0
        ? "0-d"
        : Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    return "NdArray[" + dtype.numpyName() + " " + dims + "]";
  }

  // ---------------------------------------------------------------- helpers

  private ByteBuffer buffer() {
    return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Element {@code i} of an integer or bool array: sign- or zero-extended, uint64 as bit pattern. */
  private long integerAt(ByteBuffer buffer, int i) {
    return switch (dtype) {
      case BOOL, INT8 -> buffer.get(i);
      case UINT8 -> Byte.toUnsignedLong(buffer.get(i));
      case INT16 -> buffer.getShort(i * 2);
      case UINT16 -> Short.toUnsignedLong(buffer.getShort(i * 2));
      case INT32 -> buffer.getInt(i * 4);
      case UINT32 -> Integer.toUnsignedLong(buffer.getInt(i * 4));
      case INT64, UINT64 -> buffer.getLong(i * 8);
      case FLOAT32, FLOAT64 -> throw new IllegalStateException(dtype + " is not an integer dtype");
    };
  }

  /** The int64/uint64 element {@code bits} as a double, or throws if a double cannot hold it. */
  private double exactDouble(long bits, int index) {
    boolean unsigned = dtype == DType.UINT64;
    // Magnitude as an unsigned bit pattern; for Long.MIN_VALUE, -bits is 2^63 read unsigned.
    long magnitude = unsigned || bits >= 0 ? bits : -bits;
    int significantBits = magnitude == 0
        ? 0
        : Long.SIZE - Long.numberOfLeadingZeros(magnitude) - Long.numberOfTrailingZeros(magnitude);
    if (significantBits > 53) {
      String shown = unsigned ? Long.toUnsignedString(bits) : Long.toString(bits);
      throw new IllegalStateException(
          dtype.numpyName() + " value " + shown + " at index " + index
              + " is not exactly representable as a double; use toLongArray()");
    }
    if (unsigned && bits < 0) {
      // >= 2^63 with at most 53 significant bits, so the lowest bit is 0 and halving is exact.
      return (double) (bits >>> 1) * 2.0;
    }
    return bits;
  }

  private void requireConvertible(Set<DType> allowed, String target) {
    if (!allowed.contains(dtype)) {
      String from = allowed.stream().map(DType::numpyName).collect(Collectors.joining(", "));
      throw new IllegalStateException(
          "cannot convert a " + dtype.numpyName() + " array to " + target
              + " without losing information; " + target + " is available for: " + from);
    }
  }

  /** Null when {@code bytes} is not a bool array or holds only 0 and 1, else the reason. */
  static String checkBool(DType dtype, byte[] bytes) {
    if (dtype != DType.BOOL) {
      return null;
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != 0 && bytes[i] != 1) {
        return "bool array holds byte " + Byte.toUnsignedInt(bytes[i]) + " at index " + i
            + "; expected 0 or 1";
      }
    }
    return null;
  }
}
