package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An endpoint inside a hardware controller (a rig, a DAQ box, a camera): a DEALER connected
 * to its upstream Station's ROUTER, and optionally a ROUTER of its own that peers connect to
 * directly. Speaks the autopilot {@code Net_Node} wire protocol unchanged.
 *
 * <pre>{@code
 * try (NetNode node = NetNode.builder()
 *         .id("rig_1")
 *         .upstream("127.0.0.1", 5560, "T")
 *         .listen("START", msg -> startTrial(msg.value(Trial.class)))
 *         .build()) {
 *   node.sendConfirmed("T", "DATA", Map.of("trial", 3)).join();
 * }
 * }</pre>
 *
 * <p>Listens receive the whole {@link Message}, on worker threads (see {@link Listen}).
 * Messages for keys without a listen go to the fallback listen, or are logged and counted;
 * they are confirmed either way, as the Python toolkit does. Confirmed messages are
 * de-duplicated: a listen sees each one once even when its confirmation was lost and it was
 * sent again (within the limits of {@link EndpointOptions#dedupWindow()} and {@link
 * EndpointOptions#dedupCapacity()}; see {@link EndpointOptions}).
 *
 * <p>Thread-safe. Owns threads and sockets until {@link #close()}. Building fails with
 * {@link IllegalStateException} when the router port cannot be bound.
 */
public final class NetNode extends EndpointBase {
  private final String upstreamId;
  private final List<SampleStream> streams = new ArrayList<>();
  private final UpstreamFinder finder; // discovery: null with a fixed upstream address

  private NetNode(Engine engine, String upstreamId, StateService state, UpstreamFinder finder) {
    super(engine, state);
    this.upstreamId = upstreamId;
    this.finder = finder;
  }

  /** A builder; {@code id} and an upstream or a router port are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The id of the upstream this node connects to, or null without one. */
  public String upstreamId() {
    return upstreamId;
  }

  /**
   * Where this node stands with its upstream now (see {@link UpstreamState}).
   *
   * @throws IllegalStateException when the node has no upstream
   */
  public UpstreamState upstreamState() {
    return watch().state();
  }

  /**
   * Waits until the upstream answers: it answered this node's HELLO ({@link
   * UpstreamState#CONNECTED}), or it answers but speaks no HELLO, as a Python station ({@link
   * UpstreamState#LEGACY}, known after {@link EndpointOptions#helloTimeout()}). Messages may be
   * sent before; this tells whether anything is there to take them.
   *
   * @return true once it answers; false when {@code timeout} passed first (nothing answers at
   *     the address, or not yet) or the node was closed
   * @throws UpstreamRefusedException when the upstream refused this node (its id is in use,
   *     another protocol version) or the Station at the address has another id (named by
   *     {@link UpstreamRefusedException#actualId()})
   * @throws IllegalStateException when the node has no upstream
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    return watch().await(timeout);
  }

  private UpstreamWatch watch() {
    UpstreamWatch w = engine.upstreamWatch();
    if (w == null) {
      throw new IllegalStateException(id() + " has no upstream");
    }
    return w;
  }

  /**
   * How far this node's wall clock ({@link EndpointOptions#wallClock()}) is from its upstream
   * Station's: the node's clock minus the Station's, within {@link ClockOffset#uncertainty()},
   * estimated from {@code TIME} exchanges (a burst when the upstream answers HELLO, then one
   * every {@link EndpointOptions#clockSyncInterval()}). The node reports it in its heartbeats,
   * so the Station's {@link DirectoryEntry#clockOffset()} carries it too. {@link
   * ClockOffset#unknown()} until the first exchange, and always with a Python upstream (it is
   * never asked) or without an upstream. Cheap; any thread.
   */
  public ClockOffset clockOffset() {
    return engine.clockOffset();
  }

  /** The port of this node's own ROUTER (useful when built with port 0), or -1 without one. */
  public int routerPort() {
    return engine.routerPort();
  }

  /**
   * Opens a stream of samples under {@code key}, sent to the upstream (or {@link
   * StreamOptions#to()}) in {@code STREAM} batches; see {@link SampleStream}. The stream's
   * batches are sent as {@code "{id}_{n}"} from {@code "{node id}_{id}"}, as the Python
   * toolkit does.
   *
   * @throws IllegalArgumentException when {@code id} or {@code key} is empty, or a stream with
   *     this id is open
   * @throws IllegalStateException when the node is closed, or has no upstream and no {@code to}
   */
  public SampleStream getStream(String id, String key, StreamOptions options) {
    if (id == null || id.isEmpty() || key == null || key.isEmpty()) {
      throw new IllegalArgumentException("stream id and key must be non-empty");
    }
    String to = options.to() != null ? options.to() : upstreamId;
    if (to == null) {
      throw new IllegalStateException(id() + " has no upstream: give the stream a recipient with StreamOptions.to");
    }
    synchronized (streams) {
      if (engine.isClosed()) {
        throw new IllegalStateException(id() + " is closed");
      }
      if (streams.stream().anyMatch(open -> open.id().equals(id))) {
        throw new IllegalArgumentException("a stream '" + id + "' is already open on " + id()
            + ": its batch numbers would collide");
      }
      SampleStream[] created = new SampleStream[1];
      created[0] = new SampleStream(engine, id(), id, key, to, options, () -> {
        synchronized (streams) {
          streams.remove(created[0]);
        }
      });
      streams.add(created[0]);
      return created[0];
    }
  }

  /** Opens a stream with {@link StreamOptions#defaults()}. */
  public SampleStream getStream(String id, String key) {
    return getStream(id, key, StreamOptions.defaults());
  }

  /** Closes the node's streams (sending what they hold), then the node; see {@link Endpoint#close()}. */
  @Override
  public void close() {
    List<SampleStream> open;
    synchronized (streams) {
      open = new ArrayList<>(streams);
      streams.clear();
    }
    open.forEach(SampleStream::close);
    engine.close();
    if (engine.upstreamWatch() != null) {
      engine.upstreamWatch().close();
    }
    if (finder != null) {
      finder.close();
    }
  }

  /** The node's upstream search, or null with a fixed upstream address (tests). */
  UpstreamFinder finder() {
    return finder;
  }

  @Override
  public String toString() {
    return "NetNode{" + id() + (upstreamId == null ? "" : " -> " + upstreamId) + "}";
  }

  /** Builds a {@link NetNode}. Not thread-safe. */
  public static final class Builder extends EndpointBuilder<Builder> {
    private int routerPort = -1;
    private String routerAddress = "*";

    private Builder() {}

    /** Binds a ROUTER on {@code port} (0: an ephemeral port, see {@link NetNode#routerPort()}). */
    public Builder routerPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("router port must be 0..65535, got " + port);
      }
      this.routerPort = port;
      return this;
    }

    /** The address the ROUTER binds to; default all interfaces ({@code *}). */
    public Builder routerAddress(String address) {
      this.routerAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Starts the node.
     *
     * @throws IllegalArgumentException when the id is missing or neither an upstream nor a
     *     router port is given
     * @throws IllegalStateException when the router port cannot be bound
     */
    public NetNode build() {
      String bind = routerPort < 0 ? null : "tcp://" + routerAddress + ":" + (routerPort == 0 ? "*" : routerPort);
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException("id is required");
      }
      UpstreamFinder finder = openFinder();
      try {
        TopicBroker topics = new TopicBroker(id, false, upstreamId);
        StateService state = stateService(false);
        EngineConfig config = new EngineConfig(id, false, bind,
            finder == null ? upstreamEndpoint : finder.search().describe(), upstreamId,
            topics.withListens(state.withListens(listens)), fallback,
            topics.withEvents(state.withUpstreamHook(effectiveOptions())), "stationmq-node-" + id, null,
            finder == null ? null : finder.search());
        NetNode node = new NetNode(new Engine(config), upstreamId, state, finder);
        node.attachTopics(topics);
        return node;
      } catch (RuntimeException e) {
        if (finder != null) {
          finder.close();
        }
        throw e;
      }
    }
  }
}
