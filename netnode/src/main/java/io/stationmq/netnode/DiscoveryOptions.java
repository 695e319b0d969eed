package io.stationmq.netnode;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of LAN discovery (see README, Discovery): the UDP port beacons travel on, where a
 * Station sends them and how often, and how a node walks its candidates. Used by {@link
 * Station.Builder#announce(String, DiscoveryOptions)} and {@link
 * NetNode.Builder#discover(String, String)} (through {@code discovery(DiscoveryOptions)}).
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}. {@link Builder} setters throw
 * {@link IllegalArgumentException} for values out of range.
 */
public final class DiscoveryOptions {
  /** The UDP port beacons go to unless set: 5571. */
  public static final int DEFAULT_PORT = 5571;

  private static final DiscoveryOptions DEFAULTS = builder().build();

  private final int port;
  private final String announceAddress;
  private final Duration interval;
  private final Duration attemptTime;
  private final Duration maxBackoff;
  private final Duration firstBeaconWait;

  private DiscoveryOptions(Builder b) {
    this.port = b.port;
    this.announceAddress = b.announceAddress;
    this.interval = b.interval;
    this.attemptTime = b.attemptTime;
    this.maxBackoff = b.maxBackoff;
    this.firstBeaconWait = b.firstBeaconWait;
  }

  /** Every setting at its default. */
  public static DiscoveryOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The UDP port: a Station sends beacons to it, a discovering node listens on it. Default {@value #DEFAULT_PORT}. */
  public int port() {
    return port;
  }

  /**
   * Where a Station sends its beacons: a broadcast or unicast IPv4 address (listeners join no
   * multicast group, so a multicast address reaches nobody); null (the
   * default) for the broadcast address of each IPv4 interface that is up (loopback excluded).
   */
  public String announceAddress() {
    return announceAddress;
  }

  /** Between two beacons of a Station; default 1 s. A beacon heard within 3 intervals counts as current. */
  public Duration interval() {
    return interval;
  }

  /** How long a node tries one candidate (a beacon's address, a bootstrap address) before the next; default 3 s. */
  public Duration attemptTime() {
    return attemptTime;
  }

  /** The longest wait between two rounds over the candidates once all failed; default 30 s (from 1 s, doubling). */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How long building a node that discovers without a station id waits for the first beacon; default 5 s. */
  public Duration firstBeaconWait() {
    return firstBeaconWait;
  }

  @Override
  public String toString() {
    return "DiscoveryOptions{port=" + port + ", announceAddress=" + announceAddress + ", interval=" + interval
        + ", attemptTime=" + attemptTime + ", maxBackoff=" + maxBackoff + "}";
  }

  /** Builds {@link DiscoveryOptions}. Not thread-safe. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private String announceAddress;
    private Duration interval = Duration.ofSeconds(1);
    private Duration attemptTime = Duration.ofSeconds(3);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration firstBeaconWait = Duration.ofSeconds(5);

    private Builder() {}

    /** 1..65535; 0 only for a node (listen on an ephemeral port, for tests). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("discovery port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** See {@link DiscoveryOptions#announceAddress()}; null for every interface's broadcast address. */
    public Builder announceAddress(String address) {
      this.announceAddress = address;
      return this;
    }

    public Builder interval(Duration interval) {
      this.interval = positive(interval, "interval");
      return this;
    }

    public Builder attemptTime(Duration attemptTime) {
      this.attemptTime = positive(attemptTime, "attemptTime");
      return this;
    }

    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive(maxBackoff, "maxBackoff");
      return this;
    }

    public Builder firstBeaconWait(Duration wait) {
      this.firstBeaconWait = positive(wait, "firstBeaconWait");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    public DiscoveryOptions build() {
      return new DiscoveryOptions(this);
    }
  }
}
