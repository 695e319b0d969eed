package io.stationmq.netnode;

import io.stationmq.message.Message;
import io.stationmq.message.MessageIds;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * own thread. One visit of the loop is an {@link EndpointVisit}; what goes out goes through {@link
 * SocketWrites}; {@link Closing} runs the close sequence. This class only wires the parts
 * together and answers the faces' calls.
 *
 * <p>Thread-safe. Not public API.
 */
final class Engine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

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
  private final CommandQueue commands;
  private final Closing closing;
  private final CompletableFuture<Integer> started = new CompletableFuture<>();
  private final Requests requests;

  // Owned by the socket loop's thread.
  private final EndpointSockets sockets;
  private final Delivery delivery;
  private final Intake intake;
  private final SocketWrites writes;
  private final EndpointVisit visit;
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
    this.commands = new CommandQueue(this::wakeLoop);
    SerialLane.Starter laneStarts = new SerialLane.Starter(loop.thread()); // started by the visit's end
    this.notifier = new Notifier(runtime.workers(), options.listener(), laneStarts);
    this.dispatcher = new Dispatcher(config, runtime.workers(), laneStarts, counters, notifier, warnings, this::wakeUp,
        this::handled);
    this.closing = new Closing(id, new CloseSteps());
    this.requests = new Requests(id, new RequestsWire(), notifier, counters, warnings, options.ticker(),
        options.dedupWindow(), options.dedupCapacity() != 0);
    dispatcher.on(Keys.REQUEST, requests::answer);
    MessageIds livenessIds = new MessageIds(id + "_live"); // apart: user ids stay {id}_0, _1, ...
    this.clock = config.upstreamId() == null ? null : new ClockSync(id, options.wallClock(), options.clockSyncInterval(),
        this::requestTime, this::wakeUp);
    this.sockets = new EndpointSockets(config, counters, warnings, runtime.context());
    this.writes = new SocketWrites(config, sockets, counters, warnings, notifier, ids);
    this.liveness = new Liveness(config, notifier, livenessIds::next, writes, dispatcher::keys,
        counters.handovers, clock);
    sockets.watchUpstream(liveness); // a Python upstream's connection closing is its only sign of loss
    BuiltInRequests.provide(requests, config, this::stats, this::directory, dispatcher::keys);
    Routes routes = new Routes(config.upstreamConnect() == null ? null : config.upstreamId(), config.routerBind() != null,
        config.forwarding(), writes);
    Outbox outbox = new Outbox(options.firstRepeat().toNanos(), options.repeatBackoff(),
        options.maxRepeatInterval().toNanos(), options.maxDeliveryTime().toNanos());
    this.delivery = new Delivery(id, writes, outbox, counters, notifier, warnings, options.ticker()::read,
        options.maxInFlight(), durable == null ? null : durable.outbox());
    writes.attach(routes, liveness, delivery);
    this.intake = new Intake(config, counters, warnings, notifier, ids, routes, liveness, delivery, requests, dispatcher,
        options.ticker()::read, writes, durable);
    this.sends = new CallerSends(id, options, hasUpstream(), commands, writes.writer(), delivery, counters, warnings,
        closing::isClosing, closing::isTerminated);
    this.visit = new EndpointVisit(config, loop, commands, closing, sockets, intake, laneStarts, writes, delivery,
        requests, liveness, counters, warnings, this::shutdownSockets);
    loop.execute(this::open);
    try {
      started.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      closing.closeQuietly();
      throw new IllegalStateException(id + ": cannot start: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException | InterruptedException e) {
      closing.closeQuietly();
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

  /** See {@link io.stationmq.netnode.Endpoint#receivedByKey}. */
  public Map<String, Long> receivedByKey() {
    return counters.byKey.snapshot();
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

  /** The process's workers, for the replicated state's listener lane (StateService). */
  java.util.concurrent.Executor workers() {
    return runtime.workers();
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
    return closing.isRequested();
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

  /** The command queue's wake-up: the loop serves this endpoint soon. */
  private void wakeLoop() {
    loop.wake(visit);
  }

  /** Wakes the socket thread from its poll; cheap when a wake-up is already pending. */
  void wakeUp() {
    commands.wakeUp();
  }

  /** Closes the engine (see {@link Closing#close()}): idempotent; a second caller waits for the first. */
  @Override
  public void close() {
    closing.close();
  }

  /** What closing does to the engine's other parts. */
  private final class CloseSteps implements Closing.Steps {
    @Override
    public void wakeUp() {
      Engine.this.wakeUp();
    }

    @Override
    public void stopLanes(long timeoutMillis) {
      dispatcher.shutdown(timeoutMillis);
    }

    @Override
    public boolean lanesStopped() {
      return dispatcher.isStopped();
    }

    @Override
    public void queueClose() {
      commands.add(EndpointVisit.CLOSE);
    }

    @Override
    public boolean isOwnThread(Thread t) {
      return dispatcher.isWorker(t) || notifier.isCallbackThread(t);
    }

    @Override
    public void release(long timeoutMillis) {
      notifier.shutdown(timeoutMillis);
      runtime.leave(loop);
      ProcessRuntime.release();
    }

    @Override
    public void onWorker(Runnable r) {
      runtime.workers().execute(r);
    }
  }

  // ------------------------------------------------------------------ on the socket loop

  /** Opens the sockets (on the loop), then tells the constructor. */
  private void open() {
    try {
      sockets.open(loop, visit);
    } catch (RuntimeException e) {
      started.completeExceptionally(e);
      sockets.close();
      closeDurable();
      closing.terminated();
      closing.socketsClosed();
      return;
    }
    started.complete(sockets.routerPort());
    visit.serve(System.nanoTime());
  }

  /** A worker reports a confirmed message handled (any thread): the socket thread confirms it. */
  private void handled(Dispatcher.Inbound inbound) {
    commands.add(inbound);
  }

  /** Ends this endpoint on the loop: fails what is pending, closes the sockets, leaves the loop. */
  private void shutdownSockets() {
    closing.intakeStopped();
    requests.closeAll();
    intake.dropParked();
    writes.dropWaiting();
    delivery.closeAll();
    sockets.close();
    loop.remove(visit);
    closing.terminated();
    sends.failLeftover();
    closeDurable();
    closing.socketsClosed(); // a close handed over by a listen finishes on a worker
  }

  /** Durability hook: commits and releases the store, after every message that could end has ended. */
  private void closeDurable() {
    if (durable != null) {
      durable.close();
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
      writes.sendOwn(new CallerSends.Outgoing(m, body, Route.AUTO, null));
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
