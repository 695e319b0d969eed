package io.stationmq.netnode;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears the beacons ({@link Beacon}) on one UDP port for every node of the process that
 * discovers on it: one thread ({@code stationmq-beacon-listen-PORT}) and one socket per port,
 * shared by reference count ({@link #acquire}, {@link #release}); port 0 (an ephemeral port,
 * for tests) is never shared. It remembers the last beacon of each (network, station) of a
 * network someone asked for; beacons of other networks are counted and logged once per name,
 * bad packets counted and logged at a limited rate. The socket is bound with {@code
 * SO_REUSEADDR}, so several processes on a host can hear broadcasts on the same port.
 *
 * <p>Thread-safe. Failure modes: {@link #acquire} throws {@link IllegalStateException} when the
 * port cannot be bound; a receive error other than close is logged and the thread goes on.
 * Not public API.
 */
final class BeaconListener {
  private static final Logger log = LoggerFactory.getLogger(BeaconListener.class);
  private static final int MAX_REMEMBERED = 1_024;
  private static final int MAX_FOREIGN_NAMES = 64;
  private static final Map<Integer, BeaconListener> SHARED = new HashMap<>(); // guarded by the class

  private final DatagramSocket socket;
  private final int port;
  private final boolean shared;
  private final Thread thread;
  private final RateLimitedLog badLog = new RateLimitedLog(log, 5, TimeUnit.MINUTES.toNanos(1));
  private final Map<String, Heard> heard = new ConcurrentHashMap<>();
  private final Map<String, Integer> networks = new ConcurrentHashMap<>(); // asked for, with how many askers
  private final Set<String> foreignNames = ConcurrentHashMap.newKeySet();
  private int refs; // guarded by the class
  final LongAdder beacons = new LongAdder();
  final LongAdder foreignNetwork = new LongAdder();
  final LongAdder bad = new LongAdder();

  /** A beacon heard: where to connect ({@code tcp://host:port}) and when ({@link System#nanoTime()}). */
  record Heard(String network, String stationId, String address, long atNanos) {}

  private BeaconListener(int port) {
    try {
      socket = new DatagramSocket(null);
      socket.setReuseAddress(true);
      socket.setSoTimeout(1_000); // wakes now and then to report held-back log lines
      socket.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen for discovery beacons on UDP port " + port + ": " + e.getMessage(), e);
    }
    this.port = socket.getLocalPort();
    this.shared = port != 0;
    this.thread = new Thread(this::run, "stationmq-beacon-listen-" + this.port);
    thread.setDaemon(true);
    thread.start();
  }

  /** The listener for {@code port}, started on first use; pair with {@link #release}. */
  static synchronized BeaconListener acquire(int port) {
    BeaconListener l = port == 0 ? null : SHARED.get(port);
    if (l == null) {
      l = new BeaconListener(port);
      if (l.shared) {
        SHARED.put(port, l);
      }
    }
    l.refs++;
    return l;
  }

  /** Gives up one reference; the last one closes the socket and ends the thread. */
  void release() {
    synchronized (BeaconListener.class) {
      if (--refs > 0) {
        return;
      }
      if (shared) {
        SHARED.remove(port);
      }
    }
    socket.close();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The UDP port it listens on (the real one for port 0). */
  int port() {
    return port;
  }

  /** Starts remembering beacons of {@code network}; pair with {@link #forget}. */
  void watch(String network) {
    networks.merge(network, 1, Integer::sum);
  }

  void forget(String network) {
    networks.computeIfPresent(network, (k, n) -> n == 1 ? null : n - 1);
  }

  /**
   * The newest beacon of {@code network} (from {@code stationId}, or any station when null)
   * heard within {@code freshNanos}, or null.
   */
  Heard latest(String network, String stationId, long freshNanos) {
    long now = System.nanoTime();
    Heard best = null;
    for (Heard h : heard.values()) {
      if (h.network().equals(network) && (stationId == null || h.stationId().equals(stationId))
          && now - h.atNanos() <= freshNanos && (best == null || h.atNanos() > best.atNanos())) {
        best = h;
      }
    }
    return best;
  }

  /** Waits up to {@code timeout} for a current beacon of {@code network}; null when none came. */
  Heard await(String network, String stationId, Duration timeout, long freshNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Heard h = latest(network, stationId, freshNanos);
      if (h != null || System.nanoTime() - deadline >= 0) {
        return h;
      }
      synchronized (this) {
        wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
      }
    }
  }

  private void run() {
    byte[] buffer = new byte[Beacon.MAX_SIZE + 1]; // one more: an oversized packet is seen as such
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (!socket.isClosed()) {
      try {
        packet.setLength(buffer.length);
        socket.receive(packet);
        onPacket(buffer, packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
      } catch (SocketTimeoutException e) {
        // nothing came: report held-back lines below
      } catch (SocketException e) {
        if (!socket.isClosed()) {
          badLog.warn("discovery: receive on UDP port {} failed: {}", port, e.getMessage());
        }
      } catch (IOException | RuntimeException e) {
        badLog.warn("discovery: receive on UDP port {} failed: {}", port, e.toString());
      }
      badLog.flush();
    }
  }

  /** One datagram from {@code from}. Package-private for tests. */
  void onPacket(byte[] data, int length, InetSocketAddress from) {
    Beacon.Decoded d = Beacon.decode(data, length);
    if (!d.ok()) {
      bad.increment();
      badLog.warn("discovery: ignored a packet from {} on UDP port {}: {} ({})", from, port, d.problem(), d.detail());
      return;
    }
    Beacon b = d.beacon();
    if (!networks.containsKey(b.network())) {
      foreignNetwork.increment();
      if (foreignNames.size() < MAX_FOREIGN_NAMES && foreignNames.add(b.network())) {
        log.info("discovery: ignoring beacons of network '{}' (station '{}' at {}): this process looks for {}",
            b.network(), b.stationId(), from.getAddress().getHostAddress(), networks.keySet());
      }
      return;
    }
    beacons.increment();
    String host = b.host().isEmpty() ? from.getAddress().getHostAddress() : b.host();
    String key = b.network() + '\0' + b.stationId();
    if (heard.size() >= MAX_REMEMBERED && !heard.containsKey(key)) {
      heard.values().removeIf(h -> System.nanoTime() - h.atNanos() > TimeUnit.MINUTES.toNanos(1));
      if (heard.size() >= MAX_REMEMBERED) {
        bad.increment();
        badLog.warn("discovery: more than {} stations announce; beacon of '{}' ignored", MAX_REMEMBERED, b.stationId());
        return;
      }
    }
    Heard previous = heard.put(key, new Heard(b.network(), b.stationId(), "tcp://" + host + ":" + b.port(), System.nanoTime()));
    if (previous == null || !previous.address().equals("tcp://" + host + ":" + b.port())) {
      log.info("discovery: station '{}' of network '{}' announces tcp://{}:{}", b.stationId(), b.network(), host, b.port());
      synchronized (this) {
        notifyAll();
      }
    }
  }
}
