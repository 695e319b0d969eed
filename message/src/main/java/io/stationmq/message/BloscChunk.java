package io.stationmq.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decompresses one Blosc chunk, as {@code blosc.pack_array} (Blosc 1, format version 2) and
 * {@code blosc2.pack_array} (Blosc 2, format versions 3 to 5 with the 32-byte extended header)
 * write it: the published chunk formats of c-blosc ({@code README_HEADER.rst}) and c-blosc2
 * ({@code README_CHUNK_FORMAT.rst}).
 *
 * <p>Supported: memcpyed chunks, split and unsplit blocks, byte shuffle (repeated too), bit
 * shuffle, the Blosc 2 zero, NaN and repeated-value chunks and zero and run streams, and the codecs
 * BloscLZ, LZ4 (and LZ4HC), Snappy, Zlib and Zstd. Refused with a specific reason: other format
 * versions, the delta filter, user-defined filters and codecs, Zstd dictionaries, lazy chunks.
 *
 * <p>Hostile input fails with a {@link MessageFormatException} and nothing else: the declared
 * size is checked against a caller's bound before anything is allocated, every offset and length
 * against the chunk, and every stream must decompress to exactly its declared size. Stateless and
 * thread-safe.
 */
final class BloscChunk {
  static final int MIN_HEADER = 16;
  static final int EXTENDED_HEADER = 32;
  private static final int FLAG_SHUFFLE = 0x01;
  private static final int FLAG_MEMCPYED = 0x02;
  private static final int FLAG_BITSHUFFLE = 0x04;
  private static final int FLAG_DELTA = 0x08;
  private static final int FLAG_NOSPLIT = 0x10;
  private static final int FILTERS = 6;
  private static final int FILTER_NONE = 0;
  private static final int FILTER_SHUFFLE = 1;
  private static final int FILTER_BITSHUFFLE = 2;
  private static final int FILTER_DELTA = 3;
  private static final int FILTER_TRUNC_PREC = 4;
  private static final int SPECIAL_ZERO = 1;
  private static final int SPECIAL_NAN = 2;
  private static final int SPECIAL_VALUE = 3;
  private static final int SPECIAL_UNINIT = 4;

  /** The fixed fields of a chunk header and what follows from them. */
  private record Header(
      int version, int flags, int typesize, int nbytes, int blocksize, int cbytes, int overhead,
      byte[] filters, byte[] filtersMeta, int special) {
    int codec() {
      return flags >>> 5;
    }

    boolean memcpyed() {
      return (flags & FLAG_MEMCPYED) != 0;
    }
  }

  private BloscChunk() {}

