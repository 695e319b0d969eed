package io.stationmq.netnode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * An endpoint's durable store ({@link Durability}): one H2 MVStore file per endpoint id in the
 * durability directory, holding the de-duplication records ({@link DedupJournal}) and the
 * outbox records ({@link OutboxJournal}). MVStore appends each commit as a new chunk with a
 * checksum and finds the newest whole one on opening, so a process killed mid-write leaves
 * the store as of its last finished commit. No background thread: changes are written only by
 * {@link #commit()}, once per visit of the socket loop for everything that visit changed (with an
 * fsync under {@link Durability#syncToDisk()}).
 *
 * <p>Failures: {@link #open} throws an {@link IllegalStateException} naming the file and the
 * cause (locked by another endpoint, corrupt, not writable). A write that fails later is logged
 * (rate limited) and counted in {@code storeFailures}; MVStore then closes the store, and
 * every later operation is a counted no-op ({@link #failed()} says so), so the endpoint goes on
 * with memory alone.
 *
 * <p>Used by the socket thread alone while the endpoint runs (opened before it starts, closed
 * after it ends): a chunk a commit leaves unused is reused at once (retention time 0), which is
 * safe only when no map operation runs on another thread during a commit. Not thread-safe.
 */
final class DurableStore implements AutoCloseable {
  /** Store files open in this process: a second open must not touch the file (closing it would drop the first's lock). */
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();
  /** The layout of the records; a store of another layout is refused rather than misread. */
  private static final int FORMAT = 1;
  /** How long removals (nothing waits for them) may stay uncommitted. */
  private static final long LAZY_COMMIT_NANOS = 200_000_000L;

  private final Path file;
  private final String endpointId;
  private final MVStore store;
  private final boolean syncToDisk;
  private final LongSupplier wallMillis;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private long lastCommitNanos = System.nanoTime();
  private volatile boolean failed;
  private volatile boolean closed;
  private final DedupJournal dedup;
  private final OutboxJournal outbox;

  private DurableStore(Path file, String endpointId, MVStore store, Durability d, LongSupplier wallMillis,
      Counters counters, RateLimitedLog warnings) {
    this.file = file;
    this.endpointId = endpointId;
    this.store = store;
    this.syncToDisk = d.syncToDisk();
    this.wallMillis = wallMillis;
    this.counters = counters;
    this.warnings = warnings;
    this.dedup = d.deduplication() ? new DedupJournal(this) : null;
    this.outbox = d.outbox() ? new OutboxJournal(this, endpointId) : null;
  }

  /**
   * Opens (or creates) the store of {@code endpointId}, or returns null without durability.
   *
   * @throws IllegalStateException naming the file when it is locked, corrupt or cannot be written
   */
  static DurableStore open(Durability d, String endpointId, Counters counters, RateLimitedLog warnings) {
    return d == null ? null : open(d, endpointId, counters, warnings, System::currentTimeMillis);
  }

  /** {@link #open(Durability, String, Counters, RateLimitedLog)} with a wall clock of the caller's (tests). */
  static DurableStore open(Durability d, String endpointId, Counters counters, RateLimitedLog warnings,
      LongSupplier wallMillis) {
    Path file = d.directory().resolve(fileName(endpointId)).toAbsolutePath().normalize();
    if (!OPEN.add(file)) {
      throw new IllegalStateException("durable store " + file + " is in use: another endpoint with id '" + endpointId
          + "' and this directory is running in this process");
    }
    try {
      Files.createDirectories(d.directory());
      // 16 keys per page, not 48: a commit rewrites every page it changed, and an outbox record
      // is a whole message, so smaller pages make the commit of one record several times cheaper.
      MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().keysPerPage(16)
          .cacheSize(4).open();
      // Chunks no longer used are overwritten at once instead of 45 s later: with a commit per
      // socket-loop visit the file would otherwise grow by every chunk of the last 45 s. Safe
      // against a killed process (the kernel keeps every finished write); with syncToDisk every
      // commit is on the disk before a chunk it replaced can be reused.
      store.setRetentionTime(0);
      try {
        if (store.getStoreVersion() == 0 && store.getMapNames().isEmpty()) {
          store.setStoreVersion(FORMAT);
        } else if (store.getStoreVersion() != FORMAT) {
          throw new MVStoreException(DataUtils.ERROR_UNSUPPORTED_FORMAT, "records of format " + store.getStoreVersion()
              + ", this version of stationmq reads format " + FORMAT);
        }
        return new DurableStore(file, endpointId, store, d, wallMillis, counters, warnings); // reads every record
      } catch (RuntimeException e) {
        store.closeImmediately();
        throw e instanceof MVStoreException m ? m
            : new MVStoreException(DataUtils.ERROR_FILE_CORRUPT, "records cannot be read: " + e);
      }
    } catch (MVStoreException e) {
      OPEN.remove(file);
      throw new IllegalStateException(describeOpenFailure(file, endpointId, e), e);
    } catch (IOException | RuntimeException e) {
      OPEN.remove(file);
      throw new IllegalStateException("cannot open durable store " + file + ": " + e, e);
    }
  }

  private static String describeOpenFailure(Path file, String endpointId, MVStoreException e) {
    return switch (e.getErrorCode()) {
      case DataUtils.ERROR_FILE_LOCKED -> "durable store " + file + " is locked: another endpoint with id '"
          + endpointId + "' and this directory is running";
      case DataUtils.ERROR_FILE_CORRUPT, DataUtils.ERROR_UNSUPPORTED_FORMAT, DataUtils.ERROR_CHUNK_NOT_FOUND ->
          "durable store " + file + " cannot be read (" + e.getMessage() + "); move it away to start with an empty"
              + " one, forgetting the de-duplication records and the messages in flight it held";
      default -> "cannot open durable store " + file + ": " + e.getMessage();
    };
  }

  /** The store's file name for an endpoint id: the id, with any character unsafe in a file name escaped. */
  static String fileName(String endpointId) {
    StringBuilder sb = new StringBuilder();
    for (char c : endpointId.toCharArray()) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || (c == '.' && sb.length() > 0)) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%04x", (int) c));
      }
    }
    return sb.append(".mv.db").toString();
  }

  Path file() {
    return file;
  }

  /** The durable de-duplication window's records, or null when {@link Durability#deduplication()} is off. */
  DedupJournal dedup() {
    return dedup;
  }

  /** The durable outbox's records, or null when {@link Durability#outbox()} is off. */
  OutboxJournal outbox() {
    return outbox;
  }

  /** Milliseconds since the epoch: records outlive the process, so they carry wall-clock time. */
  long wallMillis() {
    return wallMillis.getAsLong();
  }

  MVMap<Long, byte[]> longKeyMap(String name) {
    return store.openMap(name, new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE)
        .valueType(ByteArrayDataType.INSTANCE));
  }

  MVMap<String, byte[]> stringKeyMap(String name) {
    return store.openMap(name, new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE)
        .valueType(ByteArrayDataType.INSTANCE));
  }

  /** True once a write failed: the store is closed for the rest of the run. */
  boolean failed() {
    return failed;
  }

  /** True once {@link #close()} began. */
  boolean isClosed() {
    return closed;
  }

  /**
   * Runs a change of a map; false (logged and counted) when the store has failed or the change
   * does. Nothing is on record until the next {@link #commit()}.
   */
  boolean change(Runnable change) {
    if (!writable()) {
      return false;
    }
    try {
      change.run();
      return true;
    } catch (RuntimeException e) {
      fail("a change", e);
      return false;
    }
  }

  /** Reads from a map; {@code fallback} when the store has failed or the read does. */
  <T> T read(Supplier<T> read, T fallback) {
    if (failed || closed) {
      return fallback;
    }
    try {
      return read.get();
    } catch (RuntimeException e) {
      fail("a read", e);
      return fallback;
    }
  }

  /**
   * Writes every change made so far to the file (and to the disk with syncToDisk); returns once
   * they are there. False (logged and counted) when it fails.
   */
  boolean commit() {
    if (!writable()) {
      return false;
    }
    try {
      store.commit();
      lastCommitNanos = System.nanoTime();
      if (syncToDisk) {
        store.sync();
      }
      return true;
    } catch (RuntimeException e) {
      fail("a commit", e);
      return false;
    }
  }

  /** False when closed, or failed (then counted: a record not written). */
  private boolean writable() {
    if (failed && !closed) {
      counters.storeFailures.increment();
    }
    return !failed && !closed;
  }

  /** Commits changes nothing waits for (removals) if they have waited long enough. */
  void commitLazily() {
    if (!failed && !closed && System.nanoTime() - lastCommitNanos > LAZY_COMMIT_NANOS && store.hasUnsavedChanges()) {
      commit();
    }
  }

  /** Reports records that could not be read back (dropped): counted and logged, never silent. */
  void unreadable(int count, String what) {
    counters.storeFailures.add(count);
    warnings.error("{}: durable store {}: {} unreadable {} dropped", endpointId, file, count, what);
  }

  private void fail(String what, RuntimeException e) {
    counters.storeFailures.increment();
    if (!failed) {
      failed = true;
      warnings.error("{}: durable store {} failed on {}; the rest of this run keeps de-duplication in memory only"
          + " and refuses confirmed messages it cannot record", endpointId, file, what, e);
    }
  }

  /** Commits what is left and releases the file (and its lock). Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (failed) {
        store.closeImmediately();
      } else {
        store.close();
      }
    } catch (RuntimeException e) {
      counters.storeFailures.increment();
      warnings.error("{}: closing durable store {} failed", endpointId, file, e);
    } finally {
      OPEN.remove(file);
    }
  }

  /** The MVStore itself (tests: to break its file under it). */
  MVStore mvStore() {
    return store;
  }

  /** Closes the file without committing, as a killed process would leave it (tests). */
  void abandon() {
    closed = true;
    store.closeImmediately();
    OPEN.remove(file);
  }
}
