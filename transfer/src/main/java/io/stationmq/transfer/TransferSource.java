package io.stationmq.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The content a transfer sends: its size and a stream from any offset (a resume reads from the
 * offset the receiver has, and reads the part before it once more to rebuild the hash). Must
 * give the same bytes on every open. Called only on the transfer's own thread.
 */
public interface TransferSource {
  /** The content's size in bytes. */
  long size() throws IOException;

  /** A stream of the content from {@code offset}; the transfer closes it. */
  InputStream open(long offset) throws IOException;

  /** A file's content; the file must not change while it is sent. */
  static TransferSource of(Path file) {
    Objects.requireNonNull(file, "file");
    return new TransferSource() {
      @Override
      public long size() throws IOException {
        return Files.size(file);
      }

      @Override
      public InputStream open(long offset) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        return Channels.newInputStream(ch);
      }
    };
  }
}
