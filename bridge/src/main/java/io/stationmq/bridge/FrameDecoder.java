package io.stationmq.bridge;

/**
 * Finds frames in a byte stream cut into pieces of any size, as a serial line delivers it; from
 * {@link FrameCodec#newDecoder()}. Each delimiter ends a frame: a frame whose framing or check
 * is wrong, or which grew past the codec's limit, is reported to {@link Sink#malformed} and
 * dropped, and the next frame is read normally (so noise, a lost byte or a reader that started
 * mid-frame cost one frame each, no more). Empty frames (two delimiters in a row, as SLIP
 * senders write) are skipped silently. Memory is bounded by the codec's limit.
 *
 * <p>Not thread-safe: one reader feeds it.
 */
public final class FrameDecoder {
  /** Receives what {@link #feed} finds, on the feeding thread. */
  public interface Sink {
    /** A whole, checked frame's payload (the check removed). */
    void frame(byte[] payload);

    /** A frame that was dropped, and why (one line). */
    void malformed(String reason);
  }

  private final FrameCodec codec;
  private final byte delimiter;
  private final byte[] buffer;
  private int length;
  private long oversize;

  FrameDecoder(FrameCodec codec) {
    this.codec = codec;
    this.delimiter = codec.framing() == Framing.COBS ? 0 : (byte) FrameCodec.Slip.END;
    this.buffer = new byte[codec.maxEncodedBody()];
  }

  /** Feeds {@code data[offset, offset + length)}; calls {@code sink} once per frame it ends. */
  public void feed(byte[] data, int offset, int count, Sink sink) {
    String[] why = new String[1];
    for (int i = offset; i < offset + count; i++) {
      byte b = data[i];
      if (b != delimiter) {
        if (length < buffer.length) {
          buffer[length++] = b;
        } else {
          oversize++;
        }
        continue;
      }
      if (oversize > 0) {
        sink.malformed("frame longer than " + buffer.length + " encoded bytes (max payload " + codec.maxPayload()
            + ") dropped");
      } else if (length > 0) {
        why[0] = null;
        byte[] payload = codec.decodeBody(buffer, length, why);
        if (payload != null) {
          sink.frame(payload);
        } else {
          sink.malformed(why[0]);
        }
      }
      length = 0;
      oversize = 0;
    }
  }

  /** Bytes held of a frame not yet ended. */
  public int pending() {
    return length;
  }
}
