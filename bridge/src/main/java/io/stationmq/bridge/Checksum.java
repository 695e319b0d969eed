package io.stationmq.bridge;

import java.util.zip.CRC32;

/**
 * The check appended to each frame's payload before it is framed, most significant byte first;
 * see {@link FrameCodec}. Stateless and thread-safe.
 *
 * <ul>
 *   <li>{@link #CRC16_CCITT}: CRC-16/CCITT-FALSE (polynomial {@code 0x1021}, initial value
 *       {@code 0xFFFF}, not reflected, no final XOR; "123456789" gives {@code 0x29B1}), 2 bytes:
 *       what most microcontroller libraries call CRC-16-CCITT.
 *   <li>{@link #CRC32}: CRC-32 as in zlib and Ethernet ("123456789" gives {@code 0xCBF43926}),
 *       4 bytes.
 *   <li>{@link #NONE}: no check (framing errors are still caught, corrupt payloads are not).
 * </ul>
 */
public enum Checksum {
  NONE(0),
  CRC16_CCITT(2),
  CRC32(4);

  private final int size;

  Checksum(int size) {
    this.size = size;
  }

  /** How many bytes the check adds to a frame. */
  public int size() {
    return size;
  }

  /** The check of {@code data[offset, offset + length)}; 0 for {@link #NONE}. */
  public long compute(byte[] data, int offset, int length) {
    switch (this) {
      case CRC16_CCITT:
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
          crc ^= (data[i] & 0xFF) << 8;
          for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
          }
        }
        return crc & 0xFFFF;
      case CRC32:
        CRC32 c = new CRC32();
        c.update(data, offset, length);
        return c.getValue();
      default:
        return 0;
    }
  }
}
