package io.stationmq.netnode.internal;

import io.stationmq.message.Envelope;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageIds;
import io.stationmq.message.Timestamps;
import io.stationmq.netnode.BatchListen;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.EndpointClosedException;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.Listen;
import io.stationmq.netnode.OutboxFullException;
import io.stationmq.netnode.Responder;
import io.stationmq.netnode.ReceivedStream;
import io.stationmq.netnode.Route;
import io.stationmq.netnode.SendResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.ZError;
import zmq.io.Metadata;

/**
 * The endpoint engine that NetNode and Station are faces of (see DESIGN.md, "One engine,
 * two faces"). It owns up to two sockets: a ROUTER bound for peers (a Station's listener, a
 * NetNode's optional router port) and a DEALER connected upstream (a NetNode's upstream, a
 * Station's pusher).
 *
 * <p>Threads: one socket thread ({@code <prefix>-io}) owns the sockets, reads envelopes,
 * forwards without decoding, decodes what is for this endpoint, sends confirmations, and runs
 * the repeat timers; it never runs user code. Workers ({@code <prefix>-worker-N}) run listens;
 * one callback thread ({@code <prefix>-callbacks}) completes futures and calls the {@link
 * io.stationmq.netnode.EndpointListener}. Callers hand messages to the socket thread through a
 * queue and a wake-up pipe; they encode bodies on their own thread.
 *
 * <p>Thread-safe. Not public API.
 */
