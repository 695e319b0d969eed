package io.stationmq.bridge;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * A {@link SensorBridge} reading UDP datagrams, IPv4 or IPv6: one datagram is one input. It
 * binds {@link Builder#bindAddress} and {@link Builder#port} (0: an ephemeral port, read back
 * with {@link #port()}); each sample carries the sender's address as {@code "from"}.
 *
 * <p>A datagram longer than {@link Builder#maxDatagramSize} is counted as malformed (not
 * truncated). UDP itself may lose datagrams before the bridge reads them (when the socket's
 * receive buffer, {@link Builder#receiveBufferSize}, overflows); those never reach the bridge's
 * counters, but on Linux the system counts them: {@link #systemDrops()}. Thread-safety and
 * failures as {@link Bridge}. Build and start with {@link Builder#start()}.
 */
public final class UdpBridge extends SensorBridge {
  private final InetSocketAddress bind;
  private final int maxDatagramSize;
  private final int receiveBufferSize;
  private volatile DatagramSocket socket;
  private String source;

  private UdpBridge(Builder b, InetAddress address) {
    super(b);
    this.bind = new InetSocketAddress(address, b.port);
    this.maxDatagramSize = b.maxDatagramSize;
    this.receiveBufferSize = b.receiveBufferSize;
  }

  /** A builder; {@code node} and {@code options} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The bound port (the ephemeral one when built with port 0). */
  public int port() {
    return localAddress().getPort();
  }

  /** The bound address and port. */
  public InetSocketAddress localAddress() {
    DatagramSocket s = socket;
    if (s == null) {
      throw new IllegalStateException("bridge " + name() + " is not bound");
    }
    return (InetSocketAddress) s.getLocalSocketAddress();
  }

  /**
   * The datagrams the system dropped for this bridge's socket because its receive buffer was
   * full (Linux: the {@code drops} column of {@code /proc/net/udp} and {@code udp6} for the
   * bound port); empty where that is not available. These never reached the bridge, so they are
   * in none of its {@link #stats()}.
   */
  public OptionalLong systemDrops() {
    String port = String.format(":%04X ", port());
    long drops = -1;
    for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException | RuntimeException e) {
        continue;
      }
      for (String line : lines) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 13 && (f[1] + " ").endsWith(port) && f[2].endsWith(":0000")) {
          try {
            drops = Math.max(drops, 0) + Long.parseLong(f[12]);
          } catch (NumberFormatException e) {
            return OptionalLong.empty();
          }
        }
      }
    }
    return drops < 0 ? OptionalLong.empty() : OptionalLong.of(drops);
  }

  @Override
  protected void initialize() throws IOException {
    DatagramSocket s = new DatagramSocket(null);
    try {
      s.setReceiveBufferSize(receiveBufferSize);
      s.setSoTimeout(500);
      s.bind(bind);
    } catch (IOException e) {
      s.close();
      throw new IOException("cannot bind UDP " + bind + ": " + e.getMessage(), e);
    }
    socket = s;
  }

  @Override
  protected void serve() throws IOException {
    DatagramSocket s = socket;
    byte[] buffer = new byte[maxDatagramSize + 1];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (!isStopping()) {
      packet.setLength(buffer.length);
      try {
        s.receive(packet);
      } catch (SocketTimeoutException e) {
        idle();
        continue;
      } catch (SocketException e) {
        if (isStopping()) {
          return;
        }
        throw e;
      }
      Instant captured = Instant.now();
      source = packet.getAddress().getHostAddress() + ":" + packet.getPort();
      if (packet.getLength() > maxDatagramSize) {
        reportMalformed("datagram from " + source + " longer than maxDatagramSize " + maxDatagramSize);
        continue;
      }
      handle(Arrays.copyOf(buffer, packet.getLength()), captured);
    }
  }

  @Override
  protected String source() {
    return source;
  }

  @Override
  protected void interrupt() {
    DatagramSocket s = socket;
    if (s != null) {
      s.close();
    }
  }

  @Override
  protected void release() {
    interrupt();
  }

  @Override
  public String toString() {
    DatagramSocket s = socket;
    return "UdpBridge{" + name() + " on " + (s != null ? s.getLocalSocketAddress() : bind) + ", " + options() + "}";
  }

  /** Builds a {@link UdpBridge}. Not thread-safe. */
  public static final class Builder extends SensorBridge.Builder<Builder> {
    private String bindAddress = "0.0.0.0";
    private int port;
    private int maxDatagramSize = 65_507;
    private int receiveBufferSize = 4 << 20;

    private Builder() {
      super("udp");
    }

    /** The address to bind: {@code 0.0.0.0} (default) or {@code ::} for all, or one address such as {@code ::1}. */
    public Builder bindAddress(String bindAddress) {
      this.bindAddress = bindAddress;
      return this;
    }

    /** The port, 0..65535 (default 0: an ephemeral port, see {@link UdpBridge#port()}). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The longest datagram accepted, 1..65,507 bytes (default 65,507); longer ones are malformed. */
    public Builder maxDatagramSize(int bytes) {
      this.maxDatagramSize = bytes;
      return this;
    }

    /** The socket's receive buffer asked of the system (default 4 MiB; the system may grant less). */
    public Builder receiveBufferSize(int bytes) {
      this.receiveBufferSize = bytes;
      return this;
    }

    /**
     * Builds the bridge, binds its socket and starts serving.
     *
     * @throws IllegalArgumentException for a bad setting
     * @throws IOException when the address cannot be resolved or bound (then the node is
     *     closed if the bridge was to own it)
     */
    public UdpBridge start() throws IOException {
      check();
      if (bindAddress == null || bindAddress.isEmpty()) {
        throw new IllegalArgumentException("bindAddress must be non-empty");
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      if (maxDatagramSize < 1 || maxDatagramSize > 65_507) {
        throw new IllegalArgumentException("maxDatagramSize must be 1..65507, got " + maxDatagramSize);
      }
      if (receiveBufferSize < 1) {
        throw new IllegalArgumentException("receiveBufferSize must be positive, got " + receiveBufferSize);
      }
      InetAddress address;
      try {
        address = InetAddress.getByName(bindAddress);
      } catch (UnknownHostException e) {
        if (closeNode) {
          node.close();
        }
        throw new IOException("cannot resolve bindAddress " + bindAddress, e);
      }
      UdpBridge bridge = new UdpBridge(this, address);
      bridge.start();
      return bridge;
    }
  }
}
