package io.stationmq.bridge;

/**
 * How frames are delimited on a byte stream such as a serial line; see {@link FrameCodec}.
 *
 * <ul>
 *   <li>{@link #COBS}: Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999). The
 *       encoded frame holds no zero byte; each frame ends with one {@code 0x00}. At most one
 *       byte of overhead per 254 bytes of payload.
 *   <li>{@link #SLIP}: RFC 1055. Frames start and end with {@code 0xC0} (END); END and ESC
 *       ({@code 0xDB}) inside a frame are sent as {@code DB DC} and {@code DB DD}.
 * </ul>
 */
public enum Framing {
  COBS,
  SLIP
}
