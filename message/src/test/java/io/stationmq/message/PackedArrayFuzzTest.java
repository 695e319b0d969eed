package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutations of the golden packed arrays: changed, truncated and extended chunks, header
 * fields set to extreme values, and mutated pickles. Decoding must give a valid message or a
 * {@link MessageFormatException}, never another throwable, and finish (the class timeout); a
 * mutated size can only make it allocate what the body's limit allows.
 *
 * <p>The seed is fixed; run with {@code -Dstationmq.fuzz.seed=N} to try another. A failure names
 * the seed, the case and the mutation.
 */
@Timeout(120)
class PackedArrayFuzzTest {
  private static final long SEED = Long.getLong("stationmq.fuzz.seed", 0xB105C_2026L);
  private static final int MUTATIONS_PER_CASE = 25;
  private static final int[] EXTREMES = {0, 1, -1, 16, 32, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 26, 1 << 30};

  @Test
  void mutatedChunksDecodeOrFailWithMessageFormatException() throws IOException {
    Random rnd = new Random(SEED);
    int decoded = 0;
    int refused = 0;
    for (PackedArrayGoldenTest.Case c : PackedArrayGoldenTest.goldenCases().toList()) {
      String body = new String(Files.readAllBytes(c.body()), StandardCharsets.UTF_8);
      int at = body.indexOf("\"NUMPY_ARRAY\": \"") + 16;
      int end = body.indexOf('"', at);
      byte[] chunk = Base64.getDecoder().decode(body.substring(at, end));
      for (int i = 0; i < MUTATIONS_PER_CASE; i++) {
        StringBuilder what = new StringBuilder();
        byte[] mutated = mutate(chunk, rnd, what);
        String text = body.substring(0, at) + Base64.getEncoder().encodeToString(mutated) + body.substring(end);
        try {
          Message m = MessageCodec.decode(text.getBytes(StandardCharsets.UTF_8));
          m.value(PackedArrayGoldenTest.Frame.class).frame().toLittleEndianBytes();
          decoded++;
        } catch (MessageFormatException e) {
          refused++;
        } catch (Throwable t) {
          throw new AssertionError("seed " + SEED + ", " + c + ", " + what + ": " + t, t);
        }
      }
    }
    assertTrue(refused > decoded, "most mutations must be refused: " + refused + " refused, " + decoded + " decoded");
  }

  @Test
  void mutatedPicklesReadOrFailWithMessageFormatException() {
    Random rnd = new Random(SEED + 1);
    List<byte[]> pickles = new ArrayList<>();
    for (PackedArrayGoldenTest.Case c : PackedArrayGoldenTest.goldenCases().toList()) {
      if (!c.name().contains("_4k_") && !c.name().startsWith("large")) {
        try {
          String body = Files.readString(c.body());
          int at = body.indexOf("\"NUMPY_ARRAY\": \"") + 16;
          byte[] chunk = Base64.getDecoder().decode(body.substring(at, body.indexOf('"', at)));
          pickles.add(BloscChunk.decompress(chunk, 1 << 24));
        } catch (IOException e) {
          fail(e);
        }
      }
    }
    int read = 0;
    for (byte[] pickle : pickles) {
      for (int i = 0; i < MUTATIONS_PER_CASE; i++) {
        StringBuilder what = new StringBuilder();
        byte[] mutated = mutate(pickle, rnd, what);
        try {
          NumpyPickle.read(mutated);
          read++;
        } catch (MessageFormatException e) {
          // expected for most
        } catch (Throwable t) {
          throw new AssertionError("seed " + SEED + ", pickle of " + pickle.length + " bytes, " + what + ": " + t, t);
        }
      }
    }
    assertTrue(pickles.size() > 100, "pickles: " + pickles.size());
    assertTrue(read < pickles.size() * MUTATIONS_PER_CASE, "some mutations must be refused");
  }

  @Test
  void aLyingSizeIsRefusedBeforeAnythingLargeIsAllocated() {
    // A 32-byte zero chunk declaring 2 GiB for an array whose SHAPE claims as much.
    byte[] chunk = TestChunks.special(1, 8, Integer.MAX_VALUE - 7, null);
    String body = "{\"id\": \"a_1\", \"to\": \"T\", \"sender\": \"a\", \"key\": \"K\", \"value\": {\"NUMPY_ARRAY\": \""
        + Base64.getEncoder().encodeToString(chunk) + "\", \"DTYPE\": \"float64\", \"SHAPE\": [268435455]}, \"ttl\": 2}";
    MessageFormatException e = org.junit.jupiter.api.Assertions.assertThrows(MessageFormatException.class,
        () -> MessageCodec.decode(body.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("would exceed the 67108864 bytes"), e.getMessage());
  }

  private static byte[] mutate(byte[] in, Random rnd, StringBuilder what) {
    byte[] b = in.clone();
    switch (rnd.nextInt(6)) {
      case 0 -> {
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
          int i = rnd.nextBoolean() ? rnd.nextInt(Math.min(b.length, 64)) : rnd.nextInt(b.length);
          b[i] = (byte) rnd.nextInt(256);
          what.append("byte ").append(i).append(' ');
        }
      }
      case 1 -> {
        int len = rnd.nextInt(b.length);
        what.append("truncated to ").append(len);
        return Arrays.copyOf(b, len);
      }
      case 2 -> {
        int extra = 1 + rnd.nextInt(64);
        what.append("extended by ").append(extra);
        byte[] longer = Arrays.copyOf(b, b.length + extra);
        for (int i = b.length; i < longer.length; i++) {
          longer[i] = (byte) rnd.nextInt(256);
        }
        return longer;
      }
      case 3 -> {
        if (b.length >= 4) {
          int i = rnd.nextInt(Math.min(b.length, 64) - 3);
          int v = EXTREMES[rnd.nextInt(EXTREMES.length)];
          ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(i, v);
          what.append("int ").append(v).append(" at ").append(i);
        }
      }
      case 4 -> {
        int i = rnd.nextInt(b.length);
        int bit = rnd.nextInt(8);
        b[i] ^= (byte) (1 << bit);
        what.append("bit ").append(bit).append(" of byte ").append(i);
      }
      default -> {
        int from = rnd.nextInt(b.length);
        int len = Math.min(b.length - from, 1 + rnd.nextInt(16));
        int to = rnd.nextInt(b.length - len + 1);
        System.arraycopy(in, from, b, to, len);
        what.append("copied ").append(len).append(" bytes from ").append(from).append(" to ").append(to);
      }
    }
    return b;
  }
}
