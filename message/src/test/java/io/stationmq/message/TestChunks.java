package io.stationmq.message;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tiny Blosc chunk writer for tests only, to the published formats: memcpyed chunks, Blosc 2
 * special chunks, and chunks whose streams are stored raw, as zeros or as runs (the encodings that
 * need no codec), with the byte shuffle applied {@code shuffles} times. It builds the shapes real
 * encoders rarely emit for a pickle (special chunks, zero streams, repeated shuffle) and chunks
 * with one field changed.
 */
final class TestChunks {
  private TestChunks() {}

  /** The 16-byte Blosc 1 header (format version 2) or the 32-byte Blosc 2 one (version 5). */
  static byte[] header(boolean blosc2, int flags, int typesize, int nbytes, int blocksize, int cbytes) {
    ByteBuffer b = ByteBuffer.allocate(blosc2 ? 32 : 16).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) (blosc2 ? 5 : 2)).put((byte) 1).put((byte) (blosc2 ? flags | 0x05 : flags)).put((byte) typesize);
    b.putInt(nbytes).putInt(blocksize).putInt(cbytes);
    return b.array();
  }

  /** A memcpyed chunk holding {@code data}. */
  static byte[] memcpyed(boolean blosc2, byte[] data, int typesize) {
    return finish(header(blosc2, 0x02 | 0x10, typesize, data.length, Math.max(data.length, 1), 0), data);
  }

  /** A Blosc 2 special chunk of {@code nbytes} ({@code value} only for type 3, repeated value). */
  static byte[] special(int type, int typesize, int nbytes, byte[] value) {
    byte[] h = header(true, 0x10, typesize, nbytes, nbytes, 0);
    h[31] = (byte) (type << 4);
    return finish(h, value == null ? new byte[0] : value);
  }

  /**
   * A Blosc 2 chunk of {@code data} in blocks of {@code blocksize}, split into {@code typesize}
   * streams where Blosc splits them, each stored as zeros (csize 0), a run (negative csize and a
   * token) or raw, after {@code shuffles} byte shuffles ({@code 0} for none).
   */
  static byte[] streams(byte[] data, int typesize, int blocksize, int shuffles) {
    int nblocks = (data.length + blocksize - 1) / blocksize;
    byte[] h = header(true, 0, typesize, data.length, blocksize, 0);
    if (shuffles > 0) {
      h[16 + 5] = 1;
      h[24 + 5] = (byte) (shuffles - 1);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int[] starts = new int[nblocks];
    for (int j = 0; j < nblocks; j++) {
      starts[j] = h.length + 4 * nblocks + body.size();
      int bsize = Math.min(blocksize, data.length - j * blocksize);
      byte[] block = new byte[bsize];
      System.arraycopy(data, j * blocksize, block, 0, bsize);
      for (int k = 0; k < shuffles; k++) {
        block = shuffle(block, typesize);
      }
      int nstreams = bsize == blocksize ? typesize : 1;
      int neblock = bsize / nstreams;
      for (int s = 0; s < nstreams; s++) {
        writeStream(body, block, s * neblock, neblock);
      }
    }
    ByteBuffer offsets = ByteBuffer.allocate(4 * nblocks).order(ByteOrder.LITTLE_ENDIAN);
    for (int start : starts) {
      offsets.putInt(start);
    }
    byte[] rest = new byte[4 * nblocks + body.size()];
    System.arraycopy(offsets.array(), 0, rest, 0, 4 * nblocks);
    System.arraycopy(body.toByteArray(), 0, rest, 4 * nblocks, body.size());
    return finish(h, rest);
  }

  private static void writeStream(ByteArrayOutputStream out, byte[] block, int from, int len) {
    boolean same = true;
    for (int i = from + 1; i < from + len; i++) {
      same &= block[i] == block[from];
    }
    ByteBuffer size = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    if (same && block[from] == 0) {
      out.writeBytes(size.putInt(0).array());
    } else if (same) {
      out.writeBytes(size.putInt(-(block[from] & 0xff)).array());
      out.write(1);
    } else {
      out.writeBytes(size.putInt(len).array());
      out.write(block, from, len);
    }
  }

  /** Blosc's byte shuffle: byte j of element i goes to j * n + i; trailing bytes stay. */
  static byte[] shuffle(byte[] in, int typesize) {
    byte[] out = in.clone();
    int n = in.length / typesize;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < typesize; j++) {
        out[j * n + i] = in[i * typesize + j];
      }
    }
    return out;
  }

  /** {@code header} followed by {@code rest}, with cbytes set to the total length. */
  private static byte[] finish(byte[] header, byte[] rest) {
    byte[] chunk = new byte[header.length + rest.length];
    System.arraycopy(header, 0, chunk, 0, header.length);
    System.arraycopy(rest, 0, chunk, header.length, rest.length);
    ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).putInt(12, chunk.length);
    return chunk;
  }
}
