package io.stationmq.netnode;

import io.stationmq.message.Envelope;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * The endpoint engine that NetNode and Station are faces of (see DESIGN.md, "One engine,
 * two faces"). It owns up to two sockets: a ROUTER bound for peers (a Station's listener, a
 * NetNode's optional router port) and a DEALER connected upstream (a NetNode's upstream, a
 * Station's pusher).
 *
 * <p>Threads: the endpoint runs on its process's {@link ProcessRuntime}. One of its {@link
 * SocketLoop}s owns the endpoint's sockets ({@link EndpointSockets}) and serves it: reads
 * envelopes, forwards without decoding, decodes what is for this endpoint, sends confirmations
 * and runs the timers; it never runs user code. The shared workers run its listens (in the
 * {@link Dispatcher}'s lanes) and its callbacks (the {@link Notifier}'s lane). Callers hand
 * messages to the loop through the endpoint's {@link CommandQueue}; they encode bodies on their
 * own thread.
 *
 * <p>Thread-safe. Not public API.
 */
final class Engine implements AutoCloseable {
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
  private final MessageIds timeIds;
  private final RateLimitedLog warnings;
  private final ProcessRuntime runtime;
  private final SocketLoop loop;
  private final SocketLoop.Client client = new Served();
  private final CommandQueue commands;
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean closeFinished = new AtomicBoolean();
  private final CompletableFuture<Integer> started = new CompletableFuture<>();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final CountDownLatch intakeStopped = new CountDownLatch(1);
  private final CountDownLatch socketsClosed = new CountDownLatch(1);
  private final Requests requests;
  private volatile boolean closing;
  private volatile boolean terminated;
  private volatile boolean finishCloseOnSocketThread;
  private volatile long closeDeadlineNanos;
  private final long startedNanos;
  /** The longest between two visits of the loop: an injected clock may jump, so look often. */
  private final long maxIdleNanos;

  // Owned by the socket loop's thread.
  private final EndpointSockets sockets;
  private boolean closeSeen;
  private final Delivery delivery;
  private final Intake intake;
  private final Routes routes;
  private final PeerWriter writer;
  private final DropReports dropReports; // a Station's; null on a node
  private final CallerSends sends;
  private final Liveness liveness;
  private final DurableStore durable; // Durability hook: null without EndpointOptions.durability()
  private final ClockSync clock; // null without an upstream

  /**
   * Starts the engine: binds and connects its sockets on the socket thread and waits for them.
   *
   * @throws IllegalStateException when a socket cannot be bound or connected
   */
  public Engine(EngineConfig config) {
    this.config = config;
    this.id = config.id();
    this.options = config.options();
    this.timeIds = new MessageIds(id + "_time");
    this.warnings = new RateLimitedLog(log, 20, TimeUnit.SECONDS.toNanos(10));
    this.durable = DurableStore.open(options.durability(), id, counters, warnings); // Durability hook
    this.ids = new MessageIds(id, durable == null || durable.outbox() == null ? 0 : durable.outbox().firstFreeIdNumber());
    this.runtime = ProcessRuntime.acquire();
    this.loop = runtime.join();
    this.commands = new CommandQueue(() -> loop.wake(client));
    this.maxIdleNanos = options.ticker() == NanoClock.system() ? TimeUnit.SECONDS.toNanos(1)
        : TimeUnit.MILLISECONDS.toNanos(MAX_POLL_MILLIS);
    this.notifier = new Notifier(runtime.workers(), options.listener());
    this.dispatcher = new Dispatcher(config, runtime.workers(), counters, notifier, warnings, this::wakeUp,
        this::handled);
    this.requests = new Requests(id, new RequestsWire(), notifier, counters, warnings, options.ticker(),
        options.dedupWindow(), options.dedupCapacity() != 0);
    dispatcher.on(Keys.REQUEST, requests::answer);
    MessageIds livenessIds = new MessageIds(id + "_live"); // apart: user ids stay {id}_0, _1, ...
    this.clock = config.upstreamId() == null ? null : new ClockSync(id, options.wallClock(), options.clockSyncInterval(),
        this::requestTime, this::wakeUp);
    this.liveness = new Liveness(config, notifier, livenessIds::next, new LivenessWire(), dispatcher::keys,
        counters.handovers, clock);
    BuiltInRequests.provide(requests, config, this::stats, this::directory, dispatcher::keys);
    this.routes = new Routes(config.upstreamConnect() == null ? null : config.upstreamId(), config.routerBind() != null,
        config.forwarding(), new RoutesWire());
    this.startedNanos = options.ticker().read();
    this.sockets = new EndpointSockets(config, counters, warnings, runtime.context());
    this.writer = new PeerWriter(id, sockets::sendNow,
        options.sendTimeout().toNanos(), MAX_WAITING_PER_PEER, MAX_WAITING_BYTES_PER_PEER, counters, warnings);
    this.dropReports = config.forwarding() ? new DropReports(id, TimeUnit.SECONDS.toNanos(1), 1_000) : null;
    if (dropReports != null) {
      writer.onDrop(this::noteDrop);
    }
    Outbox outbox = new Outbox(options.firstRepeat().toNanos(), options.repeatBackoff(),
        options.maxRepeatInterval().toNanos(), options.maxDeliveryTime().toNanos());
    this.delivery = new Delivery(id, new DeliveryWire(), outbox, counters, notifier, warnings, options.ticker()::read,
        options.maxInFlight(), durable == null ? null : durable.outbox());
    this.intake = new Intake(config, counters, warnings, notifier, ids, routes, liveness, delivery, requests, dispatcher,
        options.ticker()::read, new IntakeWire(), durable);
    this.sends = new CallerSends(id, options, hasUpstream(), commands, writer, delivery, counters, warnings,
        () -> closing, () -> terminated);
    loop.execute(this::open);
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
    return WallTime.stamp(Message.builder().id(ids.next()).sender(id).to(to).key(key).value(value), options.wallClock());
  }

