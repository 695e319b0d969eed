package io.stationmq.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The append-only journal a recording is written to while it runs: a magic line, then records
 * of {@code [length: int32 big-endian][CRC-32C of the payload: int32 big-endian][payload: UTF-8
 * JSON object]}. A record is complete on disk or detected as torn ({@link JournalReader}).
 * Used by the recorder's writer thread only; not thread-safe.
 */
final class Journal implements AutoCloseable {
  /** The first bytes of every journal. */
  static final byte[] MAGIC = "SMQREC1\n".getBytes(StandardCharsets.US_ASCII);
  /** The largest payload a record may have; a reader takes a larger length for a torn tail. */
  static final int MAX_RECORD = 64 << 20;

  private final FileChannel channel;
  private final ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();
  private long bytes;

  private Journal(FileChannel channel, int bufferBytes) {
    this.channel = channel;
    this.buffer = ByteBuffer.allocate(bufferBytes);
  }

  /** Creates (or truncates) a journal and writes its magic. */
  static Journal create(Path file, int bufferBytes) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    Journal j = new Journal(ch, bufferBytes);
    j.buffer.put(MAGIC);
    j.bytes = MAGIC.length;
    return j;
  }

  /** Appends one record (buffered: {@link #flush} writes it to the file). */
  void append(byte[] payload) throws IOException {
    if (payload.length > MAX_RECORD) {
      throw new IOException("a journal record of " + payload.length + " bytes is over the limit of " + MAX_RECORD);
    }
    crc.reset();
    crc.update(payload);
    if (buffer.remaining() < 8) {
      drain();
    }
    buffer.putInt(payload.length).putInt((int) crc.getValue());
    int off = 0;
    while (off < payload.length) {
      if (!buffer.hasRemaining()) {
        drain();
      }
      int n = Math.min(buffer.remaining(), payload.length - off);
      buffer.put(payload, off, n);
      off += n;
    }
    bytes += 8L + payload.length;
  }

  /** Writes what is buffered to the file and, with {@code force}, to the disk. */
  void flush(boolean force) throws IOException {
    drain();
    if (force) {
      channel.force(false);
    }
  }

  private void drain() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  /** Bytes appended so far, magic included. */
  long bytes() {
    return bytes;
  }

  @Override
  public void close() throws IOException {
    try {
      flush(true);
    } finally {
      channel.close();
    }
  }
}
