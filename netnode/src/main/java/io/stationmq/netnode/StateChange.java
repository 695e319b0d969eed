package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One change of an owner's replicated state as a replica saw it: the key, its value before and
 * after (null when absent: a put of a new key has no old value, a remove no new one), and the
 * owner's sequence number of the change. A change with {@link #resync()} true comes from a
 * snapshot (a late join, a reconnect, a repaired gap): its sequence number is the snapshot's,
 * and it stands for whatever changes led there.
 *
 * <p>Immutable; the values are copies, safe to keep. Built by the replica, never by users.
 */
public final class StateChange {
  private final String owner;
  private final String key;
  private final JsonNode oldValue;
  private final JsonNode newValue;
  private final long seq;
  private final boolean resync;

  StateChange(String owner, String key, JsonNode oldValue, JsonNode newValue, long seq, boolean resync) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.key = Objects.requireNonNull(key, "key");
    this.oldValue = oldValue;
    this.newValue = newValue;
    this.seq = seq;
    this.resync = resync;
  }

  /** The endpoint that owns the state. */
  public String owner() {
    return owner;
  }

  /** The key that changed. */
  public String key() {
    return key;
  }

  /** The value before, or null when the key was absent. */
  public JsonNode oldValue() {
    return oldValue == null ? null : oldValue.deepCopy();
  }

  /** The value after, or null when the key was removed. */
  public JsonNode newValue() {
    return newValue == null ? null : newValue.deepCopy();
  }

  /** The owner's sequence number of this change (of the snapshot, for a {@link #resync()}). */
  public long seq() {
    return seq;
  }

  /** True when this change was found by comparing a snapshot with what the replica held. */
  public boolean resync() {
    return resync;
  }

  /** True when the key was removed. */
  public boolean isRemoval() {
    return newValue == null;
  }

  @Override
  public String toString() {
    return "StateChange{" + owner + "/" + key + " #" + seq + (resync ? " resync" : "") + ": " + oldValue + " -> "
        + newValue + "}";
  }
}