public final class Engine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final int READ_BUDGET = 512;
  private static final long MAX_POLL_MILLIS = 100;
  /** Writes that may wait for one full peer before more for it are dropped (see PeerWriter). */
  private static final int MAX_WAITING_PER_PEER = 10_000;
  private static final long MAX_WAITING_BYTES_PER_PEER = 16L << 20;
  private static final long CLOSE_TIMEOUT_MILLIS = 5_000;
  private static final Object CLOSE = new Object();

  private final EngineConfig config;
  private final String id;
  private final EndpointOptions options;
  private final Counters counters = new Counters();
  private final Notifier notifier;
  private final Dispatcher dispatcher;
  private final MessageIds ids;
  private final RateLimitedLog warnings;
  private final CommandQueue commands = new CommandQueue();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final Thread socketThread;
  private final CompletableFuture<Integer> started = new CompletableFuture<>();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final CountDownLatch intakeStopped = new CountDownLatch(1);
  private final Requests requests;
  private volatile boolean closing;
  private volatile boolean terminated;
  private volatile boolean finishCloseOnSocketThread;
  private final long startedNanos;

  // Owned by the socket thread.
  private ZContext context;
  private boolean sharedContext;
  private CurveGuard curve; // CURVE hook: null without EndpointOptions.security()
  private ZMQ.Socket router;
  private ZMQ.Socket dealer;
  private ZMQ.Poller poller;
  private ZMQ.Poller wakeOnlyPoller;
  private int routerIndex = -1;
  private int dealerIndex = -1;
  private String routerPeerAddress;
  private final Delivery delivery;
  private final Intake intake;
  private final Routes routes;
  private final PeerWriter writer;
  private final Liveness liveness;
  private volatile boolean upstreamRefused;

  /**
   * Starts the engine: binds and connects its sockets on the socket thread and waits for them.
   *
   * @throws IllegalStateException when a socket cannot be bound or connected
   */
  public Engine(EngineConfig config) {
    this.config = config;
    this.id = config.id();
    this.options = config.options();
    this.ids = new MessageIds(id);
    this.warnings = new RateLimitedLog(log, 20, TimeUnit.SECONDS.toNanos(10));
    this.notifier = new Notifier(config.threadPrefix() + "-callbacks", options.listener());
    this.dispatcher = new Dispatcher(config, counters, notifier, warnings, this::wakeUp, this::handled);
    this.requests = new Requests(id, new RequestsWire(), notifier, counters, warnings, options.ticker(),
        options.dedupWindow(), options.dedupCapacity() != 0);
    dispatcher.on(Keys.REQUEST, requests::answer);
    MessageIds livenessIds = new MessageIds(id + "_live"); // apart: user ids stay {id}_0, _1, ...
    this.liveness = new Liveness(config, notifier, livenessIds::next, new LivenessWire(), dispatcher::keys,
        counters.handovers);
    requests.provide("PING", request -> Map.of("id", id, "time", Timestamps.format(Timestamps.now())));
    requests.provide("INFO", request -> info());
    if (config.forwarding()) {
      requests.provide("DIRECTORY", request -> directory().stream().map(Engine::directoryJson).toList());
    }
    this.routes = new Routes(config.upstreamConnect() == null ? null : config.upstreamId(), config.routerBind() != null,
        config.forwarding(), new RoutesWire());
    this.startedNanos = options.ticker().read();
    this.writer = new PeerWriter(id, (upstream, frames) -> sendNow(upstream ? dealer : router, frames),
        options.sendTimeout().toNanos(), MAX_WAITING_PER_PEER, MAX_WAITING_BYTES_PER_PEER, counters, warnings);
    Outbox outbox = new Outbox(options.firstRepeat().toNanos(), options.repeatBackoff(),
        options.maxRepeatInterval().toNanos(), options.maxDeliveryTime().toNanos());
    this.delivery = new Delivery(id, new DeliveryWire(), outbox, counters, notifier, warnings, options.ticker()::read,
        options.maxInFlight());
    this.intake = new Intake(config, counters, warnings, notifier, ids, routes, liveness, delivery, requests, dispatcher,
        options.ticker()::read, new IntakeWire());
    this.socketThread = new Thread(this::runSocketThread, config.threadPrefix() + "-io");
    socketThread.setDaemon(true);
    socketThread.start();
    try {
      started.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      closeQuietly();
      throw new IllegalStateException(id + ": cannot start: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException | InterruptedException e) {
      closeQuietly();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(id + ": sockets did not start within 30 s", e);
    }
    dispatcher.start();
  }

  /** This endpoint's id. */
  public String id() {
    return id;
  }

  /** The port the ROUTER is bound to, or -1 without a ROUTER. */
  public int routerPort() {
    return started.join();
  }

  /** True when the engine has an upstream DEALER. */
  public boolean hasUpstream() {
    return config.upstreamConnect() != null;
  }

  /** See {@link io.stationmq.netnode.Endpoint#on}. */
  public void on(String key, Listen listen) {
    dispatcher.on(key, listen);
  }

  /** See {@link io.stationmq.netnode.Endpoint#onBatch}. */
  public void onBatch(String key, BatchListen listen) {
    dispatcher.onBatch(key, listen);
  }

  /** See {@link io.stationmq.netnode.Endpoint#receivedStreams}. */
  public List<ReceivedStream> receivedStreams() {
    return dispatcher.receivedStreams();
  }

  /** See {@link io.stationmq.netnode.Endpoint#off}. */
  public void off(String key) {
    dispatcher.off(key);
  }

  /** A builder for a message from this endpoint with a fresh id. */
  public Message.Builder message(String to, String key, Object value) {
    return Message.builder().id(ids.next()).sender(id).to(to).key(key).value(value);
  }

  /** A builder for a request message: key {@code REQUEST}, extra field {@code request} = name. */
  public Message.Builder requestMessage(String to, String name, Object args) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("request name must be non-empty");
    }
    return message(to, Keys.REQUEST, args).extra("request", name);
  }

  /** See {@link io.stationmq.netnode.Endpoint#request(Message, Duration)}. */
  public CompletableFuture<Message> request(Message request, Duration timeout) {
    return requests.request(request, timeout);
  }

  /** See {@link io.stationmq.netnode.Endpoint#provide}. */
  public void provide(String name, Responder responder) {
    requests.provide(name, responder);
  }

  /** A directory entry as JSON: times as ISO-8601 instants, so Python peers can read it too. */
  private static Map<String, Object> directoryJson(DirectoryEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("role", e.role());
    m.put("instance", e.instance());
    m.put("software", e.software());
    m.put("protocol", e.protocol());
    m.put("listens", e.listens());
    m.put("meta", e.meta());
    m.put("connected_since", e.connectedSince().toString());
    m.put("last_seen", e.lastSeen().toString());
    m.put("rtt_us", e.rttMicros());
    m.put("status", e.status().name());
    m.put("messages", e.messages());
    m.put("address", e.address());
    return m;
  }

  private Map<String, Object> info() {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("id", id);
    info.put("role", config.forwarding() ? "station" : "node");
    info.put("software", "stationmq 0.1.0");
    info.put("upstream", config.upstreamId());
    info.put("listens", List.copyOf(dispatcher.keys()));
    info.put("stats", stats());
    return info;
  }

  /** The upstream's state for other threads; null without an upstream. */
  public UpstreamWatch upstreamWatch() {
    return liveness.upstreamWatch();
  }

  /** The endpoints that connect to this one, with their liveness; any thread. */
  public List<DirectoryEntry> directory() {
    return liveness.directory();
  }

  /** See {@link io.stationmq.netnode.Endpoint#stats()}. */
  public EndpointStats stats() {
    return counters.snapshot();
  }

  /** True once close was requested. */
  public boolean isClosed() {
    return closeRequested.get();
  }

  /** Sends without confirmation; adds {@link Flags#NOREPEAT}. Says what became of it (see {@link SendResult}). */
  public SendResult send(Message message, Route route) {
    checkRoute(message, route);
    Message m = message.hasFlag(Flags.NOREPEAT) ? message : message.newBuilder().flag(Flags.NOREPEAT).build();
    return sendEncoded(m, MessageCodec.encode(Delivery.wireForm(m)), route);
  }

  /**
   * Queues an unconfirmed message already encoded. When the queue is full, waits for room up
   * to {@link EndpointOptions#sendQueueFullWait()}, then drops it, counted.
   */
  private SendResult sendEncoded(Message m, byte[] body, Route route) {
    boolean room = hasSendCapacity();
    if (!room && !closing && !options.sendQueueFullWait().isZero()) {
      // Room seen once is room taken: the capacity is approximate, and a second look could
      // catch a message between the queue and a full peer's backlog and drop it wrongly.
      room = SendQueueWait.await(this::hasSendCapacity, () -> closing, options.sendQueueFullWait());
    }
    if (closing) {
      warnings.warn("{}: closed; message {} to '{}' not sent", id, m.id(), m.to());
      return SendResult.CLOSED;
    }
    if (!room) {
      counters.dropped.increment();
      warnings.warn("{}: {} messages already wait for the socket thread; message {} to '{}' dropped",
          id, options.sendQueueCapacity(), m.id(), m.to());
      return SendResult.DROPPED_QUEUE_FULL;
    }
    enqueue(new Outgoing(m, body, route, null));
    return SendResult.QUEUED;
  }

  /** Sends with confirmation; see {@link io.stationmq.netnode.Endpoint#sendConfirmed}. */
  public CompletableFuture<DeliveryReceipt> sendConfirmed(Message message, Route route) {
    checkRoute(message, route);
    if (message.hasFlag(Flags.NOREPEAT)) {
      throw new IllegalArgumentException("message " + message.id() + " has NOREPEAT: receivers would never confirm it");
    }
    CompletableFuture<DeliveryReceipt> future = new CompletableFuture<>();
    if (closing) {
      future.completeExceptionally(new EndpointClosedException(id, message.id(), message.to(), 0));
      return future;
    }
    if (!delivery.reserve()) {
      future.completeExceptionally(new OutboxFullException(message.id(), message.to(), options.maxInFlight()));
      return future;
    }
    byte[] body = MessageCodec.encode(Delivery.wireForm(message));
    enqueue(new Outgoing(message, body, route, new Outbox.Pending(message, route, future)));
    return future;
  }

  private void checkRoute(Message m, Route route) {
    if (route != Route.AUTO && !hasUpstream()) {
      throw new IllegalStateException(id + ": route " + route + " needs an upstream, and this endpoint has none");
    }
    if (route == Route.DIRECT && m.isMultihop()) {
      throw new IllegalArgumentException("route DIRECT takes a single recipient, not the path " + m.path());
    }
  }

  /** True while fewer than {@link EndpointOptions#sendQueueCapacity()} messages wait to be sent. */
  public boolean hasSendCapacity() {
    // Writes waiting for a full peer count too: a producer faster than its consumer fills its
    // own send queue, so it is told (send returns DROPPED_QUEUE_FULL) or slowed down
    // (sendQueueFullWait, a stream's BLOCK) instead of losing messages further on.
    return commands.queuedSends() + writer.waitingNow() < options.sendQueueCapacity();
  }

  private void enqueue(Outgoing command) {
    commands.addSend(command);
    if (terminated) {
      failLeftoverCommands();
    }
  }

  /** Wakes the socket thread from its poll; cheap when a wake-up is already pending. */
  void wakeUp() {
    commands.wakeUp();
  }

  /**
   * Closes the engine. A second caller waits until the first has finished, unless it is one of
   * the engine's own threads (a listen or a callback closing its endpoint).
   */
  @Override
  public void close() {
    if (!closeRequested.compareAndSet(false, true)) {
      if (!isOwnThread(Thread.currentThread())) {
        try {
          closedLatch.await(3 * CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return;
    }
    closing = true;
    wakeUp();
    // Stop intake first: once the socket thread says so, it reads, hands over and confirms
    // nothing more, so every message it confirmed is already queued ahead of the workers' end.
    if (socketThread.isAlive() && Thread.currentThread() != socketThread) {
      try {
        if (!intakeStopped.await(CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
          log.warn("{}: socket thread did not stop reading within {} ms", id, CLOSE_TIMEOUT_MILLIS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    dispatcher.shutdown(CLOSE_TIMEOUT_MILLIS);
    // A listen or callback closing its own endpoint does not wait: the socket thread waits for
    // the workers, confirms what they handled, and finishes the close (see
    // shutdownSocketThread), so awaitClosed() returns only once the sockets are closed.
    boolean handOver = isOwnThread(Thread.currentThread()) && socketThread.isAlive();
    finishCloseOnSocketThread = handOver;
    commands.add(CLOSE);
    if (handOver) {
      if (terminated) { // the socket thread ended on its own meanwhile: finish here
        notifier.shutdown(0);
        closedLatch.countDown();
      }
      return;
    }
    try {
      socketThread.join(CLOSE_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (socketThread.isAlive()) {
      log.warn("{}: socket thread did not stop within {} ms", id, CLOSE_TIMEOUT_MILLIS);
    }
    notifier.shutdown(CLOSE_TIMEOUT_MILLIS);
    closedLatch.countDown();
  }

  /** True for the endpoint's own threads: its socket thread, workers and callback thread. */
  private boolean isOwnThread(Thread t) {
    return t == socketThread || dispatcher.isWorker(t) || notifier.isCallbackThread(t);
  }

  private void closeQuietly() {
    closeRequested.set(true);
    closing = true;
    commands.add(CLOSE);
    try {
      socketThread.join(CLOSE_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dispatcher.shutdown(0);
    notifier.shutdown(CLOSE_TIMEOUT_MILLIS);
  }

  // ------------------------------------------------------------------ socket thread

  private void runSocketThread() {
    try {
      openSockets();
    } catch (RuntimeException e) {
      started.completeExceptionally(e);
      closeSockets();
      terminated = true;
      return;
    }
    started.complete(routerPortFromEndpoint());
    try {
      loop();
    } catch (RuntimeException | Error e) {
      log.error("{}: socket thread failed; the endpoint stops sending and receiving until closed", id, e);
      closing = true;
    } finally {
      shutdownSocketThread();
    }
  }

  private void openSockets() {
    if (options.security() == null) {
      context = SharedContext.acquire(); // one I/O thread and reaper for the process's endpoints
      sharedContext = true;
    } else {
      context = new ZContext(1); // its ZAP handler binds a context-wide address
      JeromqFailures.report(context, id, warnings);
      curve = CurveGuard.open(context, config, counters); // CURVE hook: ZAP handler, before any socket
      context.setLinger((int) options.linger().toMillis());
    }
    poller = context.createPoller(3);
    wakeOnlyPoller = context.createPoller(1);
    poller.register(commands.wakeSource(), ZMQ.Poller.POLLIN);
    wakeOnlyPoller.register(commands.wakeSource(), ZMQ.Poller.POLLIN);
    if (config.routerBind() != null) {
      router = newSocket(SocketType.ROUTER);
      router.setRouterMandatory(true);
      // Handover: a peer's new connection takes its identity over at once (a restart, or JeroMQ
      // re-establishing a connection). Two endpoints claiming one id are caught by liveness.
      router.setRouterHandover(true);
      try {
        router.bind(config.routerBind());
      } catch (ZMQException e) {
        throw new IllegalStateException("cannot bind ROUTER on " + config.routerBind() + ": " + BindFailure.explain(config.routerBind(), e.getErrorCode()), e);
      }
      routerIndex = poller.register(router, ZMQ.Poller.POLLIN);
    }
    if (config.upstreamConnect() != null) {
      dealer = newSocket(SocketType.DEALER);
      try {
        dealer.connect(config.upstreamConnect());
      } catch (ZMQException e) {
        throw new IllegalStateException("cannot connect to " + config.upstreamConnect() + ": " + ZError.toString(e.getErrorCode()), e);
      }
      dealerIndex = poller.register(dealer, ZMQ.Poller.POLLIN);
      // A ping makes the upstream register this endpoint before it sends anything (PROTOCOL.md 4.1).
      dealer.send(new byte[0], ZMQ.DONTWAIT);
    }
  }

  private ZMQ.Socket newSocket(SocketType type) {
    ZMQ.Socket s = context.createSocket(type);
    s.setIdentity(id.getBytes(StandardCharsets.UTF_8));
    s.setLinger((int) options.linger().toMillis());
    s.setSndHWM(options.highWaterMark());
    s.setRcvHWM(options.highWaterMark());
    FrameLimit.apply(s, options); // a peer's frame header must not size JeroMQ's allocations
    if (curve != null) {
      curve.configure(s, type); // CURVE hook: server (ROUTER) or client (DEALER) keys
    }
    s.setHandshakeIvl((int) options.handshakeInterval().toMillis());
    s.setReconnectIVL(100);
    s.setReconnectIVLMax(2_000);
    // ZMTP heartbeats tear down a connection whose peer vanished without closing it (power
    // loss, a cable), so its id is free again for the peer's next run.
    int heartbeatMillis = (int) options.heartbeatInterval().toMillis();
    s.setHeartbeatIvl(heartbeatMillis);
    s.setHeartbeatTimeout(heartbeatMillis * options.livenessTolerance());
    return s;
  }

  private int routerPortFromEndpoint() {
    if (router == null) {
      return -1;
    }
    String endpoint = router.getLastEndpoint();
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }

  private void loop() {
    while (true) {
      if (closing && intakeStopped.getCount() > 0) {
        intake.dropParked(); // received but neither handled nor confirmed: the sender will repeat it
        intakeStopped.countDown();
      }
      long now = options.ticker().read();
      long timeout = pollTimeoutMillis(now);
      ZMQ.Poller p = intake.isParked() || closing ? wakeOnlyPoller : poller;
      p.poll(timeout);
      if (p.pollin(0)) {
        try {
          commands.woken();
        } catch (IOException e) {
          log.warn("{}: wake-up pipe failed", id, e);
        }
      }
      writer.retry(options.ticker().read());
      if (runCommands()) {
        // A listen that closed its own endpoint returns after close() did: let it, so that
        // the messages its lane handled are confirmed before the sockets close.
        dispatcher.awaitStopped(CLOSE_TIMEOUT_MILLIS);
        confirmHandled();
        return;
      }
      if (!closing) {
        intake.retryParked();
      }
      if (!intake.isParked() && !closing) {
        if (routerIndex >= 0 && poller.pollin(routerIndex)) {
          readAll(router, true);
        }
        if (dealerIndex >= 0 && poller.pollin(dealerIndex)) {
          readAll(dealer, false);
        }
      }
      delivery.runDue(options.ticker().read());
      requests.expire(options.ticker().read());
      if (!closing) {
        liveness.tick(options.ticker().read());
      }
      warnings.flush();
      if (config.gate() != null) {
        config.gate().flushLog();
      }
    }
  }

  private long pollTimeoutMillis(long now) {
    if (!commands.isEmpty()) {
      return 0;
    }
    long untilTimer = delivery.nanosUntilNext(now);
    // A full peer's waiting writes are retried soon: there is no event for "this peer has room".
    untilTimer = Math.min(untilTimer, writer.nanosUntilRetry(now));
    untilTimer = Math.min(untilTimer, liveness.nanosUntilNextTick(now));
    untilTimer = Math.min(untilTimer, requests.nanosUntilNextDeadline(now));
    long millis = untilTimer == Long.MAX_VALUE ? MAX_POLL_MILLIS : TimeUnit.NANOSECONDS.toMillis(untilTimer + 999_999);
    return Math.min(MAX_POLL_MILLIS, millis);
  }

  /** Runs queued commands until one has to wait for a full peer; true when told to close. */
  private boolean runCommands() {
    Object c;
    while ((c = commands.poll(Outgoing.class)) != null) {
      if (c == CLOSE) {
        return true;
      }
      if (c instanceof Dispatcher.Inbound handled) {
        intake.handled(handled);
        continue;
      }
      Outgoing o = (Outgoing) c;
      try {
        sendOwn(o);
      } catch (RuntimeException e) {
        log.error("{}: internal error sending message {}; not sent", id, o.message().id(), e);
        if (o.pending() != null) {
          delivery.sendFailed(o.pending());
        }
      }
    }
    return false;
  }

  /** Confirms what the workers handled since the last commands ran (closing). */
  private void confirmHandled() {
    List<Object> others = new ArrayList<>();
    Object c;
    while ((c = commands.poll(Void.class)) != null) {
      if (c instanceof Dispatcher.Inbound handled) {
        intake.handled(handled);
      } else {
        others.add(c);
      }
    }
    commands.putBack(others); // sends, failed by failLeftoverCommands
  }

  private void readAll(ZMQ.Socket socket, boolean isRouter) {
    for (int i = 0; i < READ_BUDGET && !intake.isParked() && !closing; i++) {
      List<byte[]> frames = curve != null && isRouter ? curve.receive(socket) // CURVE hook: id pinned to key
          : isRouter ? receiveFromRouter() : receive(socket);
      if (frames == null) {
        return;
      }
      counters.received.increment();
      try {
        if (isRouter) {
          intake.fromRouter(frames, curve != null ? curve.lastPeerAddress() : routerPeerAddress);
        } else {
          intake.fromUpstream(frames);
        }
      } catch (RuntimeException e) {
        // A bug must cost one message, never the endpoint.
        counters.malformed.increment();
        warnings.error("{}: internal error on a message from {}; message dropped", id, isRouter ? "the ROUTER" : "upstream", e);
      }
    }
  }

  /**
   * The next message on the ROUTER, noting the address of the connection it came by (ZeroMQ's
   * Peer-Address property) in {@link #routerPeerAddress}, so that an id moving to another
   * connection is seen.
   */
  private List<byte[]> receiveFromRouter() {
    Msg first = router.recvMsg(ZMQ.DONTWAIT);
    if (first == null) {
      return null;
    }
    List<byte[]> frames = new ArrayList<>(4);
    frames.add(first.data());
    String address = null;
    boolean more = first.hasMore();
    while (more) {
      Msg m = router.recvMsg(0);
      frames.add(m.data());
      if (address == null && m.getMetadata() != null) {
        address = m.getMetadata().get(Metadata.PEER_ADDRESS);
      }
      more = m.hasMore();
    }
    routerPeerAddress = address;
    return frames;
  }

  private static List<byte[]> receive(ZMQ.Socket socket) {
    byte[] first = socket.recv(ZMQ.DONTWAIT);
    if (first == null) {
      return null;
    }
    if (!socket.hasReceiveMore()) {
      return List.of(first);
    }
    List<byte[]> frames = new ArrayList<>(4);
    frames.add(first);
    while (socket.hasReceiveMore()) {
      frames.add(socket.recv(0));
    }
    return frames;
  }

  /** A worker reports a confirmed message handled (any thread): the socket thread confirms it. */
  private void handled(Dispatcher.Inbound inbound) {
    commands.add(inbound);
  }

  /** Writes a body for {@code to} back through the hop {@code via} (a ROUTER identity, or null for upstream). */
  private Routes.Result writeVia(String via, String to, byte[] body) {
    if (via != null && !via.equals(to) && !liveness.saidHello(via)) {
      // A Python station takes whatever reaches its pusher as addressed to itself, and a
      // second frame makes it fail: it cannot pass this on to 'to', so it is not sent.
      counters.unreachable.increment();
      warnings.warn("{}: not sending a message for '{}' through '{}': a Python station cannot pass it on",
          id, to, via);
      return Routes.Result.UNREACHABLE;
    }
    return routes.back(via, to, body);
  }

  // ------------------------------------------------------------------ own messages

  /** Sends this endpoint's own message: a confirmed one through {@link Delivery}. */
  private void sendOwn(Outgoing o) {
    if (o.pending() != null) {
      delivery.send(o.pending(), o.body());
      return;
    }
    if (routes.send(o.message(), o.body(), o.route()) == Routes.Result.UNREACHABLE) {
      counters.unreachable.increment();
      warnings.warn("{}: no route to '{}'; message {} not sent", id, o.message().to(), o.message().id());
      notifier.unreachable(o.message().to(), o.message().id(), "no connection or route");
    }
  }

  /**
   * True when {@code peer} may connect within a ttl: it was connected lately (it is in the
   * directory), or this endpoint started too recently to know its peers.
   */
  private boolean mayComeBack(String peer) {
    if (upstreamRefused && router == null) {
      return false;
    }
    return liveness.knows(peer) || options.ticker().read() - startedNanos < options.reconnectGrace().toNanos();
  }

  /**
   * Writes all frames without blocking (see {@link PeerWriter}): a write to a full peer waits
   * in that peer's own queue and counts as accepted; every other peer is served meanwhile.
   */
  private Routes.Result write(ZMQ.Socket socket, List<byte[]> frames) {
    if (socket == null || (socket == dealer && upstreamRefused)) {
      return Routes.Result.UNREACHABLE;
    }
    boolean upstream = socket == dealer;
    String peer = upstream ? config.upstreamId() : new String(frames.get(0), StandardCharsets.UTF_8);
    return switch (writer.write(upstream, peer, frames, options.ticker().read())) {
      case ACCEPTED -> Routes.Result.OK;
      case DROPPED -> Routes.Result.DROPPED;
      case UNREACHABLE -> Routes.Result.UNREACHABLE;
    };
  }

  /**
   * Writes liveness traffic (HELLO, heartbeats): never waits for a full peer, and is counted
   * apart from {@link EndpointStats#sent()}, which counts message traffic.
   */
  private void writeLiveness(ZMQ.Socket socket, List<byte[]> frames) {
    sendNow(socket, frames);
  }

  /** One non-blocking write of all frames: the {@link PeerWriter.Wire}. */
  private PeerWriter.Status sendNow(ZMQ.Socket socket, List<byte[]> frames) {
    int last = frames.size() - 1;
    try {
      for (int i = 0; i <= last; i++) {
        if (!socket.send(frames.get(i), (i < last ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT)) {
          return PeerWriter.Status.FULL; // only the first frame can be refused; then nothing was sent
        }
      }
    } catch (ZMQException e) {
      if (e.getErrorCode() != ZError.EHOSTUNREACH) {
        warnings.warn("{}: send failed: {}", id, ZError.toString(e.getErrorCode()));
      }
      return PeerWriter.Status.UNREACHABLE;
    }
    return PeerWriter.Status.SENT;
  }

  private void shutdownSocketThread() {
    intakeStopped.countDown();
    requests.closeAll();
    intake.dropParked();
    writer.dropAll();
    delivery.closeAll();
    closeSockets();
    terminated = true;
    failLeftoverCommands();
    if (finishCloseOnSocketThread) {
      notifier.shutdown(CLOSE_TIMEOUT_MILLIS);
      closedLatch.countDown();
    }
  }

  private void closeSockets() {
    if (curve != null) {
      curve.close(); // CURVE hook: stop the ZAP handler before the context
    }
    if (sharedContext) {
      // Close only what is this endpoint's: its sockets (each lingers as set) and pollers.
      for (ZMQ.Socket s : new ZMQ.Socket[] {router, dealer}) {
        if (s != null) {
          s.close();
        }
      }
      for (ZMQ.Poller p : new ZMQ.Poller[] {poller, wakeOnlyPoller}) {
        if (p != null) {
          p.close();
        }
      }
      sharedContext = false;
      SharedContext.release();
    } else if (context != null) {
      context.close();
    }
    try {
      commands.close();
    } catch (IOException e) {
      log.debug("{}: closing the wake-up pipe failed", id, e);
    }
  }

  private void failLeftoverCommands() {
    Object c;
    while ((c = commands.poll(Outgoing.class)) != null) {
      if (c instanceof Outgoing o) {
        if (o.pending() != null) {
          delivery.release(o.pending(), new EndpointClosedException(id, o.message().id(), o.message().to(), 0));
        } else {
          warnings.warn("{}: closed; message {} to '{}' not sent", id, o.message().id(), o.message().to());
        }
      }
    }
  }

  /** The intake's access to the sockets and liveness (socket thread). */
  private final class IntakeWire implements Intake.Wire {
    @Override
    public void echo(List<byte[]> frames) {
      // Best effort, never waiting: a peer that pinged and vanished can look full for a while.
      PeerWriter.Status echoed = sendNow(router, frames);
      if (echoed == PeerWriter.Status.SENT) {
        counters.sent.increment();
      } else if (echoed == PeerWriter.Status.FULL) {
        counters.dropped.increment();
      }
    }

    @Override
    public Routes.Result back(String via, String to, byte[] body) {
      return writeVia(via, to, body);
    }

    @Override
    public boolean mayComeBack(String peer) {
      return Engine.this.mayComeBack(peer);
    }
  }

  /** Delivery's access to routing and liveness (socket thread). */
  private final class DeliveryWire implements Delivery.Wire {
    @Override
    public Routes.Result send(Message m, byte[] body, Route route) {
      return routes.send(m, body, route);
    }

    @Override
    public boolean mayComeBack(String peer) {
      return Engine.this.mayComeBack(peer);
    }
  }

  /** Routes' access to the sockets and to liveness (socket thread). */
  private final class RoutesWire implements Routes.Wire {
    @Override
    public Routes.Result toRouter(List<byte[]> frames) {
      return write(router, frames);
    }

    @Override
    public Routes.Result toUpstream(List<byte[]> frames) {
      return write(dealer, frames);
    }

    @Override
    public boolean saidHello(String identity) {
      return liveness.saidHello(identity);
    }
  }

  /** Liveness's access to the sockets; every method runs on the socket thread. */
  private final class LivenessWire implements Liveness.Wire {
    @Override
    public void toPeer(String identity, Message m) {
      writeLiveness(router, routes.toPeer(identity, MessageCodec.encode(m)));
    }

    @Override
    public void toUpstream(Message m) {
      if (!upstreamRefused) {
        writeLiveness(dealer, Envelope.toUpstream(config.upstreamId(), m.to(), MessageCodec.encode(m)));
      }
    }

    @Override
    public void reconnectUpstream() {
      if (upstreamRefused) {
        return;
      }
      dealer.disconnect(config.upstreamConnect());
      dealer.connect(config.upstreamConnect());
      dealer.send(new byte[0], ZMQ.DONTWAIT); // the ping that registers this endpoint again
    }

    @Override
    public void refuseUpstream(String reason) {
      upstreamRefused = true;
      dealer.disconnect(config.upstreamConnect());
    }
  }


  private record Outgoing(Message message, byte[] body, Route route, Outbox.Pending pending) {}


  /** Requests' access to the engine. */
  private final class RequestsWire implements Requests.Wire {
    @Override
    public Message.Builder message(String to, String key, Object value) {
      return Engine.this.message(to, key, value);
    }

    @Override
    public CompletableFuture<DeliveryReceipt> sendConfirmed(Message m) {
      return Engine.this.sendConfirmed(m, Route.AUTO);
    }

    @Override
    public void sendUnconfirmed(Message m, byte[] body) {
      sendEncoded(m, body, Route.AUTO);
    }

    @Override
    public void resendNow(Message m, byte[] body) {
      sendOwn(new Outgoing(m, body, Route.AUTO, null));
    }

    @Override
    public void confirm(Message m, String via) {
      intake.confirm(m, via);
    }

    @Override
    public void settle(String messageId) {
      delivery.settle(messageId);
    }

    @Override
    public void wakeUp() {
      Engine.this.wakeUp();
    }
  }
}
