package io.stationmq.netnode;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A hub: a ROUTER that NetNodes and child Stations connect to, and optionally a DEALER
 * ("pusher") connected to a parent Station, so that Stations form trees (a lab's central
 * agent, rig agents under it, controllers under those). Speaks the autopilot {@code Station}
 * wire protocol unchanged.
 *
 * <pre>{@code
 * try (Station terminal = Station.builder().id("T").port(5560)
 *         .listen("DATA", msg -> store(msg))
 *         .admins(Set.of("operator"))
 *         .build()) {
 *   terminal.sendConfirmed("rig_1", "START", Map.of("task", "free_water")).join();
 *   terminal.awaitClosed();   // until close() or a KILL message from "operator"
 * }
 * }</pre>
 *
 * <p>Routing (PROTOCOL.md section 4): pings are echoed; messages for someone else are
 * forwarded <em>without decoding the body</em> (the bytes that arrive are the bytes that
 * leave), to a directly connected peer, along a route learned from earlier traffic, or
 * upstream; multihop messages go to their next hop. Messages for the Station ({@code id} or
 * {@code _id}) are dispatched to its listens with the whole message and confirmed through
 * the socket they came in on.
 *
 * <p>Beyond the Python Station: it remembers which neighbour each forwarded sender came
 * through (bounded), so confirmations of multihop and cross-tree messages find their way
 * back; and a message it cannot pass on is never dropped silently: it is logged, counted
 * ({@link EndpointStats#unreachable()}), and the original sender is told with an {@code
 * SMQ_UNREACHABLE} message, which fails the sender's future with an {@link
 * io.stationmq.netnode.UnreachableException} naming the recipient and this Station.
 *
 * <p>Built-in keys: {@code CONFIRM}, {@code STREAM} (one listen call per sample, headers
 * merged into object samples) and {@code KILL} (closes the Station).
 *
 * <p>Admin role: {@code KILL} is the one built-in key that changes the network, and it is
 * honoured only from an admin ({@link Builder#admins}) connected to this Station directly, or
 * from its upstream Station (the parent its pusher connects to). A Station without admins or
 * upstream cannot be stopped over the network at all. Anything else claiming it is refused:
 * counted ({@link EndpointStats#refused()}), logged (rate limited), and, when confirmed,
 * answered with an {@code SMQ_UNREACHABLE} notice whose reason starts with "refused" (so the
 * sender's future fails with an {@link io.stationmq.netnode.UnreachableException}), then
 * confirmed (so a Python sender stops repeating). The Station keeps serving everyone else. A
 * {@code STREAM} batch whose inner key is a built-in key is dropped, counted as refused.
 * Authority comes from the connection the message arrived on and the body's sender must agree
 * with it; without CURVE anyone who can reach the port can claim any id, an admin's included.
 * See {@link AdminGate} for the exact rule and its limits.
 *
 * <p>Thread-safe. Owns threads and sockets until {@link #close()}. Building fails with
 * {@link IllegalStateException} when the port cannot be bound.
 */
public final class Station extends EndpointBase {
  private final String bindAddress;
  private final String upstreamId;
  private final AdminGate gate;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final UpstreamFinder finder; // discovery of the parent: null with a fixed address
  private final BeaconSender announcer; // null unless announcing

  private Station(Builder b, AdminGate gate, AtomicReference<Station> self, TopicBroker topics, StateService state,
      UpstreamFinder finder) {
    super(new Engine(config(b, gate, self, topics, state, finder)), state);
    attachTopics(topics);
    this.bindAddress = b.bindAddress;
    this.upstreamId = b.upstreamId;
    this.gate = gate;
    this.finder = finder;
    self.set(this);
    BeaconSender sender = null;
    if (b.announceNetwork != null) {
      try {
        String host = bindAddress.equals("*") || bindAddress.equals("0.0.0.0") ? "" : bindAddress;
        sender = new BeaconSender(new Beacon(b.announceNetwork, id(), host, port()), b.announceOptions);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }
    this.announcer = sender;
  }

  private static EngineConfig config(Builder b, AdminGate gate, AtomicReference<Station> self, TopicBroker topics,
      StateService state, UpstreamFinder finder) {
    Map<String, Listen> listens = new LinkedHashMap<>();
    listens.put(Keys.KILL, message -> {
      while (self.get() == null) { // a KILL in the microseconds before the constructor returned
        Thread.onSpinWait();
      }
      self.get().close();
    });
    listens.putAll(b.listens);
    String bind = "tcp://" + b.bindAddress + ":" + (b.port == 0 ? "*" : b.port);
    return new EngineConfig(b.id, true, bind, finder == null ? b.upstreamEndpoint : finder.search().describe(),
        b.upstreamId, topics.withListens(state.withListens(listens)), b.fallback,
        topics.withEvents(state.withUpstreamHook(b.effectiveOptions())), "stationmq-station-" + b.id, gate,
        finder == null ? null : finder.search());
  }

  /** A builder; {@code id} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The port the ROUTER listens on (the real one when built with port 0). */
  public int port() {
    return engine.routerPort();
  }

  /** The address to give NetNodes: {@code tcp://HOST:PORT} (loopback when bound to all interfaces). */
  public String endpoint() {
    String host = bindAddress.equals("*") || bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress;
    return "tcp://" + host + ":" + port();
  }

  /** The id of the parent Station, or null without one. */
  public String upstreamId() {
    return upstreamId;
  }

  /**
   * A time read on the clock of {@code peerId} (a NetNode or child Station connected to this
   * Station, for example a stream batch's timestamp), converted to this Station's clock with
   * the clock offset the peer last reported (see {@link DirectoryEntry#clockOffset()}): within
   * that offset's uncertainty of the truth. Empty when the peer is not in the directory or has
   * no estimate yet (a Python peer never has one). Each call takes a directory snapshot: to
   * convert many samples, take the entry's {@link DirectoryEntry#clockOffset()} once and use
   * {@link ClockOffset#toReference(Instant)}.
   */
  public Optional<Instant> toLocalTime(String peerId, Instant peerTime) {
    Objects.requireNonNull(peerTime, "peerTime");
    return directory().stream().filter(e -> e.id().equals(peerId) && e.clockOffset().isKnown()).findFirst()
        .map(e -> e.clockOffset().toReference(peerTime));
  }

  /**
   * This Station's clock minus its parent's, as {@link NetNode#clockOffset()}; unknown without an
   * upstream, or with a Python one.
   */
  public ClockOffset clockOffset() {
    return engine.clockOffset();
  }

  /** The ids allowed to send admin-only keys such as {@code KILL} (see {@link Builder#admins}). */
  public Set<String> admins() {
    return gate.admins();
  }

  /**
   * Sends upstream through the pusher, confirmed (the Python {@code Station.push}).
   *
   * @throws IllegalStateException without an upstream
   */
  public CompletableFuture<DeliveryReceipt> push(String to, String key, Object value) {
    return engine.sendConfirmed(message(to, key, value).build(), Route.UPSTREAM);
  }

  /**
   * Sends {@code value} under {@code key} to every endpoint below this Station: a plain confirmed
   * message to each node (a Python node's listen for {@code key} gets it too), and to each child
   * Station an {@code SMQ_BROADCAST} that it passes on to its own subtree. The Station itself and
   * peers its directory declares DEAD get nothing. Failures are counted in {@link
   * TopicStats#failed()}.
   *
   * @return how many peers of this Station it was sent to
   */
  public int broadcast(String key, Object value) {
    return broker().broadcast(key, value);
  }

  /** Waits until the Station is closed (by {@link #close()} or an admin's or the upstream's {@code KILL}). */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Waits up to {@code timeout} for the Station to close; true if it did. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (announcer != null) {
      announcer.close(); // first: nobody should find a Station that is going away
    }
    engine.close();
    if (finder != null) {
      finder.close();
    }
    closed.countDown();
  }

  /** The network this Station announces itself on, or null when it does not. */
  public String announcedNetwork() {
    return announcer == null ? null : announcer.network();
  }

  @Override
  public String toString() {
    return "Station{" + id() + " on " + endpoint() + (upstreamId == null ? "" : " -> " + upstreamId) + "}";
  }

  /** Builds a {@link Station}. Not thread-safe. */
  public static final class Builder extends EndpointBuilder<Builder> {
    private int port = 0;
    private String bindAddress = "*";
    private final Set<String> admins = new LinkedHashSet<>();
    private String announceNetwork;
    private DiscoveryOptions announceOptions = DiscoveryOptions.defaults();

    private Builder() {}

    /** The port to listen on; 0 (the default) picks a free one, see {@link Station#port()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** The address to bind; default all interfaces ({@code *}); tests use {@code 127.0.0.1}. */
    public Builder bindAddress(String address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Adds ids allowed to send admin-only keys such as {@code KILL}: an admin must connect to
     * this Station directly (a NetNode whose upstream it is) and send as itself. Without CURVE
     * an id is a claim, not a proof: anyone who can reach the port can connect as an admin.
     */
    public Builder admins(Collection<String> ids) {
      for (String admin : ids) {
        if (admin == null || admin.isEmpty()) {
          throw new IllegalArgumentException("admin ids must be non-empty");
        }
        admins.add(admin);
      }
      return this;
    }

    /**
     * Announces this Station on the LAN: a UDP beacon (network name, id, port) every second to
     * the broadcast address of each IPv4 interface, on {@link DiscoveryOptions#DEFAULT_PORT},
     * so nodes that {@code discover(networkName)} find it. Two labs on one LAN use two names.
     */
    public Builder announce(String networkName) {
      return announce(networkName, DiscoveryOptions.defaults());
    }

    /** As {@link #announce(String)} with other port, address or interval. */
    public Builder announce(String networkName, DiscoveryOptions options) {
      this.announceNetwork = Beacon.checkNetwork(networkName);
      this.announceOptions = Objects.requireNonNull(options, "options");
      if (options.port() == 0) {
        throw new IllegalArgumentException("a Station announces to a fixed UDP port, not 0");
      }
      return this;
    }

    /**
     * Starts the Station.
     *
     * @throws IllegalArgumentException when the id is missing
     * @throws IllegalStateException when the port cannot be bound, or (announcing) no UDP socket
     *     can be opened, or (discovering its parent without its id) no beacon came in time
     */
    public Station build() {
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException("id is required");
      }
      UpstreamFinder finder = openFinder();
      try {
        return new Station(this, new AdminGate(id, upstreamId, admins, Set.of(Keys.KILL)), new AtomicReference<>(),
            new TopicBroker(id, true, upstreamId), stateService(true), finder);
      } catch (RuntimeException e) {
        if (finder != null) {
          finder.close();
        }
        throw e;
      }
    }
  }
}
