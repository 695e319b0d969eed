package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bodies whose arrays are blosc-packed: made by {@code src/test/python/packed_arrays.py}
 * with Debian's python3-blosc (Blosc 1, {@code packed-arrays/blosc1}) and with python-blosc2
 * (Blosc 2, {@code packed-arrays/blosc2}); see {@code packed-arrays/README.md}. Each must decode to
 * the array whose raw bytes the generator hashed, and re-encode uncompressed.
 */
@Timeout(60)
class PackedArrayGoldenTest {
  static final Path DIR = Path.of("src", "test", "resources", "packed-arrays");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The value of every generated body. */
  record Frame(NdArray frame) {}

  /** One generated case: its body and what its array must be. */
  record Case(Path body, String name, DType dtype, int[] shape, String sha256) {
    @Override
    public String toString() {
      return body.getParent().getFileName() + "/" + name;
    }
  }

  static List<Case> cases(Path dir) {
    try {
      JsonNode index = JSON.readTree(dir.resolve("cases.json").toFile());
      List<Case> out = new ArrayList<>();
      for (JsonNode c : index.get("cases")) {
        int[] shape = new int[c.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = c.get("shape").get(i).intValue();
        }
        String name = c.get("name").textValue();
        out.add(new Case(dir.resolve(name + ".json"), name, DType.fromNumpyName(c.get("dtype").textValue()),
            shape, c.get("sha256").textValue()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Case> goldenCases() {
    return Stream.concat(cases(DIR.resolve("blosc1")).stream(), cases(DIR.resolve("blosc2")).stream());
  }

  /** Decodes {@code c}'s body and checks its array against the case; returns the message. */
  static Message check(Case c) throws IOException {
    Message m = MessageCodec.decode(Files.readAllBytes(c.body()));
    NdArray a = m.value(Frame.class).frame();
    assertEquals(c.dtype(), a.dtype(), c + " dtype");
    assertArrayEquals(c.shape(), a.shape(), c + " shape");
    assertEquals(c.sha256(), sha256(a.toLittleEndianBytes()), c + " element bytes");
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void decodesToTheArrayPythonPacked(Case c) throws IOException {
    Message m = check(c);
    // The message now holds the raw bytes: it re-encodes uncompressed and decodes to the same array.
    JsonNode frame = m.value(JsonNode.class).get("frame");
    NdArray a = m.value(Frame.class).frame();
    assertEquals(a.toLittleEndianBytes().length, Base64.getDecoder().decode(frame.get("NUMPY_ARRAY").textValue()).length);
    Message again = MessageCodec.decode(MessageCodec.encode(m));
    assertEquals(a, again.value(Frame.class).frame());
    assertEquals(Boolean.TRUE, m.extra("blosc", Boolean.class).orElseThrow(), "the sender's blosc field is kept");
  }

  @Test
  void everyDtypeAndBothFormatsAreCovered() {
    List<Case> all = goldenCases().toList();
    for (DType t : DType.values()) {
      assertTrue(all.stream().anyMatch(c -> c.dtype() == t && c.toString().startsWith("blosc1/")), t + " blosc1");
      assertTrue(all.stream().anyMatch(c -> c.dtype() == t && c.toString().startsWith("blosc2/")), t + " blosc2");
    }
    assertTrue(all.size() > 200, "cases: " + all.size());
  }

  @Test
  void autopilotsOwnPackedBodyDecodes() throws IOException {
    byte[] body = Files.readAllBytes(Path.of("src", "test", "resources", "autopilot-wire", "bodies",
        "array_blosc_float64.json"));
    NdArray a = MessageCodec.decode(body).value(Frame.class).frame();
    double[] expected = new double[50];
    for (int i = 0; i < 50; i++) {
      expected[i] = i / 49.0;   // numpy.linspace(0, 1, 50)
    }
    double[] got = a.toDoubleArray();
    assertEquals(50, got.length);
    for (int i = 0; i < 50; i++) {
      assertEquals(expected[i], got[i], 1e-15, "element " + i);
    }
    assertFalse(a.toString().isEmpty());
  }

  @Test
  void rawBytesThatOnlyLookPackedAreReadRawAsAutopilotDoes() {
    // 64 uint8 elements starting like a Blosc 1 chunk of their own length that declares 100 bytes.
    byte[] raw = new byte[64];
    raw[0] = 2;
    raw[3] = 1;
    raw[4] = 100;
    raw[8] = 100;
    raw[12] = 64;
    assertTrue(PackedArray.looksPacked(raw, DType.UINT8, 64));
    ObjectNode node = NdArray.ofUnsigned(DType.UINT8, new long[64]).toJson();
    node.put("NUMPY_ARRAY", Base64.getEncoder().encodeToString(raw));
    assertArrayEquals(raw, NdArray.fromJson(node, "value").toLittleEndianBytes());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