  /** The wall clock this endpoint stamps with (see {@link EndpointOptions#wallClock()}). */
  WallClock wallClock() {
    return options.wallClock();
  }

  /** This endpoint's clock offset to its upstream; unknown without one (any thread). */
  public ClockOffset clockOffset() {
    return clock == null ? ClockOffset.unknown() : clock.offset();
  }

  /** A {@code TIME} request to the upstream for {@link ClockSync}, under ids of its own ({@code {id}_time_N}). */
  private CompletableFuture<Message> requestTime(Duration timeout) {
    Message m = WallTime.stamp(Message.builder().id(timeIds.next()).sender(id).to(config.upstreamId()), options.wallClock())
        .key(Keys.REQUEST).extra("request", ClockSync.REQUEST).build();
    return requests.request(m, timeout);
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

  /** See {@link CallerSends#send}. */
  public SendResult send(Message message, Route route) {
    return sends.send(message, route);
  }

  /** Sends an unconfirmed message already encoded (a stream's batch, written without a tree). */
  SendResult sendEncoded(Message message, byte[] body) {
    return sends.sendEncoded(message, body, Route.AUTO);
  }

  /** See {@link CallerSends#sendConfirmed}. */
  public CompletableFuture<DeliveryReceipt> sendConfirmed(Message message, Route route) {
    return sends.sendConfirmed(message, route);
  }

  /** True while the endpoint's send queue has room (a stream waits on it). */
  public boolean hasSendCapacity() {
    return sends.hasSendCapacity();
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
    // Stop intake first: once the loop says so, it reads, hands over and confirms nothing more
    // for this endpoint, so every message it confirmed is already queued for the lanes.
    await(intakeStopped, "stop reading");
    dispatcher.shutdown(CLOSE_TIMEOUT_MILLIS);
    // A listen or callback closing its own endpoint does not wait: the loop waits for the lanes
    // to run dry, confirms what they handled, and closes the sockets; a worker then finishes
    // the close, so awaitClosed() returns only once the sockets are closed.
    boolean handOver = isOwnThread(Thread.currentThread());
    finishCloseOnSocketThread = handOver;
    closeDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MILLIS);
    commands.add(CLOSE);
    if (handOver) {
      if (terminated) { // the sockets were closed meanwhile (the loop failed): finish here
        finishClose(0);
      }
      return;
    }
    await(socketsClosed, "close its sockets");
    finishClose(CLOSE_TIMEOUT_MILLIS);
  }

