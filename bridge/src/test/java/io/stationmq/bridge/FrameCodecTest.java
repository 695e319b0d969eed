package io.stationmq.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The serial framing: COBS and SLIP with each check, corrupt frames, noise and resynchronisation. */
@Timeout(30)
class FrameCodecTest {
  /** What a decoder found, in order: payloads as hex, malformed frames as "!reason". */
  private static final class Found implements FrameDecoder.Sink {
    final List<byte[]> frames = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();

    @Override
    public void frame(byte[] payload) {
      frames.add(payload);
    }

    @Override
    public void malformed(String reason) {
      malformed.add(reason);
    }
  }

  private static Found decode(FrameCodec codec, byte[] stream, int pieceSize) {
    FrameDecoder d = codec.newDecoder();
    Found f = new Found();
    for (int i = 0; i < stream.length; i += pieceSize) {
      d.feed(stream, i, Math.min(pieceSize, stream.length - i), f);
    }
    return f;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void checksumsMatchTheirStandardCheckValues() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0x29B1, Checksum.CRC16_CCITT.compute(check, 0, check.length));
    assertEquals(0xCBF43926L, Checksum.CRC32.compute(check, 0, check.length));
    assertEquals(0, Checksum.NONE.compute(check, 0, check.length));
  }

  @Test
  void cobsMatchesTheWorkedExamplesOfThePaper() {
    FrameCodec c = FrameCodec.of(Framing.COBS, Checksum.NONE, 1024);
    HexFormat hex = HexFormat.of();
    assertEquals("010100", hex.formatHex(c.encode(hex.parseHex("00"))));
    assertEquals("01010100", hex.formatHex(c.encode(hex.parseHex("0000"))));
    assertEquals("031122023300", hex.formatHex(c.encode(hex.parseHex("11220033"))));
    assertEquals("021101010100", hex.formatHex(c.encode(hex.parseHex("11000000"))));
    byte[] run254 = new byte[254];
    Arrays.fill(run254, (byte) 7);
    byte[] enc = c.encode(run254);
    assertEquals(0xFF, enc[0] & 0xFF);
    assertEquals(0, enc[enc.length - 1]);
    for (int i = 0; i < enc.length - 1; i++) {
      assertTrue(enc[i] != 0, "no zero inside a COBS frame");
    }
  }

  @Test
  void slipEscapesEndAndEsc() {
    FrameCodec c = FrameCodec.of(Framing.SLIP, Checksum.NONE, 1024);
    HexFormat hex = HexFormat.of();
    assertEquals("c001dbdc02dbdd03c0", hex.formatHex(c.encode(hex.parseHex("01c002db03"))));
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  void randomPayloadsRoundTripWithEveryCheckInPiecesOfAnySize(Framing framing) {
    Random rnd = new Random(42);
    for (Checksum checksum : Checksum.values()) {
      FrameCodec c = FrameCodec.of(framing, checksum, 2000);
      List<byte[]> sent = new ArrayList<>();
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      for (int i = 0; i < 300; i++) {
        byte[] p = new byte[rnd.nextInt(i % 50 == 0 ? 2000 : 300) + (i == 0 ? 0 : 1)];
        rnd.nextBytes(p);
        if (i % 7 == 0) {
          Arrays.fill(p, (byte) (i % 14 == 0 ? 0 : 0xC0)); // runs of delimiters to stuff
        }
        sent.add(p);
        wire.writeBytes(c.encode(p));
      }
      for (int piece : new int[] {1, 3, 254, 255, 4096, Integer.MAX_VALUE}) {
        Found f = decode(c, wire.toByteArray(), piece);
        assertEquals(List.of(), f.malformed, framing + " " + checksum + " piece " + piece);
        assertEquals(sent.size(), f.frames.size());
        for (int i = 0; i < sent.size(); i++) {
          assertArrayEquals(sent.get(i), f.frames.get(i), framing + " " + checksum + " frame " + i);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  void aCorruptByteCostsExactlyItsOwnFrame(Framing framing) {
    FrameCodec c = FrameCodec.of(framing, Checksum.CRC16_CCITT, 256);
    Random rnd = new Random(7);
    int corrupted = 0;
    int total = 500;
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    List<byte[]> good = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      byte[] p = new byte[1 + rnd.nextInt(100)];
      rnd.nextBytes(p);
      byte[] frame = c.encode(p);
      if (i % 5 == 0) {
        // flip bits in one byte that is neither a delimiter nor becomes one
        int at = 1 + rnd.nextInt(frame.length - 2);
        int flipped = (frame[at] ^ (1 << rnd.nextInt(8))) & 0xFF;
        if (flipped == 0 || flipped == 0xC0 || flipped == 0xDB || (frame[at] & 0xFF) == 0xDB) {
          flipped = frame[at] & 0xFF; // keep the frame boundaries; corrupt another way below
          frame[at + 0] = (byte) flipped;
        } else {
          frame[at] = (byte) flipped;
          corrupted++;
          wire.writeBytes(frame);
          continue;
        }
      }
      good.add(p);
      wire.writeBytes(frame);
    }
    Found f = decode(c, wire.toByteArray(), 17);
    assertEquals(corrupted, f.malformed.size(), f.malformed.toString());
    assertEquals(good.size(), f.frames.size());
    for (int i = 0; i < good.size(); i++) {
      assertArrayEquals(good.get(i), f.frames.get(i));
    }
    assertTrue(corrupted > 50, "enough corrupt frames to mean something: " + corrupted);
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  void noiseBeforeTheFirstFrameAndATruncatedFrameCostOneFrameEachThenItResyncs(Framing framing) {
    FrameCodec c = FrameCodec.of(framing, Checksum.CRC32, 256);
    byte[] a = "first".getBytes(StandardCharsets.UTF_8);
    byte[] b = "second".getBytes(StandardCharsets.UTF_8);
    byte[] frameA = c.encode(a);
    byte[] truncated = Arrays.copyOf(frameA, frameA.length - 3); // lost its tail and delimiter
    byte[] noise = {0x13, 0x37, 0x42};
    byte[] wire = concat(noise, c.encode(a), truncated, c.encode(b), c.encode(a));
    Found f = decode(c, wire, 1);
    // COBS: the noise joins the first frame and the truncated frame the one after it (two frames
    // lost). SLIP: its leading END cuts the noise off alone and ends the truncated frame before
    // the next one, so only those two are lost.
    assertEquals(2, f.malformed.size(), f.malformed.toString());
    List<String> got = f.frames.stream().map(p -> new String(p, StandardCharsets.UTF_8)).toList();
    assertEquals(framing == Framing.SLIP ? List.of("first", "second", "first") : List.of("first"), got);
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  void anOversizeFrameIsDroppedWholeWithBoundedMemoryAndTheNextOneRead(Framing framing) {
    FrameCodec big = FrameCodec.of(framing, Checksum.CRC16_CCITT, 100_000);
    FrameCodec c = FrameCodec.of(framing, Checksum.CRC16_CCITT, 64);
    byte[] huge = new byte[100_000];
    new Random(1).nextBytes(huge);
    byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
    Found f = decode(c, concat(c.encode(ok), big.encode(huge), c.encode(ok)), 1000);
    assertEquals(1, f.malformed.size(), f.malformed.toString());
    assertTrue(f.malformed.get(0).contains("longer than"), f.malformed.get(0));
    assertEquals(2, f.frames.size());
    assertThrows(IllegalArgumentException.class, () -> c.encode(new byte[65]));
  }

  @Test
  void malformedFramingIsNamed() {
    FrameCodec cobs = FrameCodec.of(Framing.COBS, Checksum.NONE, 64);
    Found f = decode(cobs, new byte[] {0x05, 0x01, 0x02, 0x00}, 4);
    assertEquals(1, f.malformed.size());
    assertTrue(f.malformed.get(0).contains("runs past"), f.malformed.get(0));

    FrameCodec slip = FrameCodec.of(Framing.SLIP, Checksum.NONE, 64);
    f = decode(slip, new byte[] {(byte) 0xC0, 0x01, (byte) 0xDB, 0x05, (byte) 0xC0}, 5);
    assertTrue(f.malformed.get(0).contains("ESC followed by 0x05"), f.malformed.get(0));

    FrameCodec crc = FrameCodec.of(Framing.SLIP, Checksum.CRC32, 64);
    f = decode(crc, new byte[] {(byte) 0xC0, 0x01, 0x02, (byte) 0xC0}, 4);
    assertTrue(f.malformed.get(0).contains("shorter than its CRC32"), f.malformed.get(0));
  }

  @Test
  void emptyFramesAreSkippedSilently() {
    FrameCodec slip = FrameCodec.of(Framing.SLIP, Checksum.CRC16_CCITT, 64);
    byte[] frame = slip.encode(new byte[] {1, 2, 3});
    Found f = decode(slip, concat(new byte[] {(byte) 0xC0, (byte) 0xC0}, frame, frame), 64);
    assertEquals(List.of(), f.malformed);
    assertEquals(2, f.frames.size());
  }
}
