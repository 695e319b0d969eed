package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.MessageCodec;
import java.util.Map;
import java.util.Optional;

/**
 * A local, read-only replica of another endpoint's state ({@link Endpoint#state(String)}): reads
 * never leave the process. It is filled by a snapshot from the upstream Station and kept up to
 * date by the owner's changes in sequence order; a missed change or a reconnect brings a fresh
 * snapshot, so it never holds a state the owner did not have, only an older one. On a Station it
 * reads the Station's own table (every owner below it, and the rest of the tree through its
 * parent once asked).
 *
 * <p>Thread-safe; every read is a copy taken under the replica table's lock.
 */
public final class StateReplica {
  private final StateService service;
  private final String owner;

  StateReplica(StateService service, String owner) {
    this.service = service;
    this.owner = owner;
  }

  /** The owner whose state this is. */
  public String owner() {
    return owner;
  }

  /** The value of {@code key} as last replicated, if present. */
  public Optional<JsonNode> get(String key) {
    return Optional.ofNullable(service.replicaValue(owner, key));
  }

  /** The value of {@code key} converted to {@code type}, if present. */
  public <T> Optional<T> get(String key, Class<T> type) {
    return get(key).map(v -> MessageCodec.convert(v, type));
  }

  /** Every key and value as last replicated (an immutable copy, sorted by key). */
  public Map<String, JsonNode> snapshot() {
    return service.replicaEntries(owner);
  }

  /** The owner's sequence number this replica is at; -1 before its first snapshot. */
  public long seq() {
    return service.replicaSeq(owner);
  }

  /** True once the replica holds a snapshot of the owner. */
  public boolean isSynced() {
    return seq() >= 0;
  }
}
