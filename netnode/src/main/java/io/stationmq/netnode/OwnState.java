package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.MessageCodec;
import java.util.Map;
import java.util.Optional;

/**
 * The replicated state an endpoint owns ({@link Endpoint#state()}): keys with JSON values that
 * every interested endpoint of the tree can read from a local replica ({@link
 * Endpoint#state(String)}). Each change takes the next sequence number of this owner and goes to
 * the upstream Station, confirmed and in order; whenever the upstream (re)connects, the whole
 * state goes again as a snapshot, so a restarted Station recovers it. The state lives in this
 * process only: a restarted owner starts empty (a new incarnation, which replaces the old one
 * everywhere).
 *
 * <p>Thread-safe; changes from several threads are ordered as they take the lock. Does not block
 * (unless {@link EndpointOptions#sendQueueFullWait()} is set and the send queue is full).
 * Bounded by {@link StateLimits}: a change past a bound throws and changes nothing.
 */
public final class OwnState {
  private final StateService service;

  OwnState(StateService service) {
    this.service = service;
  }

  /**
   * Sets {@code key} to {@code value} (any JSON value: POJO, record, map, string, number...).
   *
   * @throws IllegalArgumentException when the key is empty, the value cannot be JSON or its
   *     encoding is over {@link StateLimits#maxValueBytes()}
   * @throws IllegalStateException when a new key would pass {@link StateLimits#maxKeysPerOwner()}
   *     or the state would pass {@link StateLimits#maxBytesPerOwner()}
   */
  public void put(String key, Object value) {
    service.put(key, value);
  }

  /** Removes {@code key}; nothing happens (no sequence number taken) when it is absent. */
  public void remove(String key) {
    service.remove(key);
  }

  /** The value of {@code key} (a copy), if present. */
  public Optional<JsonNode> get(String key) {
    return Optional.ofNullable(service.ownValue(key));
  }

  /** The value of {@code key} converted to {@code type}, if present. */
  public <T> Optional<T> get(String key, Class<T> type) {
    return get(key).map(v -> MessageCodec.convert(v, type));
  }

  /** Every key and value now (an immutable copy, sorted by key). */
  public Map<String, JsonNode> snapshot() {
    return service.ownEntries();
  }

  /** The sequence number of the last change (0 before the first). */
  public long seq() {
    return service.ownSeq();
  }
}
