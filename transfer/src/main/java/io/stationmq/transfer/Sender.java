package io.stationmq.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryException;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.EndpointClosedException;
import io.stationmq.netnode.RemoteException;
import io.stationmq.netnode.RequestTimeoutException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One outgoing transfer and its thread ({@code stationmq-transfer-ENDPOINT-send-N}): opens (asks
 * where to continue), streams chunks with at most a window unconfirmed, finishes with the hash,
 * and resumes after a failure that a reconnect or a restart can cure. The source is read only on
 * that thread; request callbacks only update the window state under {@link #lock}.
 */
final class Sender implements Runnable {
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final Endpoint endpoint;
  private final TransferOptions options;
  private final Counters counters;
  private final String to;
  private final TransferSource source;
  private final String name;
  private final String id;
  private final CompletableFuture<TransferReceipt> done = new CompletableFuture<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Digest states at chunk starts not yet confirmed: a resume at one of them needs no re-read. */
  private final TreeMap<Long, MessageDigest> digestAt = new TreeMap<>();
  private volatile long total = -1;
  private volatile long confirmed;
  private int inFlight;
  private Throwable chunkFailure;
  private boolean cancelled;
  private int resumes;
  private volatile Thread thread;
  /** Set when a chunk is confirmed; a resume deadline starts again after progress. */
  private volatile boolean confirmedSinceResume;
  /** Chunks in flight at most: this side's window or the receiver's, whichever is smaller. */
  private int receiverWindow = 1;

  Sender(Endpoint endpoint, TransferOptions options, Counters counters, String to, TransferSource source, String name,
      String id) {
    this.endpoint = endpoint;
    this.options = options;
    this.counters = counters;
    this.to = to;
    this.source = source;
    this.name = name;
    this.id = id;
  }

  String id() {
    return id;
  }

  String name() {
    return name;
  }

  String to() {
    return to;
  }

  long total() {
    return total;
  }

  long confirmed() {
    return confirmed;
  }

  CompletableFuture<TransferReceipt> done() {
    return done;
  }

  void start(String threadName) {
    Thread t = new Thread(this, threadName);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Waits up to {@code timeout} for the thread to end. */
  void join(Duration timeout) throws InterruptedException {
    Thread t = thread;
    if (t != null) {
      t.join(Math.max(1, timeout.toMillis()));
    }
  }

  void cancel() {
    stop(new TransferException("cancelled", "transfer '" + name + "' to " + to + " was cancelled"));
  }

  void stop(TransferException why) {
    lock.lock();
    try {
      cancelled = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fail(why);
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt(); // a wait for an open or the final answer ends at once
    }
  }

  @Override
  public void run() {
    long start = System.nanoTime();
    long resumeDeadline = 0;
    Duration backoff = FIRST_BACKOFF;
    try {
      total = source.size();
      while (!isCancelled()) {
        Throwable failure;
        try {
          long have = open();
          failure = stream(have);
          if (failure == null) {
            String sha = finish();
            counters.sent.increment();
            done.complete(new TransferReceipt(id, name, endpoint.id(), to, total, sha, resumes,
                Duration.ofNanos(System.nanoTime() - start), null));
            return;
          }
        } catch (CompletionException | ExecutionException e) {
          failure = e.getCause();
        }
        TransferException fatal = classify(failure);
        if (fatal != null) {
          fail(fatal);
          return;
        }
        long now = System.nanoTime();
        if (resumeDeadline == 0 || confirmedSinceResume) {
          resumeDeadline = now + options.resumeTimeout().toNanos();
          backoff = FIRST_BACKOFF;
        } else if (now - resumeDeadline > 0) {
          fail(new TransferException("unreachable", "gave up resuming '" + name + "' to " + to + " after "
              + options.resumeTimeout() + ": " + failure, failure));
          return;
        }
        confirmedSinceResume = false;
        pause(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        resumes++;
        counters.resumes.increment();
      }
    } catch (IOException e) {
      fail(new TransferException("source", "cannot read the content of '" + name + "': " + e.getMessage(), e));
    } catch (InterruptedException e) {
      fail(new TransferException("closed", "transfer '" + name + "' to " + to + " was stopped"));
    } catch (RuntimeException e) {
      fail(new TransferException("failed", "transfer '" + name + "' to " + to + " failed: " + e, e));
    }
  }

  /** Asks the receiver where to continue. */
  private long open() throws ExecutionException, InterruptedException {
    Map<String, Object> args = Map.of("id", id, "name", name, "size", total, "chunk", options.chunkBytes());
    Message reply = endpoint.request(endpoint.requestMessage(to, Wire.OPEN, args).build(), options.chunkTimeout()).get();
    long have = field(reply, "have");
    if (have < 0 || have > total) {
      throw new ExecutionException(new TransferException("protocol", to + " answered have=" + have
          + " for a transfer of " + total + " bytes"));
    }
    receiverWindow = (int) Math.max(1, Math.min(options.window(), field(reply, "window")));
    return have;
  }

  /** Sends every chunk from {@code have}; returns null when all were confirmed, else the first failure. */
  private Throwable stream(long have) throws IOException, InterruptedException {
    MessageDigest digest = digestAt(have);
    lock.lock();
    try {
      confirmed = have;
      digestAt.clear();
      chunkFailure = null;
    } finally {
      lock.unlock();
    }
    long windowBytes = (long) receiverWindow * options.chunkBytes();
    try (InputStream in = source.open(have)) {
      long offset = have;
      while (offset < total) {
        lock.lock();
        try {
          while (!cancelled && chunkFailure == null
              && (inFlight >= receiverWindow || offset >= confirmed + windowBytes)) {
            changed.await();
          }
          if (cancelled || chunkFailure != null) {
            break;
          }
          digestAt.put(offset, clone(digest));
          inFlight++;
        } finally {
          lock.unlock();
        }
        int n = (int) Math.min(options.chunkBytes(), total - offset);
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
          throw new IOException("the source ended at " + (offset + bytes.length) + " of " + total + " bytes");
        }
        digest.update(bytes);
        sendChunk(offset, bytes);
        offset += n;
      }
    }
    lock.lock();
    try {
      while (inFlight > 0) {
        changed.await();
      }
      digestAt.put(total, digest);
      return cancelled ? new TransferException("cancelled", "cancelled") : chunkFailure;
    } finally {
      lock.unlock();
    }
  }

  private void sendChunk(long offset, byte[] bytes) {
    Map<String, Object> args = Map.of("id", id, "offset", offset, "data", Base64.getEncoder().encodeToString(bytes));
    counters.bytesSent.add(bytes.length);
    endpoint.request(endpoint.requestMessage(to, Wire.CHUNK, args).build(), options.chunkTimeout())
        .whenComplete((reply, error) -> chunkSettled(reply, error));
  }

  private void chunkSettled(Message reply, Throwable error) {
    lock.lock();
    try {
      inFlight--;
      if (error != null) {
        if (chunkFailure == null) {
          chunkFailure = error instanceof CompletionException ? error.getCause() : error;
        }
      } else {
        long have = field(reply, "have");
        if (have > confirmed && have <= total) {
          confirmed = have;
          confirmedSinceResume = true;
          digestAt.headMap(have).clear();
        }
      }
    } catch (TransferException e) {
      if (chunkFailure == null) {
        chunkFailure = e;
      }
    } finally {
      changed.signalAll();
      lock.unlock();
    }
  }

  /** Asks the receiver to check the hash; returns it. */
  private String finish() throws ExecutionException, InterruptedException {
    MessageDigest digest;
    lock.lock();
    try {
      digest = digestAt.get(total);
    } finally {
      lock.unlock();
    }
    String sha = Wire.hex(digest.digest());
    Map<String, Object> args = Map.of("id", id, "size", total, "sha256", sha);
    endpoint.request(endpoint.requestMessage(to, Wire.DONE, args).build(), options.chunkTimeout()).get();
    return sha;
  }

  /** The digest of the content before {@code offset}: kept from this run, else read again from the source. */
  private MessageDigest digestAt(long offset) throws IOException {
    lock.lock();
    try {
      MessageDigest kept = digestAt.get(offset);
      if (kept != null) {
        return clone(kept);
      }
    } finally {
      lock.unlock();
    }
    MessageDigest digest = Wire.sha256();
    if (offset > 0) {
      byte[] buffer = new byte[64 << 10];
      try (InputStream in = source.open(0)) {
        long left = offset;
        while (left > 0) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (n < 0) {
            throw new IOException("the source ended at " + (offset - left) + " bytes, before the resume offset " + offset);
          }
          digest.update(buffer, 0, n);
          left -= n;
        }
      }
    }
    return digest;
  }

  /** Null for a failure a resume may cure, else the transfer's failure. */
  private TransferException classify(Throwable failure) {
    if (failure instanceof TransferException t) {
      return t;
    }
    if (failure instanceof EndpointClosedException) {
      return new TransferException("closed", "the endpoint '" + endpoint.id() + "' closed", failure);
    }
    if (failure instanceof RemoteException r) {
      return Wire.RESUMABLE.contains(r.code()) ? null : new TransferException(r.code(), r.remoteMessage(), r);
    }
    if (failure instanceof RequestTimeoutException || failure instanceof DeliveryException) {
      return null;
    }
    return new TransferException("failed", "transfer '" + name + "' to " + to + " failed: " + failure, failure);
  }

  private void pause(Duration d) throws InterruptedException {
    lock.lock();
    try {
      long left = d.toNanos();
      while (!cancelled && left > 0) {
        left = changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean isCancelled() {
    lock.lock();
    try {
      return cancelled;
    } finally {
      lock.unlock();
    }
  }

  private void fail(TransferException e) {
    if (done.completeExceptionally(e)) {
      counters.failed.increment();
    }
  }

  private static long field(Message reply, String name) {
    JsonNode node = reply.valueField(name);
    if (node == null || !node.canConvertToLong()) {
      throw new TransferException("protocol", "the answer from " + reply.sender() + " has no number '" + name + "'");
    }
    return node.longValue();
  }

  private static MessageDigest clone(MessageDigest digest) {
    try {
      return (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests of this JDK cannot be cloned", e);
    }
  }
}
