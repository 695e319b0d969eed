package io.stationmq.netnode;

import java.util.List;
import java.util.function.Supplier;

/**
 * How an endpoint finds its upstream when no single address is configured: the bootstrap
 * addresses to try in order, and where current beacons come from (null without discovery).
 *
 * @param bootstrap ZeroMQ endpoints ({@code tcp://host:port}) tried in order, possibly empty
 * @param beacons the address of a current beacon of the wanted Station, or null; called on the socket thread
 * @param network the network name discovered, or null without discovery (for log lines)
 * @param attemptNanos how long one candidate is tried
 * @param maxBackoffNanos the longest wait between two rounds
 */
record UpstreamSearch(List<String> bootstrap, Supplier<String> beacons, String network, long attemptNanos,
    long maxBackoffNanos) {
  /** Validates. */
  UpstreamSearch {
    bootstrap = List.copyOf(bootstrap);
    if (bootstrap.isEmpty() && beacons == null) {
      throw new IllegalArgumentException("an upstream search needs bootstrap addresses or discovery");
    }
  }

  /** What the engine's log lines call the upstream's address until one is found. */
  String describe() {
    return (network == null ? "" : "discovery of network '" + network + "'") + (network != null && !bootstrap.isEmpty() ? " then " : "")
        + (bootstrap.isEmpty() ? "" : String.join(", ", bootstrap));
  }
}
