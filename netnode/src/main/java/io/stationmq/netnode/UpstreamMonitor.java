package io.stationmq.netnode;

import java.nio.channels.SelectionKey;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Tells an endpoint when the TCP connection of its upstream DEALER closes and when it is
 * established again, from JeroMQ's socket monitor ({@code ZMQ_EVENT_DISCONNECTED}, {@code
 * ZMQ_EVENT_HANDSHAKE_PROTOCOL}): a PAIR socket reads the events the DEALER publishes on an
 * {@code inproc} address of its own. {@link UpstreamLink} judges a Python upstream, which gets no
 * heartbeats, by them, and has one set up only for such an upstream: the two sockets cost about
 * 8 file descriptors (measured: 6 per node without, 14 with).
 *
 * <p>A {@link SocketLoop.Client} of the endpoint's socket loop, confined to it like the DEALER:
 * its signal pipe is registered with the loop's selector, so it costs nothing until an event
 * comes; then it reads until the PAIR is empty (the signal is edge-triggered), hands the events
 * on and has the endpoint served. If reading fails, it logs, closes itself and the endpoint goes
 * on without it (a Python upstream's lost connection then goes unnoticed, as before). {@link #close}
 * stops the monitor and closes the PAIR; the endpoint's sockets close it before the DEALER.
 * Not public API.
 */
@SuppressWarnings("deprecation") // ZMQ.Event: JeroMQ 0.6.0 reads monitor events no other way without an actor thread
final class UpstreamMonitor implements SocketLoop.Client {
  private static final Logger log = LoggerFactory.getLogger(UpstreamMonitor.class);
  private static final AtomicLong ADDRESSES = new AtomicLong();
  private static final int EVENTS = ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL;

  /** Where the events go (the socket loop's thread). */
  interface Events {
    /** The connection to the upstream closed; the DEALER reconnects by itself. */
    void connectionClosed(long now);

    /** A connection to the upstream is established and has passed the ZeroMQ handshake. */
    void connectionOpened(long now);
  }

  private final String id;
  private final ZMQ.Socket dealer;
  private final ZMQ.Socket pair;
  private final SocketLoop loop;
  private final SocketLoop.Client endpoint;
  private final Events events;
  private final NanoClock ticker;
  private SelectionKey key;
  private boolean closed;

  private UpstreamMonitor(String id, ZMQ.Socket dealer, ZMQ.Socket pair, SocketLoop loop, SocketLoop.Client endpoint,
      Events events, NanoClock ticker) {
    this.id = id;
    this.dealer = dealer;
    this.pair = pair;
    this.loop = loop;
    this.endpoint = endpoint;
    this.events = events;
    this.ticker = ticker;
  }

  /**
   * Monitors {@code dealer} (which has no monitor yet) and registers with {@code loop}; after an
   * event {@code endpoint} is served. Runs on the loop thread, at any time after the DEALER
   * connected (the events from then on are reported).
   *
   * @throws IllegalStateException when JeroMQ refuses the monitor
   */
  static UpstreamMonitor open(String id, ZContext context, ZMQ.Socket dealer, SocketLoop loop,
      SocketLoop.Client endpoint, Events events, NanoClock ticker) {
    String address = "inproc://stationmq-upstream-monitor-" + ADDRESSES.incrementAndGet();
    if (!dealer.monitor(address, EVENTS)) {
      throw new IllegalStateException(id + ": cannot monitor the upstream connection");
    }
    ZMQ.Socket pair = context.createSocket(SocketType.PAIR);
    pair.setLinger(0);
    pair.connect(address);
    UpstreamMonitor m = new UpstreamMonitor(id, dealer, pair, loop, endpoint, events, ticker);
    try {
      m.key = loop.register(pair.getFD(), m);
      m.drain(); // arms the signal
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  @Override
  public void serve(long nowNanos) {
    if (!closed && drain()) { // closed: with the endpoint, in this iteration of the loop
      loop.ready(endpoint); // its timers changed (HELLO sent, upstream lost): the endpoint schedules anew
    }
  }

  /**
   * Hands on every event waiting; true when there was one. Reading until the PAIR is empty is
   * what makes its signal pipe signal the next event (at open too: until a first read finds it
   * empty, ZeroMQ signals nothing).
   */
  private boolean drain() {
    boolean any = false;
    do {
      ZMQ.Event e;
      while ((e = ZMQ.Event.recv(pair, ZMQ.DONTWAIT)) != null) {
        any = true;
        if (e.getEvent() == ZMQ.EVENT_DISCONNECTED) {
          events.connectionClosed(ticker.read());
        } else if (e.getEvent() == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
          events.connectionOpened(ticker.read());
        }
      }
    } while ((pair.getEvents() & ZMQ.Poller.POLLIN) != 0); // takes in the pending signal: the next event signals anew
    return any;
  }

  @Override
  public void failed(Throwable e) {
    log.error("{}: watching the upstream connection failed; from now on a Python upstream's lost connection goes "
        + "unnoticed", id, e);
    close();
  }

  /** Stops the monitor and closes the PAIR (loop thread; before the DEALER closes). Idempotent. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (key != null) {
      key.cancel();
    }
    try {
      dealer.monitor(null, 0); // closes JeroMQ's end of the inproc pair
    } catch (RuntimeException e) {
      log.debug("{}: stopping the upstream monitor failed", id, e);
    }
    pair.close();
  }
}