  private void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        log.warn("{}: the socket loop did not {} within {} ms", id, what, CLOSE_TIMEOUT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last step of a close, once: callbacks run out, the runtime released. */
  private void finishClose(long callbackTimeoutMillis) {
    if (closeFinished.compareAndSet(false, true)) {
      notifier.shutdown(callbackTimeoutMillis);
      runtime.leave(loop);
      ProcessRuntime.release();
      closedLatch.countDown();
    }
  }

  /** True for the endpoint's own threads: a worker running its listen, or its callback. */
  private boolean isOwnThread(Thread t) {
    return dispatcher.isWorker(t) || notifier.isCallbackThread(t);
  }

  private void closeQuietly() {
    closeRequested.set(true);
    closing = true;
    if (!terminated) {
      closeDeadlineNanos = System.nanoTime();
      commands.add(CLOSE);
      await(socketsClosed, "close its sockets");
    }
    dispatcher.shutdown(0);
    finishClose(CLOSE_TIMEOUT_MILLIS);
  }

  // ------------------------------------------------------------------ on the socket loop

  /** Opens the sockets (on the loop), then tells the constructor. */
  private void open() {
    try {
      sockets.open(loop, client);
    } catch (RuntimeException e) {
      started.completeExceptionally(e);
      sockets.close();
      closeDurable();
      terminated = true;
      socketsClosed.countDown();
      return;
    }
    started.complete(sockets.routerPort());
    client.serve(System.nanoTime());
  }

  /** What the socket loop calls: one visit does everything this endpoint has due. */
  private final class Served implements SocketLoop.Client {
    @Override
    public void serve(long nowNanos) {
      if (!terminated) {
        Engine.this.serve();
      }
    }

    @Override
    public void failed(Throwable e) {
      log.error("{}: failed on the socket loop; the endpoint stops sending and receiving", id, e);
      closing = true;
      intakeStopped.countDown();
      shutdownSockets();
    }
  }

  private void serve() {
    commands.woken(); // before taking commands: one queued from now on wakes the loop again
    if (closing && intakeStopped.getCount() > 0) {
      intake.dropParked(); // received but neither handled nor confirmed: the sender will repeat it
      intakeStopped.countDown();
    }
    writer.retry(options.ticker().read());
    if (closeSeen || runCommands()) {
      closeSeen = true;
      // A listen that closed its own endpoint returns after close() did: wait for it (without
      // blocking the loop), so the messages its lane handled are confirmed before the sockets close.
      if (!dispatcher.isStopped() && System.nanoTime() < closeDeadlineNanos) {
        loop.schedule(client, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
        return;
      }
      confirmHandled();
      shutdownSockets();
      return;
    }
    if (!closing) {
      intake.retryParked();
    }
    boolean reading = !intake.isParked() && !closing;
    if (reading) {
      readAll(true);
      readAll(false);
    }
    intake.flush(); // Durability hook: one commit for the visit, then its confirmations, listens and sends
    long now = options.ticker().read();
    delivery.runDue(now);
    requests.expire(now);
    if (!closing) {
      liveness.tick(now);
    }
    if (dropReports != null) {
      reportDrops(now);
    }
    warnings.flush();
    if (config.gate() != null) {
      config.gate().flushLog();
    }
    // Last: ZeroMQ signals a socket's input once; what is left (a spent read budget, or input
    // that came while this visit sent) is read on the next iteration.
    if (sockets.hasInput() && reading) {
      loop.ready(client);
    }
    loop.schedule(client, System.nanoTime() + Math.min(maxIdleNanos, nanosUntilNextTimer(options.ticker().read())));
  }

  private long nanosUntilNextTimer(long now) {
    long untilTimer = delivery.nanosUntilNext(now);
    // A full peer's waiting writes are retried soon: there is no event for "this peer has room".
    untilTimer = Math.min(untilTimer, writer.nanosUntilRetry(now));
    untilTimer = Math.min(untilTimer, liveness.nanosUntilNextTick(now));
    if (dropReports != null) {
      untilTimer = Math.min(untilTimer, dropReports.nanosUntilDue(now));
    }
    return Math.max(0, Math.min(untilTimer, requests.nanosUntilNextDeadline(now)));
  }

  /** Runs queued commands until one has to wait for a full peer; true when told to close. */
  private boolean runCommands() {
    Object c;
    while ((c = commands.poll(CallerSends.Outgoing.class)) != null) {
      if (c == CLOSE) {
        return true;
      }
      if (c instanceof Dispatcher.Inbound handled) {
        intake.handled(handled);
        continue;
      }
      CallerSends.Outgoing o = (CallerSends.Outgoing) c;
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
    commands.putBack(others); // sends, failed by CallerSends.failLeftover
    intake.flush(); // Durability hook
  }

  private void readAll(boolean isRouter) {
    if (isRouter ? !sockets.hasRouter() : !sockets.hasUpstream()) {
      return;
    }
    for (int i = 0; i < READ_BUDGET && !intake.isParked() && !closing; i++) {
      List<byte[]> frames = isRouter ? sockets.readRouter() : sockets.readUpstream();
      if (frames == null) {
        return;
      }
      counters.received.increment();
      try {
        if (isRouter) {
          intake.fromRouter(frames, sockets.lastPeerAddress());
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
  private void sendOwn(CallerSends.Outgoing o) {
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
    if (sockets.upstreamRefused() && !sockets.hasRouter()) {
      return false;
    }
    return liveness.knows(peer) || options.ticker().read() - startedNanos < options.reconnectGrace().toNanos();
  }

  /**
   * Writes all frames without blocking (see {@link PeerWriter}): a write to a full peer waits
   * in that peer's own queue and counts as accepted; every other peer is served meanwhile.
   */
  private Routes.Result write(boolean upstream, List<byte[]> frames) {
    if (upstream ? !sockets.hasUpstream() || sockets.upstreamRefused() : !sockets.hasRouter()) {
      return Routes.Result.UNREACHABLE;
    }
    String peer = upstream ? config.upstreamId() : new String(frames.get(0), StandardCharsets.UTF_8);
    return switch (writer.write(upstream, peer, frames, options.ticker().read())) {
      case ACCEPTED -> Routes.Result.OK;
      case DROPPED -> Routes.Result.DROPPED;
      case UNREACHABLE -> Routes.Result.UNREACHABLE;
    };
  }

  /**
   * A write the {@link PeerWriter} dropped: an unconfirmed message forwarded for a producer that
   * said HELLO is noted for its next {@code SMQ_DROPPED} notice. A confirmed one is repeated by
   * its sender, whose ttl tells it the outcome; a Python producer has no listen for the notice.
   */
  private void noteDrop(String peer, List<byte[]> frames, String reason, long now) {
    byte[] body = frames.get(frames.size() - 1);
    MessageCodec.BodyHeader header = MessageCodec.peekHeader(body);
    if (header == null || header.sender().equals(id) || Keys.isBuiltIn(String.valueOf(header.key()))
        || !liveness.saidHello(header.sender()) || !MessageCodec.peekFlag(body, Flags.NOREPEAT)) {
      return;
    }
    dropReports.dropped(header.sender(), peer, reason, now);
  }

  /** Tells each producer what was dropped of its messages since the last report (once a second). */
  private void reportDrops(long now) {
    for (Map.Entry<String, Notices.Dropped> due : dropReports.due(now)) {
      Message notice = due.getValue().toMessage(ids.next(), due.getKey());
      routes.send(notice, MessageCodec.encode(notice), Route.AUTO); // a notice lost here is counted as a drop
    }
  }

  /** Ends this endpoint on the loop: fails what is pending, closes the sockets, leaves the loop. */
  private void shutdownSockets() {
    intakeStopped.countDown();
    requests.closeAll();
    intake.dropParked();
    writer.dropAll();
    delivery.closeAll();
    sockets.close();
    loop.remove(client);
    terminated = true;
    sends.failLeftover();
    closeDurable();
    socketsClosed.countDown();
    if (finishCloseOnSocketThread) {
      // Never on the loop: finishing runs the callbacks still queued and may end the runtime.
      runtime.workers().execute(() -> finishClose(CLOSE_TIMEOUT_MILLIS));
    }
  }

  /** Durability hook: commits and releases the store, after every message that could end has ended. */
  private void closeDurable() {
    if (durable != null) {
      durable.close();
    }
  }

  /** The intake's access to the sockets and liveness (socket thread). */
  private final class IntakeWire implements Intake.Wire {
    @Override
    public void echo(List<byte[]> frames) {
      // Best effort, never waiting: a peer that pinged and vanished can look full for a while.
      PeerWriter.Status echoed = sockets.sendNow(false, frames);
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
      return write(false, frames);
    }

    @Override
    public Routes.Result toUpstream(List<byte[]> frames) {
      return write(true, frames);
    }

    @Override
    public boolean saidHello(String identity) {
      return liveness.saidHello(identity);
    }
  }

  /**
   * Liveness's access to the sockets; every method runs on the socket loop. Liveness traffic
   * (HELLO, heartbeats) never waits for a full peer, and is counted apart from {@link
   * EndpointStats#sent()}, which counts message traffic.
   */
  private final class LivenessWire implements Liveness.Wire {
    @Override
    public void toPeer(String identity, Message m) {
      sockets.sendNow(false, routes.toPeer(identity, MessageCodec.encode(m)));
    }

    @Override
    public void toUpstream(Message m) {
      sockets.sendNow(true, Envelope.toUpstream(config.upstreamId(), m.to(), MessageCodec.encode(m)));
    }

    @Override
    public void reconnectUpstream() {
      sockets.reconnectUpstream();
    }

    @Override
    public void refuseUpstream(String reason) {
      sockets.refuseUpstream();
    }
  }



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
      sends.sendEncoded(m, body, Route.AUTO);
    }

    @Override
    public void resendNow(Message m, byte[] body) {
      sendOwn(new CallerSends.Outgoing(m, body, Route.AUTO, null));
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
