package io.stationmq.transfer;

import io.stationmq.netnode.RemoteException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;

/**
 * One incoming transfer's state: the bytes held from the start ({@link #have()}), the running
 * SHA-256 over them, the chunks that came ahead of a missing one (at most the window), and the
 * target (a {@code name.part} file with its {@code name.part.meta}, or a consumer). Writes only
 * in order, so the partial file is always a correct prefix of the content, whatever stops the
 * receiver. Its methods run on the receiving endpoint's workers; {@code synchronized}.
 */
final class Incoming {
  private static final String META_HEADER = "stationmq-transfer 1";

  final IncomingTransfer offer;
  private final long chunk;
  private final int window;
  private final Counters counters;
  private final ChunkConsumer consumer;
  private final Path part;
  private final Path meta;
  private final Path file;
  private final long startNanos = System.nanoTime();
  private final TreeMap<Long, byte[]> ahead = new TreeMap<>();
  private MessageDigest digest = Wire.sha256();
  private FileChannel channel;
  private long have;
  private String sha256;

  private Incoming(IncomingTransfer offer, long chunk, int window, Counters counters, ChunkConsumer consumer,
      Path file) {
    this.offer = offer;
    this.chunk = chunk;
    this.window = window;
    this.counters = counters;
    this.consumer = consumer;
    this.file = file;
    this.part = file == null ? null : file.resolveSibling(file.getFileName() + ".part");
    this.meta = file == null ? null : file.resolveSibling(file.getFileName() + ".part.meta");
  }

  /** To a consumer, from the start. */
  static Incoming toConsumer(IncomingTransfer offer, long chunk, int window, Counters counters, ChunkConsumer c) {
    return new Incoming(offer, chunk, window, counters, c, null);
  }

  /**
   * Into {@code file} (already checked to lie in its directory), through {@code file.part}: the
   * bytes a partial file of the same transfer holds are kept (and hashed again), any other
   * partial file is started over. Links are not followed.
   */
  static Incoming toFile(IncomingTransfer offer, long chunk, int window, Counters counters, Path file)
      throws IOException {
    Incoming in = new Incoming(offer, chunk, window, counters, null, file);
    in.openPart();
    return in;
  }

  private void openPart() throws IOException {
    String identity = META_HEADER + "\n" + offer.id() + "\n" + offer.from() + "\n" + offer.size() + "\n";
    boolean same = Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS)
        && Files.size(meta) < 4096
        && identity.equals(Files.readString(meta, StandardCharsets.UTF_8));
    channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS);
    long kept = same ? Math.min(channel.size(), offer.size()) : 0;
    channel.truncate(kept);
    if (!same) {
      Files.writeString(meta, identity, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }
    ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    for (long position = 0; position < kept; ) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), kept - position));
      int n = channel.read(buffer, position);
      if (n < 0) {
        break;
      }
      digest.update(buffer.flip());
      position += n;
    }
    have = kept;
  }

  Path file() {
    return file;
  }

  synchronized long have() {
    return have;
  }

  /**
   * Takes a chunk: writes it if it continues the content, keeps it if it comes ahead within the
   * window, confirms a duplicate without writing; refuses one beyond the declared size or past the
   * window ({@code fatal}: the transfer is given up).
   */
  synchronized long chunk(long offset, byte[] bytes, Wire.Args args) throws IOException {
    long end = offset + bytes.length;
    if (bytes.length == 0 || bytes.length > chunk) {
      throw args.refuse("bad_chunk", "chunk of " + bytes.length + " bytes at " + offset + " of '" + offer.name()
          + "'; chunks hold 1 to " + chunk + " bytes");
    }
    if (offset < 0 || end > offer.size()) {
      throw new Fatal(args.refuse("beyond_size", "chunk at " + offset + ".." + end + " is beyond the declared size "
          + offer.size() + " of '" + offer.name() + "'"));
    }
    if (end <= have || ahead.containsKey(offset)) {
      counters.duplicateChunks.increment();
      return have;
    }
    if (offset > have) {
      if (offset - have > window * chunk || ahead.size() >= window) {
        throw new Fatal(args.refuse("offset_gap", "chunk at " + offset + " of '" + offer.name() + "' leaves a gap after "
            + have + " bytes wider than the window (" + window + " chunks of " + chunk + ")"));
      }
      ahead.put(offset, bytes);
      return have;
    }
    append(offset, bytes);
    for (Map.Entry<Long, byte[]> e = ahead.firstEntry(); e != null && e.getKey() <= have; e = ahead.firstEntry()) {
      ahead.pollFirstEntry();
      append(e.getKey(), e.getValue());
    }
    return have;
  }

  /** Writes what of the chunk at {@code offset} (starting at or before {@link #have}) is new. */
  private void append(long offset, byte[] bytes) throws IOException {
    int skip = (int) (have - offset);
    if (skip >= bytes.length) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, skip, bytes.length - skip);
    if (consumer != null) {
      consumer.accept(have, buffer.asReadOnlyBuffer());
    } else {
      long position = have;
      while (buffer.hasRemaining()) {
        position += channel.write(buffer, position);
      }
    }
    digest.update(bytes, skip, bytes.length - skip);
    counters.bytesReceived.add(bytes.length - skip);
    have += bytes.length - skip;
  }

  /** The content's SHA-256 once every byte is in; null before. */
  synchronized String sha256() {
    if (sha256 == null && have == offer.size()) {
      sha256 = Wire.hex(digest.digest());
    }
    return sha256;
  }

  /** Makes the file durable and renames it into place; returns the receipt. */
  synchronized TransferReceipt complete(String to) throws IOException {
    if (channel != null) {
      channel.force(true);
      channel.close();
      Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(meta);
    }
    return new TransferReceipt(offer.id(), offer.name(), offer.from(), to, offer.size(), sha256, 0,
        java.time.Duration.ofNanos(System.nanoTime() - startNanos), file);
  }

  /** Gives up: closes and deletes the partial file. */
  synchronized void discard() {
    close();
    if (part != null) {
      try {
        Files.deleteIfExists(part);
        Files.deleteIfExists(meta);
      } catch (IOException e) {
        // Best effort: a leftover partial file is started over by the next transfer of that name.
      }
    }
    ahead.clear();
  }

  /** Closes the file, keeping the partial content for a resume. */
  synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing a file we only wrote through positional writes: nothing is lost by ignoring it.
      }
    }
  }

  /** A refusal after which the transfer is given up. */
  static final class Fatal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Fatal(RemoteException refusal) {
      super(refusal.getMessage(), refusal, false, false);
    }

    RemoteException refusal() {
      return (RemoteException) getCause();
    }
  }
}
