package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BloscChunk} on chunks built to the published format by {@link TestChunks}: the Blosc 2
 * encodings python-blosc2's {@code pack_array} rarely or never emits for a pickle, and every
 * refusal. The chunks real libraries write are in {@link PackedArrayGoldenTest}.
 */
@Timeout(30)
class BloscChunkTest {
  private static final long MAX = 1 << 20;

  private static byte[] sample(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 3 == 0 ? 0 : i * 7);
    }
    return b;
  }

  @Test
  void memcpyedChunksOfBothFormats() {
    byte[] data = sample(1000);
    assertArrayEquals(data, BloscChunk.decompress(TestChunks.memcpyed(false, data, 8), MAX));
    assertArrayEquals(data, BloscChunk.decompress(TestChunks.memcpyed(true, data, 8), MAX));
    assertArrayEquals(new byte[0], BloscChunk.decompress(TestChunks.memcpyed(true, new byte[0], 1), MAX));
  }

  @Test
  void specialChunks() {
    assertArrayEquals(new byte[64], BloscChunk.decompress(TestChunks.special(1, 8, 64, null), MAX));
    assertArrayEquals(new byte[64], BloscChunk.decompress(TestChunks.special(4, 8, 64, null), MAX));
    byte[] nans = BloscChunk.decompress(TestChunks.special(2, 8, 64, null), MAX);
    ByteBuffer b = ByteBuffer.wrap(nans).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 64; i += 8) {
      assertTrue(Double.isNaN(b.getDouble(i)));
    }
    assertTrue(Float.isNaN(ByteBuffer.wrap(BloscChunk.decompress(TestChunks.special(2, 4, 8, null), MAX))
        .order(ByteOrder.LITTLE_ENDIAN).getFloat(4)));
    byte[] value = {1, 2, 3};
    byte[] repeated = BloscChunk.decompress(TestChunks.special(3, 3, 9, value), MAX);
    assertArrayEquals(new byte[] {1, 2, 3, 1, 2, 3, 1, 2, 3}, repeated);
  }

  @Test
  void zeroRunAndRawStreamsWithSplitBlocksAndAShortLastBlock() {
    // Elements 0..999 as int32: the high bytes are zero streams, the low bytes raw, the last
    // block (not split) raw; a run of a repeated non-zero byte too.
    ByteBuffer ints = ByteBuffer.allocate(4000 + 3).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 1000; i++) {
      ints.putInt(i < 256 ? 0x07000000 : i);
    }
    byte[] data = ints.array();
    for (int shuffles : new int[] {0, 1, 2}) {
      byte[] chunk = TestChunks.streams(data, 4, 1024, shuffles);
      assertArrayEquals(data, BloscChunk.decompress(chunk, MAX), "shuffles " + shuffles);
    }
  }

  @Test
  void aDeclaredSizeOverTheLimitFailsBeforeAllocating() {
    byte[] chunk = TestChunks.special(1, 8, Integer.MAX_VALUE - 7, null);
    MessageFormatException e = assertThrows(MessageFormatException.class, () -> BloscChunk.decompress(chunk, MAX));
    assertTrue(e.getMessage().contains("more than the 1048576 allowed"), e.getMessage());
  }

  @Test
  void malformedAndUnsupportedChunksAreRefusedWithTheReason() {
    byte[] good = TestChunks.streams(sample(3000), 4, 1024, 1);
    refused(good, c -> c[0] = 1, "format version 1");
    refused(good, c -> c[0] = 6, "format version 6");
    refused(good, c -> c[12]++, "compressed bytes");
    refused(good, c -> c[3] = 0, "typesize is 0");
    refused(good, c -> putInt(c, 8, 4000), "inconsistent");
    refused(good, c -> putInt(c, 8, 0), "inconsistent");
    refused(good, c -> putInt(c, 4, -5), "inconsistent");
    refused(good, c -> c[16 + 4] = 3, "delta filter");
    refused(good, c -> c[16 + 4] = 35, "filter 35");
    refused(good, c -> c[31] = 0x01, "dictionary");
    refused(good, c -> c[31] = 0x08, "lazy");
    refused(good, c -> c[31] = (byte) 0x80, "instrumented");
    refused(good, c -> c[31] = 0x50, "special chunk type 5");
    refused(good, c -> c[2] = (byte) (c[2] | 6 << 5), "user-defined codecs");
    refused(good, c -> c[2] = (byte) (c[2] | 2 << 5), "reserved");
    refused(good, c -> putInt(c, 32, 3), "starts at 3");
    refused(good, c -> putInt(c, 32, c.length), "starts at");
    refused(good, c -> putInt(c, 44, 1 << 30), "declares 1073741824 bytes");
    refused(Arrays.copyOf(good, 12), c -> { }, "shorter than the 16-byte header");
    byte[] memcpyed = TestChunks.memcpyed(true, sample(100), 4);
    refused(memcpyed, c -> { putInt(c, 4, 90); putInt(c, 8, 90); }, "memcpyed chunk");
    byte[] blosc1 = TestChunks.memcpyed(false, sample(100), 4);
    refused(blosc1, c -> c[2] |= 0x08, "flag 0x08");
    refused(TestChunks.special(3, 8, 64, new byte[4]), c -> { }, "too short for its 8-byte value");
    refused(TestChunks.special(2, 2, 64, null), c -> { }, "NaN chunk needs typesize 4 or 8");
    refused(TestChunks.special(1, 8, 60, null), c -> { }, "not a whole number");
  }

  @Test
  void aStreamThatDoesNotDecompressToItsSizeIsRefused() {
    // One BloscLZ literal run of 4 bytes where the block needs 8.
    byte[] h = TestChunks.header(true, 0x10, 1, 8, 8, 0);
    ByteBuffer c = ByteBuffer.allocate(32 + 4 + 4 + 5).order(ByteOrder.LITTLE_ENDIAN);
    c.put(h).putInt(36).putInt(5).put(new byte[] {3, 1, 2, 3, 4});
    byte[] chunk = c.array();
    putInt(chunk, 12, chunk.length);
    MessageFormatException e = assertThrows(MessageFormatException.class, () -> BloscChunk.decompress(chunk, MAX));
    assertTrue(e.getMessage().contains("does not decompress to its 8 bytes (blosclz)"), e.getMessage());
  }

  @Test
  void bloscLzRejectsMatchesBeforeTheStartAndOverlongOutput() {
    byte[] out = new byte[16];
    // A literal of 1 byte then a match of 3 bytes at distance 5: reaches before the output start.
    assertEquals(-1, BloscLz.decompress(new byte[] {0, 9, 0x20, 4, 0}, 0, 5, out, 0, 16));
    // A literal of 4 bytes into room for 2.
    assertEquals(-1, BloscLz.decompress(new byte[] {3, 1, 2, 3, 4}, 0, 5, out, 0, 2));
    // A literal cut off.
    assertEquals(-1, BloscLz.decompress(new byte[] {3, 1, 2}, 0, 3, out, 0, 16));
    // A literal "ab", a match of 3 at distance 1 ("bbb"), a literal "c".
    assertEquals(6, BloscLz.decompress(new byte[] {1, 'a', 'b', 0x20, 0, 0, 'c'}, 0, 7, out, 0, 16));
    assertArrayEquals("abbbbc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Arrays.copyOf(out, 6));
  }

  private static void refused(byte[] good, Consumer<byte[]> change, String reason) {
    byte[] chunk = good.clone();
    change.accept(chunk);
    MessageFormatException e = assertThrows(MessageFormatException.class, () -> BloscChunk.decompress(chunk, MAX),
        reason);
    assertTrue(e.getMessage().startsWith("blosc: ") && e.getMessage().contains(reason),
        reason + " -> " + e.getMessage());
  }

  private static void putInt(byte[] b, int at, int v) {
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
  }
}
