package io.stationmq.message;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The element type of an {@link NdArray}, named as numpy names it on the wire (the {@code DTYPE}
 * key of an autopilot array object).
 *
 * <p>Every type is stored little-endian with the item size numpy uses; {@code bool} is one byte
 * holding 0 or 1. Enum constants are immutable and thread-safe.
 */
public enum DType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FLOAT32(4),
  FLOAT64(8);

  private static final Map<String, DType> BY_NUMPY_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(DType::numpyName, Function.identity()));

  private final int itemSize;
  private final String numpyName;

  DType(int itemSize) {
    this.itemSize = itemSize;
    this.numpyName = name().toLowerCase(Locale.ROOT);
  }

  /** The numpy dtype name used on the wire, for example {@code "float64"} or {@code "bool"}. */
  public String numpyName() {
    return numpyName;
  }

  /** The size of one element in bytes (numpy's {@code itemsize}). */
  public int itemSize() {
    return itemSize;
  }

  /** Whether this is one of the unsigned integer types {@code uint8..uint64} ({@code bool} is not). */
  public boolean isUnsigned() {
    return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
  }

  /** Whether this is a floating-point type ({@code float32} or {@code float64}). */
  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT64;
  }

  /**
   * Looks up a type by its numpy name (exact, case-sensitive, as numpy writes it).
   *
   * @throws MessageFormatException if {@code name} is null or not one of the supported names; the
   *     message names the unknown dtype and lists the known ones
   */
  public static DType fromNumpyName(String name) {
    DType type = name == null ? null : BY_NUMPY_NAME.get(name);
    if (type == null) {
      String known =
          Arrays.stream(values()).map(DType::numpyName).collect(Collectors.joining(", "));
      String shown = name == null ? "null" : "'" + name + "'";
      throw new MessageFormatException(
          "unsupported dtype " + shown + "; supported dtypes are: " + known);
    }
    return type;
  }
}
