package io.stationmq.netnode;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Opt-in durability for an endpoint ({@link EndpointOptions.Builder#durability}): a store in
 * {@link #directory()}, one file per endpoint id, that lets a restarted endpoint keep the
 * delivery promise across a crash of its previous run. Off by default; without it nothing is
 * written and nothing changes.
 *
 * <ul>
 *   <li><b>Durable de-duplication window</b> ({@link #deduplication()}): a receiver records each
 *       confirmed message it takes (sender, id, timestamp, time) as <i>handling</i> before it
 *       goes to its listen and as <i>handled</i> before its {@code CONFIRM} leaves, within {@link
 *       EndpointOptions#dedupWindow()} and {@link EndpointOptions#dedupCapacity()}. After a
 *       restart a repeat of a handled message is confirmed without running the listen again. A
 *       repeat of one that was queued for or running in its listen when the process died may or
 *       may not have been handled: it is not handled again, and its sender's future fails with
 *       {@link ReceiverCrashedException}. At most 4 messages per worker ({@link
 *       EndpointOptions#workers()}) are handed to the listens ahead of their turn, so a crash
 *       leaves at most that many in doubt; the others wait unrecorded, and their repeats are
 *       handled as new after a restart. Requests and replies are de-duplicated in memory only.
 *   <li><b>Durable outbox</b> ({@link #outbox()}): {@code sendConfirmed} returns only once the
 *       message is on record: its caller waits for the socket loop's next commit, which the
 *       callers of that visit share, and the message is sent only once it is on record. The record
 *       goes when the message is confirmed or fails. A restarted endpoint with the same id and directory sends again what its previous
 *       run left in flight, within what is left of the message's {@link
 *       EndpointOptions#maxDeliveryTime()} counted in wall-clock time from its first send (its
 *       ttl is spent as if the sender had kept repeating while it was down, but each is sent at
 *       least once more); one whose time ran out while the endpoint was down fails at once. The
 *       old futures died with the old process: the endpoint reports what it resumed to {@link
 *       EndpointListener#deliveriesResumed}, counts it in {@link EndpointStats#resumed()}, and
 *       reports how a resumed message fails (if it does) to {@link
 *       EndpointListener#deliveryFailed}. {@code close()} still fails what is in flight with
 *       {@link EndpointClosedException} and forgets it: only a run that dies leaves messages to
 *       resume. Requests and replies are not kept.
 * </ul>
 *
 * <p><b>What survives what.</b> Records are written to the operating system before a {@code
 * CONFIRM} leaves or {@code sendConfirmed} returns, so they survive the process being killed
 * (SIGKILL, the OOM killer, a JVM crash). Without {@link #syncToDisk()} (the default) a power
 * loss or a kernel crash may lose the last records or leave the store unreadable; with it
 * every commit is also forced to the disk (fsync), which survives a power loss on a disk that
 * honours it, for an fsync per commit.
 *
 * <p><b>Failures.</b> Building an endpoint fails with an {@link IllegalStateException} naming
 * the file when the store is locked (another endpoint with that id and directory is running,
 * in this process or another), unreadable (corrupt: move it away to start empty, forgetting
 * what it held) or cannot be created. A write that fails later (a full disk, an I/O error) is
 * logged and counted in {@link EndpointStats#storeFailures()}; the store is then closed for
 * the rest of the run: {@code sendConfirmed} fails with {@link DurableStoreException} instead
 * of sending what it cannot record, and a receiver goes on de-duplicating in memory only.
 *
 * <p>Commits are grouped: an endpoint commits once per visit of its socket loop for every
 * message taken, confirmed or sent in that visit. With one thread calling {@code sendConfirmed}
 * that is still a commit per message; see the README's performance section for what each costs. The store is H2's MVStore, one file per endpoint
 * ({@code ID.mv.db}); with the default {@code dedupCapacity} it grows to a few tens of MB.
 *
 * <p>Immutable and thread-safe; build with {@link #builder(Path)}.
 */
public final class Durability {
  private final Path directory;
  private final boolean deduplication;
  private final boolean outbox;
  private final boolean syncToDisk;

  private Durability(Builder b) {
    this.directory = b.directory;
    this.deduplication = b.deduplication;
    this.outbox = b.outbox;
    this.syncToDisk = b.syncToDisk;
  }

  /** Both the durable de-duplication window and the durable outbox in {@code directory}, not synced to disk. */
  public static Durability in(Path directory) {
    return builder(directory).build();
  }

  /** A builder for a store in {@code directory} (created when missing), everything on but {@link #syncToDisk()}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Where the store lives: one file per endpoint id. */
  public Path directory() {
    return directory;
  }

  /** True for the durable de-duplication window (see the class comment). Default true. */
  public boolean deduplication() {
    return deduplication;
  }

  /** True for the durable outbox (see the class comment). Default true. */
  public boolean outbox() {
    return outbox;
  }

  /**
   * True to force every commit to the disk (fsync), surviving a power loss; false (the
   * default) survives the process being killed, not the machine losing power.
   */
  public boolean syncToDisk() {
    return syncToDisk;
  }

  @Override
  public String toString() {
    return "Durability[" + directory + (deduplication ? ", deduplication" : "") + (outbox ? ", outbox" : "")
        + (syncToDisk ? ", syncToDisk" : "") + "]";
  }

  /** Builds {@link Durability}; not thread-safe. */
  public static final class Builder {
    private final Path directory;
    private boolean deduplication = true;
    private boolean outbox = true;
    private boolean syncToDisk;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** See {@link Durability#deduplication()}. */
    public Builder deduplication(boolean on) {
      this.deduplication = on;
      return this;
    }

    /** See {@link Durability#outbox()}. */
    public Builder outbox(boolean on) {
      this.outbox = on;
      return this;
    }

    /** See {@link Durability#syncToDisk()}. */
    public Builder syncToDisk(boolean on) {
      this.syncToDisk = on;
      return this;
    }

    /**
     * Builds.
     *
     * @throws IllegalArgumentException when neither the de-duplication window nor the outbox is on
     */
    public Durability build() {
      if (!deduplication && !outbox) {
        throw new IllegalArgumentException("durability needs deduplication or outbox on (or no durability at all)");
      }
      return new Durability(this);
    }
  }
}
