package io.stationmq.netnode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One visit of the socket loop to an endpoint, in its fixed order: take the callers' commands
 * (sends, handled messages, close), read both sockets (at most {@link #READ_BUDGET} messages
 * each), commit (durability), run the timers ({@link Delivery} repeats, {@link Requests}
 * deadlines, {@link Liveness}, drop reports), flush the logs, and schedule the next visit for the
 * nearest timer. While the endpoint closes it stops reading, waits (without blocking) for a
 * listen that closed its own endpoint, confirms what the lanes handled and shuts down.
 *
 * <p>The endpoint's {@link SocketLoop.Client}: confined to its socket loop. A bug handling one
 * message costs that message (counted as malformed, logged rate-limited), never the endpoint.
 * Not public API.
 */
final class EndpointVisit implements SocketLoop.Client {
  private static final Logger log = LoggerFactory.getLogger(EndpointVisit.class);
  /** The command that makes the loop close the endpoint's sockets. */
  static final Object CLOSE = new Object();
  private static final int READ_BUDGET = 512;
  private static final long MAX_POLL_MILLIS = 100;

  private final String id;
  private final EngineConfig config;
  private final EndpointOptions options;
  private final SocketLoop loop;
  private final CommandQueue commands;
  private final Closing closing;
  private final EndpointSockets sockets;
  private final Intake intake;
  /** Starts the lanes (listens, callbacks) this visit gave work: one wake-up per lane. */
  private final SerialLane.Starter lanes;
  private final SocketWrites writes;
  private final Delivery delivery;
  private final Requests requests;
  private final Liveness liveness;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private final Runnable shutdown;
  /** The longest between two visits of the loop: an injected clock may jump, so look often. */
  private final long maxIdleNanos;
  private boolean closeSeen;

  /** {@code shutdown}: ends the endpoint on the loop (fails what is pending, closes the sockets). */
  EndpointVisit(EngineConfig config, SocketLoop loop, CommandQueue commands, Closing closing, EndpointSockets sockets,
      Intake intake, SerialLane.Starter lanes, SocketWrites writes, Delivery delivery, Requests requests,
      Liveness liveness, Counters counters, RateLimitedLog warnings, Runnable shutdown) {
    this.id = config.id();
    this.config = config;
    this.options = config.options();
    this.loop = loop;
    this.commands = commands;
    this.closing = closing;
    this.sockets = sockets;
    this.intake = intake;
    this.lanes = lanes;
    this.writes = writes;
    this.delivery = delivery;
    this.requests = requests;
    this.liveness = liveness;
    this.counters = counters;
    this.warnings = warnings;
    this.shutdown = shutdown;
    this.maxIdleNanos = options.ticker() == NanoClock.system() ? TimeUnit.SECONDS.toNanos(1)
        : TimeUnit.MILLISECONDS.toNanos(MAX_POLL_MILLIS);
  }

  @Override
  public void serve(long nowNanos) {
    if (!closing.isTerminated()) {
      try {
        serve();
      } finally {
        lanes.start(); // what this visit queued for listens and callbacks: one wake-up per lane
      }
    }
  }

  @Override
  public void failed(Throwable e) {
    log.error("{}: failed on the socket loop; the endpoint stops sending and receiving", id, e);
    closing.failed();
    try {
      shutdown.run();
    } finally {
      lanes.start(); // the failures it gave the callbacks
    }
  }

  /** One visit: everything this endpoint has due. */
  private void serve() {
    commands.woken(); // before taking commands: one queued from now on wakes the loop again
    if (closing.mustStopIntake()) {
      intake.dropParked(); // received but neither handled nor confirmed: the sender will repeat it
      closing.intakeStopped();
    }
    writes.retryWaiting(options.ticker().read());
    if (closeSeen || runCommands()) {
      closeSeen = true;
      // A listen that closed its own endpoint returns after close() did: wait for it (without
      // blocking the loop), so the messages its lane handled are confirmed before the sockets close.
      if (closing.waitForLanes()) {
        loop.schedule(this, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
        return;
      }
      confirmHandled();
      shutdown.run();
      return;
    }
    boolean open = !closing.isClosing();
    if (open) {
      intake.retryParked();
    }
    boolean reading = open && !intake.isParked();
    if (reading) {
      readAll(true);
      readAll(false);
    }
    intake.flush(); // Durability hook: one commit for the visit, then its confirmations, listens and sends
    long now = options.ticker().read();
    delivery.runDue(now);
    requests.expire(now);
    if (open) {
      liveness.tick(now);
    }
    writes.reportDrops(now);
    warnings.flush();
    if (config.gate() != null) {
      config.gate().flushLog();
    }
    // Last: ZeroMQ signals a socket's input once; what is left (a spent read budget, or input
    // that came while this visit sent) is read on the next iteration.
    if (sockets.hasInput() && reading) {
      loop.ready(this);
    }
    loop.schedule(this, System.nanoTime() + Math.min(maxIdleNanos, nanosUntilNextTimer(options.ticker().read())));
  }

  private long nanosUntilNextTimer(long now) {
    long untilTimer = Math.min(delivery.nanosUntilNext(now), writes.nanosUntilNext(now));
    untilTimer = Math.min(untilTimer, liveness.nanosUntilNextTick(now));
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
        writes.sendOwn(o);
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
    for (int i = 0; i < READ_BUDGET && !intake.isParked() && !closing.isClosing(); i++) {
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
}
