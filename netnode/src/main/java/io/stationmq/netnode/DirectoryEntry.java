package io.stationmq.netnode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an endpoint knows of one peer that connects to it (a Station's directory). Fields from
 * the peer's HELLO are empty or null until it has said HELLO. Immutable snapshot.
 *
 * @param id the peer's id (its socket identity)
 * @param role {@code "node"}, {@code "station"}, or {@code "unknown"} without a HELLO
 * @param instance a random id of the peer's current run (changes when it restarts)
 * @param software the peer's software and version, e.g. {@code stationmq 0.1.0}
 * @param protocol the peer's protocol version (0 without a HELLO)
 * @param listens the keys the peer listens to
 * @param meta free metadata from the peer (host, description, ...)
 * @param connectedSince when this endpoint first heard from it (in this run of the peer)
 * @param lastSeen when this endpoint last heard from it
 * @param rttMicros the peer's last measured round trip to this endpoint, or -1
 * @param status its liveness
 * @param messages messages received from it
 * @param address the address its connection comes from ({@code host:port} as ZeroMQ reports
 *     it), or null when not known
 * @param clockOffset the peer's wall clock minus this endpoint's, as the peer estimated it and
 *     last reported in a heartbeat ({@link ClockOffset#measuredAt()} on this endpoint's clock);
 *     {@link ClockOffset#unknown()} for a Python peer or before its first estimate. {@link
 *     ClockOffset#toReference(java.time.Instant)} converts the peer's timestamps to this clock.
 */
public record DirectoryEntry(String id, String role, String instance, String software, int protocol,
    List<String> listens, Map<String, Object> meta, Instant connectedSince, Instant lastSeen, long rttMicros,
    PeerStatus status, long messages, String address, ClockOffset clockOffset) {
  /**
   * Copies {@code listens} and {@code meta} (null taken as empty), so an entry cannot be changed
   * through them; a null {@code clockOffset} is taken as unknown.
   */
  public DirectoryEntry {
    listens = listens == null ? List.of() : List.copyOf(listens);
    meta = meta == null ? Map.of() : Map.copyOf(meta);
    clockOffset = clockOffset == null ? ClockOffset.unknown() : clockOffset;
  }

  /** An entry without a clock offset ({@link ClockOffset#unknown()}). */
  public DirectoryEntry(String id, String role, String instance, String software, int protocol, List<String> listens,
      Map<String, Object> meta, Instant connectedSince, Instant lastSeen, long rttMicros, PeerStatus status,
      long messages, String address) {
    this(id, role, instance, software, protocol, listens, meta, connectedSince, lastSeen, rttMicros, status, messages,
        address, null);
  }
}
