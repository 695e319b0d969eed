package io.stationmq.netnode;

import java.util.List;

/**
 * A face's part of an upstream search: the {@link UpstreamSearch} for its engine and its
 * reference to the process's {@link BeaconListener} for the port (null without discovery),
 * given up by {@link #close()}. Thread-safe; not public API.
 */
final class UpstreamFinder implements AutoCloseable {
  /** A beacon counts as current for this many announce intervals. */
  private static final int FRESH_INTERVALS = 3;

  private final BeaconListener listener;
  private final String network;
  private final String upstreamId;
  private final UpstreamSearch search;
  private boolean closed; // guarded by this

  private UpstreamFinder(BeaconListener listener, String network, String upstreamId, UpstreamSearch search) {
    this.listener = listener;
    this.network = network;
    this.upstreamId = upstreamId;
    this.search = search;
  }

  /**
   * Starts listening (when {@code network} is given) and, without {@code upstreamId}, waits up
   * to {@link DiscoveryOptions#firstBeaconWait()} for a beacon that names the Station.
   *
   * @throws IllegalStateException when the beacon port cannot be bound, or no Station announced
   *     itself in time
   */
  static UpstreamFinder open(String network, String upstreamId, List<String> bootstrap, DiscoveryOptions options) {
    long fresh = options.interval().toNanos() * FRESH_INTERVALS;
    BeaconListener listener = null;
    String id = upstreamId;
    if (network != null) {
      listener = BeaconListener.acquire(options.port());
      listener.watch(network);
      if (id == null) {
        try {
          BeaconListener.Heard first = listener.await(network, null, options.firstBeaconWait(), fresh);
          if (first == null) {
            throw new IllegalStateException("no Station announced itself on network '" + network + "' (UDP port "
                + listener.port() + ") within " + options.firstBeaconWait().toMillis() + " ms; give the Station's id "
                + "to keep trying without waiting, and check that UDP port " + listener.port() + " is open");
          }
          id = first.stationId();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a beacon", e);
        } finally {
          if (id == null) {
            listener.forget(network);
            listener.release();
          }
        }
      }
    }
    BeaconListener l = listener;
    String station = id;
    UpstreamSearch search = new UpstreamSearch(bootstrap, l == null ? null : () -> {
      BeaconListener.Heard h = l.latest(network, station, fresh);
      return h == null ? null : h.address();
    }, network, options.attemptTime().toNanos(), options.maxBackoff().toNanos());
    return new UpstreamFinder(listener, network, id, search);
  }

  UpstreamSearch search() {
    return search;
  }

  /** The Station's id: given, or named by the first beacon. */
  String upstreamId() {
    return upstreamId;
  }

  /** The UDP port beacons are heard on, or -1 without discovery. */
  int port() {
    return listener == null ? -1 : listener.port();
  }

  BeaconListener listener() {
    return listener;
  }

  @Override
  public synchronized void close() {
    if (closed || listener == null) {
      return;
    }
    closed = true;
    listener.forget(network);
    listener.release();
  }

  /** {@code host:port} or a ZeroMQ endpoint, as a ZeroMQ endpoint. */
  static String endpoint(String address) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("an upstream address must be non-empty");
    }
    if (address.contains("://")) {
      return address;
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("an upstream address is host:port or tcp://host:port, got '" + address + "'");
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in upstream address '" + address + "'");
    }
    return "tcp://" + address;
  }

  @Override
  public String toString() {
    return "UpstreamFinder{" + search.describe() + "}";
  }
}
