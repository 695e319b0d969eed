package io.stationmq.netnode;

/**
 * Hears the changes of replicated state (registered with {@link Endpoint#watchState}): first what
 * a snapshot changed (each with {@link StateChange#resync()} true) followed by {@link #resynced},
 * then each change in the owner's order, every sequence number once, until the next snapshot.
 *
 * <p>Called on a worker thread of the endpoint, one call at a time for the whole endpoint and in
 * the order the replica applied the changes; never on the socket thread. A slow listener delays
 * the next calls (not the replica, which is up to date before its listeners run). A listener that
 * throws is logged and counted; the next call still comes.
 */
@FunctionalInterface
public interface StateListener {
  /** One key of {@code change.owner()} changed. */
  void changed(StateChange change) throws Exception;

  /**
   * The replica of {@code owner} now holds the owner's snapshot at {@code seq} (called after the
   * snapshot's changes, also when it changed nothing); the next change has {@code seq + 1}.
   */
  default void resynced(String owner, long seq) throws Exception {}
}
