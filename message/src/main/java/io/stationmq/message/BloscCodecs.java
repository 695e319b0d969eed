package io.stationmq.message;

import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The codecs a Blosc stream may be compressed with, by the code in the chunk's flags: 0 BloscLZ
 * (ours), 1 LZ4 and LZ4HC, 2 Snappy (Blosc 1 only), 3 Zlib (the JDK's {@link Inflater}), 4 Zstd.
 * LZ4, Snappy and Zstd are aircompressor's pure-Java decompressors.
 *
 * <p>Stateless and thread-safe (a decompressor is made per call).
 */
final class BloscCodecs {
  private static final String[] NAMES = {"blosclz", "lz4", "snappy", "zlib", "zstd"};

  private BloscCodecs() {}

  static String name(int codec) {
    return codec >= 0 && codec < NAMES.length ? NAMES[codec] : "codec " + codec;
  }

  /**
   * Decompresses {@code in[inOff, inOff + inLen)} into {@code out[outOff, outOff + outLen)}.
   *
   * @return the number of bytes written, or -1 when the stream is malformed or too large
   */
  static int decompress(int codec, byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
    return switch (codec) {
      case 0 -> BloscLz.decompress(in, inOff, inLen, out, outOff, outLen);
      case 1 -> external(new Lz4Decompressor(), in, inOff, inLen, out, outOff, outLen);
      case 2 -> external(new SnappyDecompressor(), in, inOff, inLen, out, outOff, outLen);
      case 3 -> inflate(in, inOff, inLen, out, outOff, outLen);
      case 4 -> external(new ZstdDecompressor(), in, inOff, inLen, out, outOff, outLen);
      default -> -1;
    };
  }

  private static int external(
      Decompressor d, byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
    try {
      return d.decompress(in, inOff, inLen, out, outOff, outLen);
    } catch (RuntimeException e) {
      // MalformedInputException, or an index check of the library on input it did not expect.
      return -1;
    }
  }

  private static int inflate(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(in, inOff, inLen);
      int n = 0;
      while (!inflater.finished()) {
        int got = inflater.inflate(out, outOff + n, outLen - n);
        n += got;
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary() || n == outLen)) {
          return -1;
        }
      }
      return n;
    } catch (DataFormatException e) {
      return -1;
    } finally {
      inflater.end();
    }
  }
}