  /** Whether {@code bytes} starts like a Blosc chunk of exactly its own length. */
  static boolean looksLikeChunk(byte[] bytes) {
    return bytes.length >= MIN_HEADER
        && bytes[0] >= 2 && bytes[0] <= 5
        && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12) == bytes.length;
  }

  /** The uncompressed size a chunk declares (not validated beyond the header's length). */
  static int declaredSize(byte[] chunk) {
    if (chunk.length < MIN_HEADER) {
      throw fail("chunk of " + chunk.length + " bytes is shorter than the " + MIN_HEADER + "-byte header");
    }
    return intAt(chunk, 4);
  }

  /**
   * Decompresses {@code chunk}, which must be one whole chunk.
   *
   * @param maxBytes the most uncompressed bytes the caller accepts; checked before allocating
   * @throws MessageFormatException with the reason when the chunk is malformed, unsupported or
   *     declares more than {@code maxBytes}
   */
  static byte[] decompress(byte[] chunk, long maxBytes) {
    Header h = readHeader(chunk);
    if (h.nbytes > maxBytes) {
      throw fail("chunk declares " + h.nbytes + " uncompressed bytes, more than the " + maxBytes + " allowed");
    }
    byte[] out = new byte[h.nbytes];
    if (h.nbytes == 0) {
      return out;
    }
    if (h.special != 0) {
      fillSpecial(chunk, h, out);
      return out;
    }
    if (h.memcpyed()) {
      if (h.cbytes != h.nbytes + h.overhead) {
        throw fail("memcpyed chunk of " + h.cbytes + " bytes should be " + h.nbytes + " + " + h.overhead);
      }
      System.arraycopy(chunk, h.overhead, out, 0, h.nbytes);
      return out;
    }
    int nblocks = h.nbytes / h.blocksize + (h.nbytes % h.blocksize == 0 ? 0 : 1);
    int bstartsEnd = h.overhead + 4 * nblocks;
    if (bstartsEnd > chunk.length || bstartsEnd < 0) {
      throw fail(nblocks + " block offsets do not fit in a chunk of " + chunk.length + " bytes");
    }
    byte[] block = new byte[h.blocksize];
    byte[] scratch = new byte[h.blocksize];
    for (int j = 0; j < nblocks; j++) {
      boolean leftover = j == nblocks - 1 && h.nbytes % h.blocksize != 0;
      int bsize = leftover ? h.nbytes % h.blocksize : h.blocksize;
      int start = intAt(chunk, h.overhead + 4 * j);
      if (start < bstartsEnd || start >= chunk.length) {
        throw fail("block " + j + " starts at " + start + ", outside the chunk's data (" + bstartsEnd
            + " to " + chunk.length + ")");
      }
      int nstreams = (h.flags & FLAG_NOSPLIT) == 0 && !leftover ? h.typesize : 1;
      decodeStreams(chunk, start, h, bsize, nstreams, block, j);
      unfilter(h, block, scratch, bsize, out, j * h.blocksize);
    }
    return out;
  }

  private static Header readHeader(byte[] c) {
    if (c.length < MIN_HEADER) {
      throw fail("chunk of " + c.length + " bytes is shorter than the " + MIN_HEADER + "-byte header");
    }
    int version = c[0] & 0xff;
    int flags = c[2] & 0xff;
    int typesize = c[3] & 0xff;
    int nbytes = intAt(c, 4);
    int blocksize = intAt(c, 8);
    int cbytes = intAt(c, 12);
    if (version < 2 || version > 5) {
      throw fail("format version " + version + " is not supported (Blosc 1 writes 2, Blosc 2 writes 3 to 5)");
    }
    if (cbytes != c.length) {
      throw fail("header says " + cbytes + " compressed bytes but the chunk has " + c.length);
    }
    if (typesize == 0) {
      throw fail("typesize is 0");
    }
    if (nbytes < 0 || (nbytes > 0 && (blocksize <= 0 || blocksize > nbytes))) {
      throw fail("sizes are inconsistent: nbytes " + nbytes + ", blocksize " + blocksize);
    }
    boolean extended = version >= 3 && (flags & FLAG_SHUFFLE) != 0 && (flags & FLAG_BITSHUFFLE) != 0;
    if (!extended) {
      if ((flags & FLAG_DELTA) != 0) {
        throw fail("flag 0x08 (the delta filter) is not supported");
      }
      byte[] filters = new byte[FILTERS];
      if ((flags & FLAG_SHUFFLE) != 0) {
        filters[FILTERS - 1] = FILTER_SHUFFLE;
      } else if ((flags & FLAG_BITSHUFFLE) != 0) {
        filters[FILTERS - 1] = FILTER_BITSHUFFLE;
      }
      checkCodec(flags >>> 5, version);
      return new Header(version, flags, typesize, nbytes, blocksize, cbytes, MIN_HEADER, filters,
          new byte[FILTERS], 0);
    }
    if (c.length < EXTENDED_HEADER) {
      throw fail("chunk of " + c.length + " bytes is shorter than the " + EXTENDED_HEADER + "-byte extended header");
    }
    byte[] filters = Arrays.copyOfRange(c, 16, 16 + FILTERS);
    byte[] meta = Arrays.copyOfRange(c, 24, 24 + FILTERS);
    if (version == 3) {
      filters[FILTERS - 1] = 0;
      meta[FILTERS - 1] = 0;
    }
    int blosc2Flags = c[31] & 0xff;
    if ((blosc2Flags & 0x01) != 0) {
      throw fail("chunks compressed with a Zstd dictionary are not supported");
    }
    if ((blosc2Flags & 0x08) != 0) {
      throw fail("lazy chunks (data left in a file) are not supported");
    }
    if ((blosc2Flags & 0x80) != 0) {
      throw fail("instrumented chunks are not supported");
    }
    int special = (blosc2Flags >>> 4) & 0x07;
    if (special > SPECIAL_UNINIT) {
      throw fail("special chunk type " + special + " is unknown");
    }
    for (byte f : filters) {
      checkFilter(f & 0xff);
    }
    if (special == 0) {
      checkCodec(flags >>> 5, version);
    }
    return new Header(version, flags, typesize, nbytes, blocksize, cbytes, EXTENDED_HEADER, filters,
        meta, special);
  }

  private static void checkCodec(int codec, int version) {
    if (codec == 2 && version >= 3) {
      throw fail("codec slot 2 is reserved in Blosc 2");
    }
    if (codec > 4) {
      throw fail(codec == 6 ? "user-defined codecs are not supported" : "codec " + codec + " is not supported");
    }
  }

  private static void checkFilter(int f) {
    if (f == FILTER_DELTA) {
      throw fail("the delta filter is not supported");
    }
    if (f > FILTER_TRUNC_PREC) {
      throw fail("filter " + f + " is not supported (user-defined filters are not)");
    }
  }

  private static void fillSpecial(byte[] c, Header h, byte[] out) {
    if (h.nbytes % h.typesize != 0) {
      throw fail("special chunk of " + h.nbytes + " bytes is not a whole number of " + h.typesize + "-byte items");
    }
    switch (h.special) {
      case SPECIAL_ZERO, SPECIAL_UNINIT -> { }
      case SPECIAL_NAN -> {
        if (h.typesize != 4 && h.typesize != 8) {
          throw fail("a NaN chunk needs typesize 4 or 8, got " + h.typesize);
        }
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out.length; i += h.typesize) {
          if (h.typesize == 4) {
            b.putFloat(i, Float.NaN);
          } else {
            b.putDouble(i, Double.NaN);
          }
        }
      }
      default -> {
        if (c.length < EXTENDED_HEADER + h.typesize) {
          throw fail("repeated-value chunk is too short for its " + h.typesize + "-byte value");
        }
        for (int i = 0; i < out.length; i += h.typesize) {
          System.arraycopy(c, EXTENDED_HEADER, out, i, h.typesize);
        }
      }
    }
  }

  /** Decodes the {@code nstreams} streams of block {@code j} into {@code block[0, bsize)}. */
  private static void decodeStreams(byte[] c, int pos, Header h, int bsize, int nstreams, byte[] block, int j) {
    if (bsize % nstreams != 0) {
      throw fail("block " + j + " of " + bsize + " bytes does not split into " + nstreams + " streams");
    }
    int neblock = bsize / nstreams;
    for (int s = 0; s < nstreams; s++) {
      int dest = s * neblock;
      if (c.length - pos < 4) {
        throw fail("block " + j + " stream " + s + " is cut off before its size");
      }
      int csize = intAt(c, pos);
      pos += 4;
      if (csize == 0) {
        Arrays.fill(block, dest, dest + neblock, (byte) 0);
      } else if (csize < 0) {
        if (pos >= c.length || (c[pos] & 0x01) == 0 || csize < -255) {
          throw fail("block " + j + " stream " + s + " has an unsupported encoding (size " + csize + ")");
        }
        pos++;
        Arrays.fill(block, dest, dest + neblock, (byte) -csize);
      } else {
        if (csize > c.length - pos) {
          throw fail("block " + j + " stream " + s + " declares " + csize + " bytes but " + (c.length - pos) + " remain");
        }
        if (csize == neblock) {
          System.arraycopy(c, pos, block, dest, neblock);
        } else {
          int n = BloscCodecs.decompress(h.codec(), c, pos, csize, block, dest, neblock);
          if (n != neblock) {
            throw fail("block " + j + " stream " + s + " does not decompress to its " + neblock + " bytes ("
                + BloscCodecs.name(h.codec()) + ")");
          }
        }
        pos += csize;
      }
    }
  }

  /** Undoes the filter pipeline of one block (last filter first) into {@code out} at {@code off}. */
  private static void unfilter(Header h, byte[] block, byte[] scratch, int bsize, byte[] out, int off) {
    byte[] src = block;
    byte[] dst = scratch;
    for (int i = FILTERS - 1; i >= 0; i--) {
      int f = h.filters[i] & 0xff;
      if (f == FILTER_SHUFFLE) {
        for (int k = 0; k <= (h.filtersMeta[i] & 0xff); k++) {
          Shuffles.unshuffle(h.typesize, bsize, src, dst);
          byte[] t = src;
          src = dst;
          dst = t;
        }
      } else if (f == FILTER_BITSHUFFLE) {
        Shuffles.bitunshuffle(h.typesize, bsize, src, dst, h.version);
        byte[] t = src;
        src = dst;
        dst = t;
      }
    }
    System.arraycopy(src, 0, out, off, bsize);
  }

  static int intAt(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
  }

  private static MessageFormatException fail(String reason) {
    return new MessageFormatException("blosc: " + reason);
  }
}
