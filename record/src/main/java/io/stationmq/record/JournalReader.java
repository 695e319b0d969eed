package io.stationmq.record;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads a {@link Journal} record by record, stopping at the first record that is incomplete,
 * has an impossible length or a wrong CRC: that is where a killed recorder stopped writing, and
 * nothing after it is trusted. Not thread-safe.
 */
final class JournalReader {
  /** What a read found: complete records, and bytes after the last one that were dropped. */
  record Result(long records, long validBytes, long droppedBytes) {}

  private JournalReader() {}

  /**
   * Passes each complete record's payload to {@code sink}, in order.
   *
   * @throws IOException if the file cannot be read or is not a journal (wrong magic)
   */
  static Result read(Path file, Consumer<byte[]> sink) throws IOException {
    long size = Files.size(file);
    try (InputStream raw = Files.newInputStream(file);
         DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      byte[] magic = new byte[Journal.MAGIC.length];
      try {
        in.readFully(magic);
      } catch (EOFException e) {
        throw new IOException(file + " is not a stationmq recording journal (too short)");
      }
      if (!Arrays.equals(magic, Journal.MAGIC)) {
        throw new IOException(file + " is not a stationmq recording journal (wrong magic)");
      }
      long pos = magic.length;
      long records = 0;
      CRC32C crc = new CRC32C();
      while (pos + 8 <= size) {
        int length = in.readInt();
        int expected = in.readInt();
        if (length < 0 || length > Journal.MAX_RECORD || pos + 8 + length > size) {
          break;
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        crc.reset();
        crc.update(payload);
        if ((int) crc.getValue() != expected) {
          break;
        }
        sink.accept(payload);
        records++;
        pos += 8 + length;
      }
      return new Result(records, pos, size - pos);
    }
  }
}
