package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class NdArrayTest {
  /** Golden bodies from the Python toolkit, relative to the module directory (Maven's cwd). */
  /** Bodies written by the Python toolkit itself, kept as test resources. */
  private static final Path BODIES = Path.of("src", "test", "resources", "autopilot-wire", "bodies");
  private static final ObjectMapper PLAIN = new ObjectMapper();
  private static final String PATH = "value.frame";

  record Frame(String name, NdArray data) {}

  private static JsonNode body(String file) throws IOException {
    return PLAIN.readTree(Files.readString(BODIES.resolve(file)));
  }

  private static JsonNode arrayNode(String json) {
    try {
      return PLAIN.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** np.arange(24).reshape(2,3,4) % 7, minus 3 for signed and float dtypes, flattened. */
  private static long[] expectedGolden(DType dtype) {
    long[] values = new long[24];
    boolean signed = !dtype.isUnsigned() && dtype != DType.BOOL;
    for (int i = 0; i < values.length; i++) {
      long v = i % 7;
      values[i] = dtype == DType.BOOL ? (v != 0 ? 1 : 0) : signed ? v - 3 : v;
    }
    return values;
  }

  // ------------------------------------------------------------ golden samples

  @Test
  void everyGoldenArrayFileIsCovered() throws IOException {
    Set<String> expected = new TreeSet<>();
    for (DType dtype : DType.values()) {
      expected.add("array_" + dtype.numpyName() + ".json");
    }
    expected.add("array_blosc_float64.json");
    expected.add("array_scalar_shape.json");
    try (Stream<Path> files = Files.list(BODIES)) {
      Set<String> actual = files.map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("array_") && n.endsWith(".json"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(expected, actual);
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void goldenArrayDecodesAndReencodesIdentically(DType dtype) throws IOException {
    JsonNode original = body("array_" + dtype.numpyName() + ".json").get("value").get("frame");
    assertTrue(NdArray.isArrayObject(original));

    NdArray array = NdArray.fromJson(original, PATH);

    assertEquals(dtype, array.dtype());
    assertArrayEquals(new int[] {2, 3, 4}, array.shape());
    assertEquals(3, array.ndim());
    assertEquals(24, array.size());
    long[] expected = expectedGolden(dtype);
    if (dtype.isFloating()) {
      double[] values = array.toDoubleArray();
      for (int i = 0; i < expected.length; i++) {
        assertEquals((double) expected[i], values[i], 0.0, "element " + i);
      }
    } else {
      assertArrayEquals(expected, array.toLongArray());
    }

    ObjectNode reencoded = array.toJson();
    assertEquals(original, reencoded);
    assertEquals(original.get("NUMPY_ARRAY").textValue(), reencoded.get("NUMPY_ARRAY").textValue());
    assertEquals(List.of("NUMPY_ARRAY", "DTYPE", "SHAPE"), fieldNames(reencoded));
  }

  @Test
  void goldenBoolDecodesToBooleans() throws IOException {
    NdArray array = NdArray.fromJson(body("array_bool.json").get("value").get("frame"), PATH);
    boolean[] values = array.toBooleanArray();
    for (int i = 0; i < values.length; i++) {
      assertEquals(i % 7 != 0, values[i], "element " + i);
    }
  }

  @Test
  void goldenScalarIsZeroDimensional() throws IOException {
    JsonNode original = body("array_scalar_shape.json").get("value").get("x");
    NdArray array = NdArray.fromJson(original, "value.x");

    assertEquals(DType.FLOAT64, array.dtype());
    assertEquals(0, array.ndim());
    assertArrayEquals(new int[0], array.shape());
    assertEquals(1, array.size());
    assertArrayEquals(new double[] {2.5}, array.toDoubleArray());
    assertEquals(original, array.toJson());
    assertEquals("NdArray[float64 0-d]", array.toString());
  }

  @Test
  void goldenBloscArrayIsUnpacked() throws IOException {
    JsonNode frame = body("array_blosc_float64.json").get("value").get("frame");
    assertTrue(NdArray.isArrayObject(frame));

    NdArray array = NdArray.fromJson(frame, PATH);

    assertEquals("NdArray[float64 50]", array.toString());
    assertEquals(0.5, array.toDoubleArray()[49] / 2);
  }

  @Test
  void dataOfTheWrongLengthThatIsNotPackedIsRejectedSayingSo() {
    ObjectNode node = (ObjectNode) NdArray.of(new double[] {1, 2}).toJson();
    node.put("NUMPY_ARRAY", "AAAA");
    MessageFormatException e = assertThrows(MessageFormatException.class, () -> NdArray.fromJson(node, PATH));
    assertTrue(e.getMessage().startsWith("field 'value.frame': array data does not match its shape"), e.getMessage());
    assertTrue(e.getMessage().contains("3 bytes for shape [2] float64 needs 16"), e.getMessage());
    assertTrue(e.getMessage().contains("not a blosc-packed array"), e.getMessage());
  }

  // ------------------------------------------------------------ factories and accessors

  @Test
  void everyFactoryRoundTripsThroughJson() {
    List<NdArray> arrays = List.of(
        NdArray.of(new double[] {-1.5, 0.0, Double.NaN, Double.MAX_VALUE, -0.0, 1e-300}, 2, 3),
        NdArray.of(new float[] {-1.5f, Float.NaN, Float.MIN_VALUE, 3f}, 2, 2),
        NdArray.of(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}),
        NdArray.of(new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, 4, 1),
        NdArray.of(new short[] {Short.MIN_VALUE, -1, 0, Short.MAX_VALUE}, 1, 1, 4),
        NdArray.of(new byte[] {Byte.MIN_VALUE, -1, 0, Byte.MAX_VALUE}, 2, 2),
        NdArray.of(new boolean[] {true, false, true}, 3),
        NdArray.ofUnsigned(DType.UINT8, new long[] {0, 1, 255}),
        NdArray.ofUnsigned(DType.UINT16, new long[] {0, 1, 65535}),
        NdArray.ofUnsigned(DType.UINT32, new long[] {0, 1, 4294967295L}),
        NdArray.ofUnsigned(DType.UINT64, new long[] {0, 1, -1L, Long.MIN_VALUE}),
        NdArray.of(new double[0], 0, 5),
        NdArray.fromLittleEndianBytes(DType.INT16, new byte[] {1, 2}));
    for (NdArray array : arrays) {
      NdArray back = NdArray.fromJson(array.toJson(), "x");
      assertEquals(array, back, array.toString());
      assertEquals(array.hashCode(), back.hashCode());
      assertArrayEquals(array.toLittleEndianBytes(), back.toLittleEndianBytes());
    }
  }

  @Test
  void factoriesStoreValuesInCOrderLittleEndian() {
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, NdArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).toDoubleArray());
    assertArrayEquals(new float[] {1.5f, -2f}, NdArray.of(new float[] {1.5f, -2f}).toFloatArray());
    assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, NdArray.of(new long[] {Long.MIN_VALUE, 7}).toLongArray());
    assertArrayEquals(new int[] {-5, 70000}, NdArray.of(new int[] {-5, 70000}).toIntArray());
    assertArrayEquals(new short[] {-5, 300}, NdArray.of(new short[] {-5, 300}).toShortArray());
    assertArrayEquals(new byte[] {-5, 100}, NdArray.of(new byte[] {-5, 100}).toByteArray());
    assertArrayEquals(new boolean[] {true, false}, NdArray.of(new boolean[] {true, false}).toBooleanArray());

    assertArrayEquals(new byte[] {1, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        NdArray.of(new int[] {1, -1}).toLittleEndianBytes());
    assertArrayEquals(new byte[] {(byte) 0xaa, (byte) 0xbb},
        NdArray.ofUnsigned(DType.UINT16, new long[] {0xbbaa}).toLittleEndianBytes());
  }

  @Test
  void omittedShapeMeansOneDimensional() {
    NdArray array = NdArray.of(new int[] {1, 2, 3});
    assertArrayEquals(new int[] {3}, array.shape());
    assertEquals(1, array.ndim());
    assertEquals(3, array.size());
    assertEquals("NdArray[int32 3]", array.toString());
    assertArrayEquals(new int[] {0}, NdArray.of(new double[0]).shape());
  }

  @Test
  void fromLittleEndianBytesTakesShapeLiterally() {
    NdArray scalar = NdArray.fromLittleEndianBytes(DType.FLOAT32, new byte[] {0, 0, (byte) 0x80, 0x3f});
    assertEquals(0, scalar.ndim());
    assertArrayEquals(new float[] {1f}, scalar.toFloatArray());
    assertEquals("{\"NUMPY_ARRAY\":\"AACAPw==\",\"DTYPE\":\"float32\",\"SHAPE\":[]}", scalar.toJson().toString());

    assertThrows(IllegalArgumentException.class,
        () -> NdArray.fromLittleEndianBytes(DType.FLOAT32, new byte[8]));
    assertThrows(IllegalArgumentException.class,
        () -> NdArray.fromLittleEndianBytes(DType.INT32, new byte[7], 2));
    assertThrows(IllegalArgumentException.class,
        () -> NdArray.fromLittleEndianBytes(DType.BOOL, new byte[] {0, 2}, 2));
  }

  @Test
  void shapeMismatchAndBadShapesAreRejectedByFactories() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NdArray.of(new double[5], 2, 3));
    assertEquals("shape [2, 3] holds 6 elements but 5 were given", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NdArray.of(new double[0], -1, 0));
    assertThrows(IllegalArgumentException.class, () -> NdArray.of(new int[1], 65536, 65536));
    assertThrows(IllegalArgumentException.class, () -> NdArray.of(new long[4], 2));
    assertThrows(IllegalArgumentException.class,
        () -> NdArray.fromLittleEndianBytes(DType.INT8, new byte[0], Integer.MAX_VALUE, 2));
  }

  @Test
  void arraysAreDefensivelyCopied() {
    double[] data = {1, 2};
    int[] shape = {2};
    NdArray array = NdArray.of(data, shape);
    data[0] = 99;
    shape[0] = 1;
    array.shape()[0] = 7;
    array.toLittleEndianBytes()[0] = 1;
    array.toDoubleArray()[1] = 42;
    assertArrayEquals(new double[] {1, 2}, array.toDoubleArray());
    assertArrayEquals(new int[] {2}, array.shape());

    byte[] raw = {1, 2};
    NdArray bytes = NdArray.of(raw);
    raw[0] = 9;
    bytes.toByteArray()[1] = 9;
    assertArrayEquals(new byte[] {1, 2}, bytes.toByteArray());
  }

  @Test
  void equalityIsByDtypeShapeAndBytes() {
    NdArray a = NdArray.of(new int[] {1, 2, 3, 4}, 2, 2);
    assertEquals(a, NdArray.of(new int[] {1, 2, 3, 4}, 2, 2));
    assertEquals(a.hashCode(), NdArray.of(new int[] {1, 2, 3, 4}, 2, 2).hashCode());
    assertNotEquals(a, NdArray.of(new int[] {1, 2, 3, 4}, 4));
    assertNotEquals(a, NdArray.ofUnsigned(DType.UINT32, new long[] {1, 2, 3, 4}, 2, 2));
    assertNotEquals(a, NdArray.of(new int[] {1, 2, 3, 5}, 2, 2));
    assertEquals(NdArray.of(new double[] {Double.NaN}), NdArray.of(new double[] {Double.NaN}));
    assertNotEquals(NdArray.of(new double[] {0.0}), NdArray.of(new double[] {-0.0}));
    assertEquals("NdArray[int32 2x2]", a.toString());
  }

  // ------------------------------------------------------------ unsigned

  @Test
  void unsignedExtremesSurvive() {
    assertUnsignedRoundTrip(DType.UINT8, 255);
    assertUnsignedRoundTrip(DType.UINT16, 65535);
    assertUnsignedRoundTrip(DType.UINT32, 4294967295L);
    assertUnsignedRoundTrip(DType.UINT64, -1L);

    NdArray max64 = NdArray.ofUnsigned(DType.UINT64, new long[] {-1L});
    assertEquals("18446744073709551615", Long.toUnsignedString(max64.toLongArray()[0]));
    assertEquals("//////////8=", max64.toJson().get("NUMPY_ARRAY").textValue());
    assertArrayEquals(new int[] {255}, NdArray.ofUnsigned(DType.UINT8, new long[] {255}).toIntArray());
    assertArrayEquals(new short[] {255}, NdArray.ofUnsigned(DType.UINT8, new long[] {255}).toShortArray());
    assertArrayEquals(new int[] {65535}, NdArray.ofUnsigned(DType.UINT16, new long[] {65535}).toIntArray());
    assertArrayEquals(new float[] {65535f}, NdArray.ofUnsigned(DType.UINT16, new long[] {65535}).toFloatArray());
    assertArrayEquals(new double[] {4294967295.0},
        NdArray.ofUnsigned(DType.UINT32, new long[] {4294967295L}).toDoubleArray());
  }

  private static void assertUnsignedRoundTrip(DType dtype, long max) {
    NdArray array = NdArray.ofUnsigned(dtype, new long[] {0, max});
    NdArray back = NdArray.fromJson(array.toJson(), "x");
    assertEquals(array, back);
    assertArrayEquals(new long[] {0, max}, back.toLongArray());
    byte[] bytes = back.toLittleEndianBytes();
    for (int i = dtype.itemSize(); i < bytes.length; i++) {
      assertEquals((byte) 0xff, bytes[i], dtype + " byte " + i);
    }
  }

  @Test
  void unsignedValuesOutOfRangeAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> NdArray.ofUnsigned(DType.UINT8, new long[] {256}));
    assertThrows(IllegalArgumentException.class, () -> NdArray.ofUnsigned(DType.UINT8, new long[] {-1}));
    assertThrows(IllegalArgumentException.class, () -> NdArray.ofUnsigned(DType.UINT16, new long[] {65536}));
    assertThrows(IllegalArgumentException.class,
        () -> NdArray.ofUnsigned(DType.UINT32, new long[] {4294967296L}));
    assertThrows(IllegalArgumentException.class, () -> NdArray.ofUnsigned(DType.UINT32, new long[] {-1}));
    assertThrows(IllegalArgumentException.class, () -> NdArray.ofUnsigned(DType.INT32, new long[] {1}));
    assertThrows(IllegalArgumentException.class, () -> NdArray.ofUnsigned(DType.BOOL, new long[] {1}));
  }

  // ------------------------------------------------------------ conversions

  private static final Map<String, Function<NdArray, Object>> CONVERSIONS = conversions();

  private static Map<String, Function<NdArray, Object>> conversions() {
    Map<String, Function<NdArray, Object>> map = new LinkedHashMap<>();
    map.put("double", NdArray::toDoubleArray);
    map.put("float", NdArray::toFloatArray);
    map.put("long", NdArray::toLongArray);
    map.put("int", NdArray::toIntArray);
    map.put("short", NdArray::toShortArray);
    map.put("byte", NdArray::toByteArray);
    map.put("boolean", NdArray::toBooleanArray);
    return map;
  }

  /** Which conversions each dtype allows, for values that are all small (here 0 and 1). */
  private static Set<String> allowed(DType dtype) {
    return switch (dtype) {
      case BOOL -> Set.of("double", "float", "long", "int", "short", "byte", "boolean");
      case INT8 -> Set.of("double", "float", "long", "int", "short", "byte");
      case UINT8, INT16 -> Set.of("double", "float", "long", "int", "short");
      case UINT16 -> Set.of("double", "float", "long", "int");
      case INT32 -> Set.of("double", "long", "int");
      case UINT32, INT64, UINT64 -> Set.of("double", "long");
      case FLOAT32 -> Set.of("double", "float");
      case FLOAT64 -> Set.of("double");
    };
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void conversionsAreExactOrThrow(DType dtype) {
    NdArray array = NdArray.fromLittleEndianBytes(dtype, smallValuesBytes(dtype), 2);
    Set<String> allowed = allowed(dtype);
    for (Map.Entry<String, Function<NdArray, Object>> conversion : CONVERSIONS.entrySet()) {
      String name = conversion.getKey();
      if (allowed.contains(name)) {
        Object out = conversion.getValue().apply(array);
        assertEquals(2, Array.getLength(out), dtype + " -> " + name);
        assertEquals("0.0, 1.0", numbers(out), dtype + " -> " + name);
      } else {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> conversion.getValue().apply(array), dtype + " -> " + name);
        assertTrue(e.getMessage().contains(dtype.numpyName()), e.getMessage());
      }
    }
  }

  /** The elements 0 and 1 of {@code dtype} as little-endian bytes. */
  private static byte[] smallValuesBytes(DType dtype) {
    byte[] bytes = new byte[2 * dtype.itemSize()];
    switch (dtype) {
      case FLOAT32 -> { bytes[6] = (byte) 0x80; bytes[7] = 0x3f; }
      case FLOAT64 -> { bytes[14] = (byte) 0xf0; bytes[15] = 0x3f; }
      default -> bytes[dtype.itemSize()] = 1;
    }
    return bytes;
  }

  private static String numbers(Object array) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Array.getLength(array); i++) {
      Object element = Array.get(array, i);
      double value = element instanceof Boolean b ? (b ? 1 : 0) : ((Number) element).doubleValue();
      out.add(Double.toString(value));
    }
    return String.join(", ", out);
  }

  @Test
  void wideIntegersConvertToDoubleOnlyWhenExact() {
    long twoTo53 = 1L << 53;
    assertArrayEquals(new double[] {twoTo53, -twoTo53, Long.MIN_VALUE, 0x1p62},
        NdArray.of(new long[] {twoTo53, -twoTo53, Long.MIN_VALUE, 1L << 62}).toDoubleArray());
    assertThrows(IllegalStateException.class, () -> NdArray.of(new long[] {twoTo53 + 1}).toDoubleArray());
    assertThrows(IllegalStateException.class, () -> NdArray.of(new long[] {-twoTo53 - 1}).toDoubleArray());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NdArray.of(new long[] {0, Long.MAX_VALUE}).toDoubleArray());
    assertTrue(e.getMessage().contains("9223372036854775807 at index 1"), e.getMessage());

    assertArrayEquals(new double[] {0x1p63, 0x1p64 - 0x1p11, twoTo53},
        NdArray.ofUnsigned(DType.UINT64, new long[] {Long.MIN_VALUE, -1L << 11, twoTo53}).toDoubleArray());
    IllegalStateException u = assertThrows(IllegalStateException.class,
        () -> NdArray.ofUnsigned(DType.UINT64, new long[] {-1L}).toDoubleArray());
    assertTrue(u.getMessage().contains("18446744073709551615"), u.getMessage());
  }

  @Test
  void negativeNarrowValuesConvertExactly() {
    NdArray int8 = NdArray.of(new byte[] {-128, 127});
    assertArrayEquals(new long[] {-128, 127}, int8.toLongArray());
    assertArrayEquals(new int[] {-128, 127}, int8.toIntArray());
    assertArrayEquals(new short[] {-128, 127}, int8.toShortArray());
    assertArrayEquals(new float[] {-128, 127}, int8.toFloatArray());
    assertArrayEquals(new double[] {-128, 127}, int8.toDoubleArray());
    assertArrayEquals(new float[] {-32768, 32767}, NdArray.of(new short[] {-32768, 32767}).toFloatArray());
    assertArrayEquals(new double[] {Integer.MIN_VALUE}, NdArray.of(new int[] {Integer.MIN_VALUE}).toDoubleArray());
  }

  // ------------------------------------------------------------ malformed wire objects

  @ParameterizedTest
  @ValueSource(strings = {
      "42",
      "\"AAAA\"",
      "[1, 2]",
      "null",
      "{}",
      "{\"DTYPE\": \"int8\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\"}",
      "{\"NUMPY_ARRAY\": 0, \"DTYPE\": \"int8\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": null, \"DTYPE\": \"int8\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"!!!!\", \"DTYPE\": \"int8\", \"SHAPE\": [3]}",
      "{\"NUMPY_ARRAY\": \"AA\", \"DTYPE\": \"int8\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"A===\", \"DTYPE\": \"int8\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"complex128\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"<i1\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": 8, \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": 1}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [-1]}",
      "{\"NUMPY_ARRAY\": \"\", \"DTYPE\": \"int8\", \"SHAPE\": [0, -1]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [1.0]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [\"1\"]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [null]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [3000000000]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [99999999999999999999999]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [65536, 65536]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [2147483647, 2147483647, 2147483647]}",
      "{\"NUMPY_ARRAY\": \"AAE=\", \"DTYPE\": \"int8\", \"SHAPE\": [3]}",
      "{\"NUMPY_ARRAY\": \"AAE=\", \"DTYPE\": \"int32\", \"SHAPE\": []}",
      "{\"NUMPY_ARRAY\": \"AAAAAA==\", \"DTYPE\": \"float64\", \"SHAPE\": [1]}",
      "{\"NUMPY_ARRAY\": \"AAI=\", \"DTYPE\": \"bool\", \"SHAPE\": [2]}",
      "{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [1], \"BLOSC\": true}",
  })
  void malformedArrayObjectsThrowOnlyMessageFormatException(String json) {
    JsonNode node = arrayNode(json);
    MessageFormatException e =
        assertThrows(MessageFormatException.class, () -> NdArray.fromJson(node, PATH), json);
    assertTrue(e.getMessage().startsWith("field 'value.frame': "), e.getMessage());
    assertTrue(e.getMessage().length() > "field 'value.frame': ".length() + 10, e.getMessage());
  }

  @Test
  void absentNodesThrowMessageFormatException() {
    assertThrows(MessageFormatException.class, () -> NdArray.fromJson(null, PATH));
    assertThrows(MessageFormatException.class, () -> NdArray.fromJson(MissingNode.getInstance(), PATH));
  }

  @Test
  void errorMessagesAreSpecific() {
    assertEquals("field 'value.frame': unsupported dtype 'complex128'; supported dtypes are: bool, "
            + "uint8, uint16, uint32, uint64, int8, int16, int32, int64, float32, float64",
        messageOf("{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"complex128\", \"SHAPE\": [1]}"));
    assertEquals("field 'value.frame': SHAPE[1] = -2 is negative",
        messageOf("{\"NUMPY_ARRAY\": \"AA==\", \"DTYPE\": \"int8\", \"SHAPE\": [1, -2]}"));
    assertTrue(messageOf("{\"NUMPY_ARRAY\": \"AAE=\", \"DTYPE\": \"int8\", \"SHAPE\": [3]}")
        .contains("2 bytes for shape [3] int8 needs 3"));
    assertTrue(messageOf("{\"DTYPE\": \"int8\", \"SHAPE\": [1]}").contains("NUMPY_ARRAY"));
  }

  private static String messageOf(String json) {
    return assertThrows(MessageFormatException.class, () -> NdArray.fromJson(arrayNode(json), PATH))
        .getMessage();
  }

  @Test
  void dtypeLookupAndProperties() {
    for (DType dtype : DType.values()) {
      assertEquals(dtype, DType.fromNumpyName(dtype.numpyName()));
    }
    assertEquals("float64", DType.FLOAT64.numpyName());
    assertEquals(8, DType.UINT64.itemSize());
    assertEquals(1, DType.BOOL.itemSize());
    assertEquals(EnumSet.of(DType.UINT8, DType.UINT16, DType.UINT32, DType.UINT64),
        Stream.of(DType.values()).filter(DType::isUnsigned).collect(Collectors.toCollection(() -> EnumSet.noneOf(DType.class))));
    assertEquals(EnumSet.of(DType.FLOAT32, DType.FLOAT64),
        Stream.of(DType.values()).filter(DType::isFloating).collect(Collectors.toCollection(() -> EnumSet.noneOf(DType.class))));
    MessageFormatException e = assertThrows(MessageFormatException.class, () -> DType.fromNumpyName("Float64"));
    assertTrue(e.getMessage().contains("'Float64'") && e.getMessage().contains("float64"), e.getMessage());
    assertThrows(MessageFormatException.class, () -> DType.fromNumpyName(null));
  }

  @Test
  void isArrayObjectNeedsAnObjectWithNumpyArrayKey() {
    assertTrue(NdArray.isArrayObject(arrayNode("{\"NUMPY_ARRAY\": 1}")));
    assertFalse(NdArray.isArrayObject(arrayNode("{\"DTYPE\": \"int8\"}")));
    assertFalse(NdArray.isArrayObject(arrayNode("[\"NUMPY_ARRAY\"]")));
    assertFalse(NdArray.isArrayObject(arrayNode("\"NUMPY_ARRAY\"")));
    assertFalse(NdArray.isArrayObject(null));
  }

  // ------------------------------------------------------------ Jackson module

  @Test
  void moduleRoundTripsRecordWithArray() throws IOException {
    ObjectMapper mapper = new ObjectMapper().registerModule(new NdArrayModule());
    Frame frame = new Frame("camera", NdArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));

    String json = mapper.writeValueAsString(frame);

    assertEquals("{\"name\":\"camera\",\"data\":" + frame.data().toJson() + "}", json);
    assertTrue(json.contains("{\"NUMPY_ARRAY\":\""), json);
    assertEquals(frame, mapper.readValue(json, Frame.class));
    assertEquals(new Frame("empty", null), mapper.readValue("{\"name\":\"empty\",\"data\":null}", Frame.class));
  }

  @Test
  void moduleRoundTripsArraysInsideCollections() throws IOException {
    ObjectMapper mapper = new ObjectMapper().registerModule(new NdArrayModule());
    Map<String, List<NdArray>> value = Map.of("frames", List.of(
        NdArray.ofUnsigned(DType.UINT64, new long[] {-1L}),
        NdArray.fromLittleEndianBytes(DType.BOOL, new byte[] {1})));

    String json = mapper.writeValueAsString(value);
    Map<String, List<NdArray>> back = mapper.readValue(json, new TypeReference<Map<String, List<NdArray>>>() {});

    assertEquals(value, back);
  }

  @Test
  void moduleReportsMalformedArrayWithFieldPath() {
    ObjectMapper mapper = new ObjectMapper().registerModule(new NdArrayModule());

    JsonMappingException inRecord = assertThrows(JsonMappingException.class, () -> mapper.readValue(
        "{\"name\":\"x\",\"data\":{\"NUMPY_ARRAY\":\"AAE=\",\"DTYPE\":\"int8\",\"SHAPE\":[3]}}", Frame.class));
    MessageFormatException cause = assertInstanceOfCause(inRecord);
    assertTrue(cause.getMessage().startsWith("field 'data': "), cause.getMessage());

    JsonMappingException inList = assertThrows(JsonMappingException.class, () -> mapper.readValue(
        "{\"frames\":[{\"NUMPY_ARRAY\":\"AA==\",\"DTYPE\":\"int8\",\"SHAPE\":[1]},"
            + "{\"NUMPY_ARRAY\":\"AA==\",\"DTYPE\":\"int9\",\"SHAPE\":[1]}]}",
        new TypeReference<Map<String, List<NdArray>>>() {}));
    assertTrue(assertInstanceOfCause(inList).getMessage().startsWith("field 'frames[1]': "));

    JsonMappingException notObject = assertThrows(JsonMappingException.class,
        () -> mapper.readValue("{\"name\":\"x\",\"data\":[1,2]}", Frame.class));
    assertTrue(assertInstanceOfCause(notObject).getMessage().startsWith("field 'data': "));
  }

  private static MessageFormatException assertInstanceOfCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MessageFormatException mfe) {
        return mfe;
      }
    }
    throw new AssertionError("no MessageFormatException in the cause chain", e);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
