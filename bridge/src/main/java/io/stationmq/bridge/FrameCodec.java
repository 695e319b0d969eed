package io.stationmq.bridge;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Turns payloads into frames for a byte stream and back: the payload, then its {@link
 * Checksum}, framed by {@link Framing#COBS} or {@link Framing#SLIP}. A device (or a test)
 * sends {@link #encode(byte[])}'s output; a reader feeds what arrives, in pieces of any size,
 * to a {@link FrameDecoder} from {@link #newDecoder()}, which finds the frames again after
 * corrupt ones, noise or a reader that started mid-frame.
 *
 * <p>Immutable and thread-safe. {@link #encode(byte[])} throws {@link
 * IllegalArgumentException} for a payload longer than {@link #maxPayload()}.
 */
public final class FrameCodec {
  private final Framing framing;
  private final Checksum checksum;
  private final int maxPayload;

  private FrameCodec(Framing framing, Checksum checksum, int maxPayload) {
    this.framing = framing;
    this.checksum = checksum;
    this.maxPayload = maxPayload;
  }

  /**
   * A codec for {@code framing} with {@code checksum} and payloads of at most {@code
   * maxPayload} bytes (1..16 MiB); longer frames are rejected whole by the decoder.
   */
  public static FrameCodec of(Framing framing, Checksum checksum, int maxPayload) {
    if (framing == null || checksum == null) {
      throw new IllegalArgumentException("framing and checksum are required");
    }
    if (maxPayload < 1 || maxPayload > 16 << 20) {
      throw new IllegalArgumentException("maxPayload must be 1..16777216, got " + maxPayload);
    }
    return new FrameCodec(framing, checksum, maxPayload);
  }

  public Framing framing() {
    return framing;
  }

  public Checksum checksum() {
    return checksum;
  }

  public int maxPayload() {
    return maxPayload;
  }

  /** The frame for {@code payload}, delimiters included, ready to write to the line. */
  public byte[] encode(byte[] payload) {
    if (payload.length > maxPayload) {
      throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds maxPayload " + maxPayload);
    }
    byte[] body = Arrays.copyOf(payload, payload.length + checksum.size());
    long check = checksum.compute(payload, 0, payload.length);
    for (int i = 0; i < checksum.size(); i++) {
      body[payload.length + i] = (byte) (check >>> (8 * (checksum.size() - 1 - i)));
    }
    return framing == Framing.COBS ? Cobs.encode(body) : Slip.encode(body);
  }

  /** A new streaming decoder (each reader needs its own). */
  public FrameDecoder newDecoder() {
    return new FrameDecoder(this);
  }

  /** The longest encoded frame body (delimiters excluded) a valid frame can have. */
  int maxEncodedBody() {
    int body = maxPayload + checksum.size();
    return framing == Framing.COBS ? body + body / 254 + 1 : 2 * body;
  }

  /** The payload of one frame body (delimiters removed), or null with {@code why[0]} set. */
  byte[] decodeBody(byte[] encoded, int length, String[] why) {
    byte[] body = framing == Framing.COBS ? Cobs.decode(encoded, length, why) : Slip.decode(encoded, length, why);
    if (body == null) {
      return null;
    }
    int payloadLength = body.length - checksum.size();
    if (payloadLength < 0) {
      why[0] = "frame of " + body.length + " bytes is shorter than its " + checksum + " check";
      return null;
    }
    long expected = 0;
    for (int i = 0; i < checksum.size(); i++) {
      expected = (expected << 8) | (body[payloadLength + i] & 0xFF);
    }
    long actual = checksum.compute(body, 0, payloadLength);
    if (actual != expected) {
      why[0] = String.format("%s mismatch (frame says %x, payload gives %x)", checksum, expected, actual);
      return null;
    }
    return Arrays.copyOf(body, payloadLength);
  }

  @Override
  public String toString() {
    return framing + "+" + checksum + " (max payload " + maxPayload + ")";
  }

  /** COBS encoding and decoding of one frame body (without the trailing zero). */
  static final class Cobs {
    private Cobs() {}

    static byte[] encode(byte[] body) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + body.length / 254 + 2);
      byte[] block = new byte[255];
      int n = 1;
      for (byte b : body) {
        if (b == 0) {
          block[0] = (byte) n;
          out.write(block, 0, n);
          n = 1;
        } else {
          block[n++] = b;
          if (n == 255) {
            block[0] = (byte) n;
            out.write(block, 0, n);
            n = 1;
          }
        }
      }
      block[0] = (byte) n;
      out.write(block, 0, n);
      out.write(0);
      return out.toByteArray();
    }

    static byte[] decode(byte[] in, int length, String[] why) {
      byte[] out = new byte[length];
      int o = 0;
      int i = 0;
      while (i < length) {
        int code = in[i] & 0xFF;
        if (code == 0) {
          why[0] = "COBS frame holds a zero byte at " + i;
          return null;
        }
        if (i + code > length) {
          why[0] = "COBS code " + code + " at " + i + " runs past the frame's end (" + length + " bytes)";
          return null;
        }
        System.arraycopy(in, i + 1, out, o, code - 1);
        o += code - 1;
        i += code;
        if (code < 255 && i < length) {
          out[o++] = 0;
        }
      }
      return Arrays.copyOf(out, o);
    }
  }

  /** SLIP (RFC 1055) escaping of one frame body. */
  static final class Slip {
    static final int END = 0xC0;
    static final int ESC = 0xDB;
    static final int ESC_END = 0xDC;
    static final int ESC_ESC = 0xDD;

    private Slip() {}

    static byte[] encode(byte[] body) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 8);
      out.write(END);
      for (byte b : body) {
        int v = b & 0xFF;
        if (v == END) {
          out.write(ESC);
          out.write(ESC_END);
        } else if (v == ESC) {
          out.write(ESC);
          out.write(ESC_ESC);
        } else {
          out.write(v);
        }
      }
      out.write(END);
      return out.toByteArray();
    }

    static byte[] decode(byte[] in, int length, String[] why) {
      byte[] out = new byte[length];
      int o = 0;
      for (int i = 0; i < length; i++) {
        int v = in[i] & 0xFF;
        if (v != ESC) {
          out[o++] = (byte) v;
          continue;
        }
        int next = i + 1 < length ? in[++i] & 0xFF : -1;
        if (next == ESC_END) {
          out[o++] = (byte) END;
        } else if (next == ESC_ESC) {
          out[o++] = (byte) ESC;
        } else {
          why[0] = next < 0 ? "SLIP frame ends in ESC" : String.format("SLIP ESC followed by 0x%02x", next);
          return null;
        }
      }
      return Arrays.copyOf(out, o);
    }
  }
}
