package io.stationmq.transfer;

import io.stationmq.message.Message;
import io.stationmq.netnode.RemoteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of one {@link Transfers}: answers {@code SMQ_XFER_OPEN}, {@code
 * SMQ_XFER_CHUNK} and {@code SMQ_XFER_DONE} (see {@link Wire}), keeps the open transfers and
 * remembers the last finished ones (so a repeated {@code DONE} is answered). Runs on the
 * endpoint's workers; the registry is guarded by this object, each transfer by its own lock.
 */
final class Receiver {
  /** Open incoming transfers at most; more are refused as {@code busy}. */
  static final int MAX_OPEN = 64;
  private static final int FINISHED_KEPT = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(Transfers.class);

  private final String self;
  private final TransferOptions options;
  private final Counters counters;
  private final Map<String, Incoming> open = new ConcurrentHashMap<>();
  private final Map<String, String> finished = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > FINISHED_KEPT;
    }
  };
  private volatile ReceiveHandler handler;
  private volatile boolean closed;

  Receiver(String self, TransferOptions options, Counters counters) {
    this.self = self;
    this.options = options;
    this.counters = counters;
  }

  void handler(ReceiveHandler h) {
    this.handler = h;
  }

  Object open(Message request) throws IOException {
    Wire.Args args = new Wire.Args(request, counters);
    String id = args.text("id");
    String name = args.text("name");
    long size = args.number("size");
    long chunk = args.number("chunk");
    synchronized (this) {
      ReceiveHandler h = handler;
      if (closed || h == null) {
        throw args.refuse("not_receiving", self + " does not receive transfers");
      }
      Incoming current = open.get(id);
      if (current != null) {
        IncomingTransfer o = current.offer;
        if (!o.from().equals(request.sender()) || o.size() != size || !o.name().equals(name)) {
          throw args.refuse("conflict", "transfer " + id + " is open as '" + o.name() + "' (" + o.size()
              + " bytes) from " + o.from());
        }
        return answer(current.have());
      }
      if (finished.containsKey(id)) {
        return answer(size);
      }
      if (size < 0 || size > options.maxFileBytes()) {
        throw args.refuse("too_large", "'" + name + "' declares " + size + " bytes; at most "
            + options.maxFileBytes() + " are accepted");
      }
      if (chunk < 1 || chunk > options.maxChunkBytes()) {
        throw args.refuse("bad_chunk", "chunks of " + chunk + " bytes; 1 to " + options.maxChunkBytes()
            + " are accepted");
      }
      if (open.size() >= MAX_OPEN) {
        throw args.refuse("busy", open.size() + " transfers are open already");
      }
      IncomingTransfer offer = new IncomingTransfer(id, request.sender(), name, size);
      TransferTarget target;
      try {
        target = h.accept(offer);
      } catch (RuntimeException e) {
        throw args.refuse("refused", "the receive handler failed: " + e);
      }
      if (target == null || target.refusal() != null) {
        throw args.refuse("refused", target == null ? "no target" : target.refusal());
      }
      Incoming in = target.consumer() != null
          ? Incoming.toConsumer(offer, chunk, options.window(), counters, target.consumer())
          : Incoming.toFile(offer, chunk, options.window(), counters, fileIn(target.directory(), offer, args));
      open.put(id, in);
      return answer(in.have());
    }
  }

  private Map<String, Object> answer(long have) {
    return Map.of("have", have, "window", options.window());
  }

  /** Where {@code offer} goes in {@code dir}; refuses a name that is not a plain file name, or taken. */
  private Path fileIn(Path dir, IncomingTransfer offer, Wire.Args args) throws IOException {
    String problem = nameProblem(offer.name());
    if (problem != null) {
      throw args.refuse("bad_name", "'" + offer.name() + "' " + problem);
    }
    Path file = dir.resolve(offer.name()).normalize();
    if (!dir.equals(file.getParent())) {
      throw args.refuse("bad_name", "'" + offer.name() + "' does not stay in the target directory");
    }
    if (!Files.isDirectory(dir)) {
      throw args.refuse("refused", "the target directory does not exist");
    }
    if (Files.isSymbolicLink(file) || Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      throw args.refuse("bad_name", "'" + offer.name() + "' names a link or a directory in the target directory");
    }
    for (Incoming other : open.values()) {
      if (file.equals(other.file())) {
        throw args.refuse("busy", "'" + offer.name() + "' is being received from " + other.offer.from());
      }
    }
    long room = Files.getFileStore(dir).getUsableSpace();
    if (room < offer.size()) {
      throw args.refuse("no_space", "'" + offer.name() + "' needs " + offer.size() + " bytes, " + room + " are free");
    }
    return file;
  }

  /** Why {@code name} is not a plain file name, or null. */
  static String nameProblem(String name) {
    if (name.isEmpty() || name.length() > 200) {
      return "must have 1 to 200 characters";
    }
    if (name.equals(".") || name.equals("..") || name.startsWith(".")) {
      return "must not start with a dot";
    }
    if (name.endsWith(".part") || name.endsWith(".part.meta")) {
      return "must not end with .part or .part.meta";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\' || c == ':' || Character.isISOControl(c)) {
        return "must not contain '/', '\\', ':' or control characters";
      }
    }
    return null;
  }

  Object chunk(Message request) throws IOException {
    Wire.Args args = new Wire.Args(request, counters);
    String id = args.text("id");
    long offset = args.number("offset");
    String data = args.text("data");
    Incoming in = openFrom(id, request, args);
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      throw args.refuse("bad_chunk", "chunk at " + offset + " of '" + in.offer.name() + "' is not base64: "
          + e.getMessage());
    }
    try {
      return Map.of("have", in.chunk(offset, bytes, args));
    } catch (Incoming.Fatal f) {
      giveUp(in, f.refusal());
      throw f.refusal();
    } catch (IOException e) {
      if (closed) {
        throw args.refuse("not_receiving", self + " stopped receiving transfers");
      }
      RemoteException refusal = args.refuse("io", "cannot write '" + in.offer.name() + "': " + e.getMessage());
      giveUp(in, refusal);
      throw refusal;
    }
  }

  Object done(Message request) throws IOException {
    Wire.Args args = new Wire.Args(request, counters);
    String id = args.text("id");
    String sha256 = args.text("sha256");
    Incoming in = open.get(id);
    if (in == null) {
      synchronized (this) {
        if (sha256.equals(finished.get(id))) {
          return Map.of("sha256", sha256);
        }
      }
    }
    in = openFrom(id, request, args);
    String actual = in.sha256();
    if (actual == null) {
      throw args.refuse("incomplete", "'" + in.offer.name() + "' has " + in.have() + " of " + in.offer.size()
          + " bytes");
    }
    if (!actual.equals(sha256)) {
      RemoteException refusal = args.refuse("hash_mismatch", "'" + in.offer.name() + "' arrived with SHA-256 "
          + actual + ", the sender's is " + sha256 + "; the partial file is deleted");
      giveUp(in, refusal);
      throw refusal;
    }
    TransferReceipt receipt;
    try {
      receipt = in.complete(self);
    } catch (IOException e) {
      RemoteException refusal = args.refuse("io", "cannot finish '" + in.offer.name() + "': " + e.getMessage());
      giveUp(in, refusal);
      throw refusal;
    }
    synchronized (this) {
      open.remove(id);
      finished.put(id, sha256);
    }
    counters.received.increment();
    ReceiveHandler h = handler;
    if (h != null) {
      try {
        h.completed(receipt);
      } catch (RuntimeException e) {
        LOG.warn("{}: the receive handler failed on the completion of '{}': {}", self, receipt.name(), e.toString());
      }
    }
    return Map.of("sha256", sha256);
  }

  private Incoming openFrom(String id, Message request, Wire.Args args) {
    Incoming in = open.get(id);
    if (in == null) {
      throw args.refuse("unknown_transfer", "no open transfer " + id + " (ask " + Wire.OPEN + " first)");
    }
    if (!in.offer.from().equals(request.sender())) {
      throw args.refuse("conflict", "transfer " + id + " comes from " + in.offer.from() + ", not "
          + request.sender());
    }
    return in;
  }

  private void giveUp(Incoming in, RemoteException why) {
    synchronized (this) {
      open.remove(in.offer.id(), in);
    }
    in.discard();
    counters.failed.increment();
    ReceiveHandler h = handler;
    if (h != null) {
      try {
        h.failed(in.offer, new TransferException(why.code(), why.remoteMessage()));
      } catch (RuntimeException e) {
        LOG.warn("{}: the receive handler failed on the failure of '{}': {}", self, in.offer.name(), e.toString());
      }
    }
  }

  /** Closes every open file, keeping partial content for a resume. */
  synchronized void close() {
    closed = true;
    open.values().forEach(Incoming::close);
    open.clear();
  }
}
