package io.stationmq.netnode;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Station's announcements: sends its {@link Beacon} every {@link DiscoveryOptions#interval()}
 * to {@link DiscoveryOptions#announceAddress()}, or to the broadcast address of each IPv4
 * interface that is up (looked up again each time, so an interface that comes up later is
 * served). One thread, {@code stationmq-beacon-STATIONID}, until {@link #close()}.
 *
 * <p>Thread-safe. Failure modes: the constructor throws {@link IllegalStateException} when no
 * UDP socket can be opened or the announce address does not resolve; a failed send is counted
 * ({@link #failures}) and logged at a limited rate, and the next round tries again. Not public
 * API.
 */
final class BeaconSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BeaconSender.class);

  private final byte[] payload;
  private final String network;
  private final int port;
  private final InetAddress fixedTarget; // null: every interface's broadcast address
  private final long intervalNanos;
  private final DatagramSocket socket;
  private final Thread thread;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final RateLimitedLog warnings = new RateLimitedLog(log, 3, TimeUnit.MINUTES.toNanos(1));
  final LongAdder sent = new LongAdder();
  final LongAdder failures = new LongAdder();

  BeaconSender(Beacon beacon, DiscoveryOptions options) {
    this.payload = beacon.encode();
    this.network = beacon.network();
    this.port = options.port();
    if (port == 0) {
      throw new IllegalArgumentException("a Station announces to a fixed UDP port, not 0");
    }
    this.intervalNanos = options.interval().toNanos();
    try {
      this.fixedTarget = options.announceAddress() == null ? null : InetAddress.getByName(options.announceAddress());
      this.socket = new DatagramSocket();
      socket.setBroadcast(true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot announce '" + beacon.stationId() + "' on network '" + beacon.network()
          + "': " + e.getMessage(), e);
    }
    this.thread = new Thread(this::run, "stationmq-beacon-" + beacon.stationId());
    thread.setDaemon(true);
    thread.start();
    log.info("announcing station '{}' on network '{}' (port {}) to UDP {}:{} every {} ms", beacon.stationId(),
        beacon.network(), beacon.port(), fixedTarget == null ? "each interface's broadcast address" : fixedTarget,
        port, options.interval().toMillis());
  }

  private void run() {
    try {
      do {
        for (InetAddress target : targets()) {
          try {
            socket.send(new DatagramPacket(payload, payload.length, target, port));
            sent.increment();
          } catch (IOException e) {
            if (socket.isClosed()) {
              return;
            }
            failures.increment();
            warnings.warn("discovery: beacon to {}:{} not sent: {}", target.getHostAddress(), port, e.getMessage());
          }
        }
        warnings.flush();
      } while (!closed.await(intervalNanos, TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String network() {
    return network;
  }

  /** Where this round's beacons go. */
  List<InetAddress> targets() {
    if (fixedTarget != null) {
      return List.of(fixedTarget);
    }
    List<InetAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp() || ni.isLoopback()) {
          continue;
        }
        for (InterfaceAddress a : ni.getInterfaceAddresses()) {
          if (a.getAddress() instanceof Inet4Address && a.getBroadcast() != null && !out.contains(a.getBroadcast())) {
            out.add(a.getBroadcast());
          }
        }
      }
    } catch (SocketException e) {
      failures.increment();
      warnings.warn("discovery: cannot list network interfaces: {}", e.getMessage());
    }
    if (out.isEmpty()) {
      warnings.warn("discovery: no IPv4 interface with a broadcast address is up; no beacon sent");
    }
    return out;
  }

  /** Stops announcing; idempotent. */
  @Override
  public void close() {
    closed.countDown();
    socket.close();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
