package io.stationmq.netnode;

import java.time.Duration;
import java.util.Objects;

/**
 * Engine settings shared by NetNode and Station: workers, repeats, de-duplication, limits and
 * socket options. Every setting has a documented default suited to a lab LAN; {@link
 * #defaults()} returns them all.
 *
 * <p><b>Repeats.</b> A confirmed message is re-sent {@link #firstRepeat()} after the first
 * send if no confirmation came, then at intervals multiplied by {@link #repeatBackoff()} up
 * to {@link #maxRepeatInterval()}, once per unit of its ttl (default ttl 2: three sends in
 * all, failing about 3.5 s after the first with the defaults). The Python toolkit checks every
 * 5 s and re-sends after 10 s; that is far too slow to notice a lost message on a LAN. A timer
 * that fires while the recipient is still confirming earlier messages (a backlog, not a loss) is
 * postponed without spending ttl; one that fires after a later message was confirmed re-sends
 * at once.
 *
 * <p><b>Repeats and de-duplication are tied.</b> A receiver recognises a repeat only while it
 * remembers the message's id, for {@link #dedupWindow()} after it first saw it; a repeat that
 * comes later is handled a second time. So a message may be re-sent only for {@link
 * #maxDeliveryTime()} after its first send: at that deadline it fails with {@link
 * TtlExpiredException} even with ttl left, however often it was postponed. A message's
 * lifetime is therefore the smaller of its ttl's horizon (the sum of its 1 + ttl intervals:
 * 3.5 s for the default ttl 2) and {@code maxDeliveryTime}; with the defaults a ttl above 13 is
 * cut short by the latter. {@link Builder#build()} requires {@code maxDeliveryTime} to be at
 * most half of {@code dedupWindow}: the other half of the window covers the time a repeat can spend in queues
 * (this endpoint's send queue, ZeroMQ's high-water marks, a receiver that stopped reading
 * while its workers are busy). Left unset, {@code maxDeliveryTime} is half of {@code
 * dedupWindow}. The check sees only this endpoint's settings: give receivers the same or a
 * longer {@code dedupWindow} than their senders. A receiver also forgets ids early when more
 * than {@link #dedupCapacity()} arrive within one window; {@link EndpointStats#dedupEvictedEarly()}
 * counts those, and a repeat of such a message is handled again.
 *
 * <p><b>Back-pressure.</b> Each worker has a queue of {@link #workerQueueCapacity()}
 * messages. When the worker a message belongs to is full, the socket thread stops reading its
 * sockets until there is room, so ZeroMQ's high-water marks push back on the senders; nothing
 * is dropped on the receiving side. When a peer's queue is full, a write waits up to {@link
 * #sendTimeout()} (taking no new work meanwhile) before the message is dropped and counted. At
 * most {@link #sendQueueCapacity()} outgoing messages wait for the socket thread: a further
 * unconfirmed {@code send} returns {@link SendResult#DROPPED_QUEUE_FULL} at once, or, with
 * {@link #sendQueueFullWait()} set, blocks its caller until there is room (for at most that
 * long). At most {@link #maxInFlight()} confirmed messages wait for confirmation; further
 * {@code sendConfirmed} calls fail at once with {@link OutboxFullException}.
 *
 * <p><b>Durability.</b> The de-duplication window and the outbox live in memory and die with
 * the process, unless {@link #durability()} keeps them in a store on disk (off by default).
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class EndpointOptions extends EndpointOptionValues {
  private EndpointOptions(EndpointOptionDraft d) {
    super(d);
  }

  /** All defaults. */
  public static EndpointOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Worker threads that run listens. Default 4. */
  public int workers() {
    return workers;
  }

  /** Messages queued per worker before the socket thread stops reading. Default 4096. */
  public int workerQueueCapacity() {
    return workerQueueCapacity;
  }

  /** Wait before the first re-send of an unconfirmed message. Default 500 ms. */
  public Duration firstRepeat() {
    return firstRepeat;
  }

  /** Factor applied to the wait after each re-send. Default 2.0. */
  public double repeatBackoff() {
    return repeatBackoff;
  }

  /** Longest wait between re-sends. Default 5 s. */
  public Duration maxRepeatInterval() {
    return maxRepeatInterval;
  }

  /** Most confirmed messages waiting for confirmation at once. Default 10,000. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * How long a receiver remembers a confirmed message's id to recognise a repeat of it. Must
   * be positive and at least twice {@link #maxDeliveryTime()}, the longest a sender repeats a
   * message (see the class comment). Default 2 minutes.
   */
  public Duration dedupWindow() {
    return dedupWindow;
  }

  /**
   * Most remembered ids (oldest forgotten first); 0 turns de-duplication off. An id forgotten
   * for lack of room before its window ended is counted in {@link
   * EndpointStats#dedupEvictedEarly()}: a repeat of it would be handled again, so size this
   * above the confirmed messages a receiver takes in one {@link #dedupWindow()}. Default 65,536.
   */
  public int dedupCapacity() {
    return dedupCapacity;
  }

  /**
   * How long after its first send a confirmed message may still be re-sent. At that deadline
   * an unconfirmed message fails with {@link TtlExpiredException} even with ttl left, so
   * postponing repeats for a busy receiver never outlasts the receivers' {@link
   * #dedupWindow()}. At most half of {@code dedupWindow} (unless de-duplication is off).
   * Default half of {@code dedupWindow}: 1 minute.
   */
  public Duration maxDeliveryTime() {
    return maxDeliveryTime;
  }

  /**
   * Largest body accepted; larger inputs are dropped and counted. Default 64 MiB.
   *
   * <p>It also bounds what ZeroMQ will read: every socket of the endpoint (its ROUTER and its
   * DEALER) refuses any frame over {@code maxMessageBytes} + 64 KiB ({@code ZMQ_MAXMSGSIZE},
   * which JeroMQ checks per frame, from the frame's header, before allocating it) by closing
   * that peer's connection. Without it one connection declaring a 2 GiB frame killed JeroMQ's
   * I/O thread and left a Station deaf. A body a little over {@code maxMessageBytes} is dropped
   * and counted as oversize; a frame beyond the 64 KiB allowance costs its connection and is
   * neither counted nor logged (JeroMQ reports no reason). On a node's upstream connection
   * JeroMQ does not reconnect after this; the node's liveness does, after {@code
   * heartbeatInterval} x {@code livenessTolerance} (for a Python station, which answers no
   * HELLO, that long after the connection closed). Give a node at least the {@code maxMessageBytes} of
   * its upstream. The bound is per connection: many connections can each hold one such frame.
   */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** ZeroMQ send and receive high-water marks, in messages. Default 10,000. */
  public int highWaterMark() {
    return highWaterMark;
  }

  /**
   * How long a write may wait for a peer whose queue is full. Meanwhile the socket thread takes
   * no new work, so the back-pressure reaches the senders; after it, the message is dropped
   * and counted, and further writes to that peer are dropped at once while its queue stays
   * full, so one stuck peer cannot stall a Station for long. Default 2 s.
   */
  public Duration sendTimeout() {
    return sendTimeout;
  }

  /**
   * Most outgoing messages queued for the socket thread. Beyond it an unconfirmed {@code send}
   * waits up to {@link #sendQueueFullWait()} (by default not at all), then is dropped, counted
   * and answered with {@link SendResult#DROPPED_QUEUE_FULL}; a stream waits (applying its
   * overflow policy). Default 10,000.
   */
  public int sendQueueCapacity() {
    return sendQueueCapacity;
  }

  /**
   * What an unconfirmed {@code send} does when {@link #sendQueueCapacity()} messages already
   * wait for the socket thread. {@link Duration#ZERO} (the default): drop the message at once,
   * count it and return {@link SendResult#DROPPED_QUEUE_FULL}, so the caller never blocks. A
   * positive duration: block the calling thread until there is room (then {@link
   * SendResult#QUEUED}), for at most that long (then dropped as above), so a producer faster
   * than the network is slowed down to its pace instead of losing messages. The wait ends
   * early with {@link SendResult#CLOSED} when the endpoint closes. Do not block a listen this
   * way for long: it holds up its worker.
   */
  public Duration sendQueueFullWait() {
    return sendQueueFullWait;
  }

  /** How long closing waits for queued outgoing messages to leave. Default 200 ms. */
  public Duration linger() {
    return linger;
  }

  /**
   * ZeroMQ handshake interval; short, because about 2% of fresh JeroMQ TCP connections
   * otherwise stall for 30 s. Default 1 s.
   */
  public Duration handshakeInterval() {
    return handshakeInterval;
  }

  /**
   * How often an endpoint with an upstream sends it a heartbeat (independent of data traffic,
   * so a quiet sensor is not taken for a dead one). A peer that misses one interval turns
   * SUSPECT. Default 1 s.
   */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** How many heartbeat intervals of silence make a peer (or the upstream) DEAD/lost. Default 5. */
  public int livenessTolerance() {
    return livenessTolerance;
  }

  /**
   * How long an endpoint waits for its upstream to answer its first HELLO. One that does not
   * answer is taken for a Python station: it gets no heartbeats (it would log an error for each
   * key it has no listen for), only a HELLO now and then (backing off to one a minute), and a
   * late answer is accepted whenever it comes. Default 1 s.
   */
  public Duration helloTimeout() {
    return helloTimeout;
  }

  /**
   * How long after it starts an endpoint takes a recipient it has never heard of for one still
   * reconnecting (after a Station restart every node reconnects within a few seconds): a
   * confirmed message for it is repeated within its ttl, and fails with {@link
   * UnreachableException} only when the ttl is spent. After the grace, a recipient the endpoint
   * has never heard of (and that is not in its directory) fails at once; one it knows, that is
   * briefly away, is always repeated within the ttl. Zero: no grace. Default 5 s.
   */
  public Duration reconnectGrace() {
    return reconnectGrace;
  }

  /**
   * The clock for repeats, ttl, de-duplication, request deadlines and liveness. Default {@link
   * NanoClock#system()}.
   */
  public NanoClock ticker() {
    return ticker;
  }

  /**
   * The wall clock for every time the endpoint stamps: message and stream batch timestamps, the
   * directory's times, {@code PING} and {@code TIME} answers. Default {@link WallClock#system()}.
   */
  public WallClock wallClock() {
    return wallClock;
  }

  /**
   * How often an endpoint with a stationmq upstream measures its clock's offset to it with a
   * {@code TIME} exchange (after a burst of 8 when the upstream answers HELLO); see {@link
   * NetNode#clockOffset()}. Zero: never. Default 10 s: a Station with a thousand nodes answers a
   * hundred exchanges a second, and drift estimates need exchanges 5 s apart anyway.
   */
  public Duration clockSyncInterval() {
    return clockSyncInterval;
  }

  /** Receives error events. Default {@link EndpointListener#NONE}. */
  public EndpointListener listener() {
    return listener;
  }

  /** CurveZMQ for every socket of the endpoint, or null (the default) for none. */
  public CurveSecurity security() {
    return security;
  }

  /**
   * The durable de-duplication window and outbox ({@link Durability}), or null (the default):
   * both in memory only, so a killed receiver may handle a repeat again and a killed sender
   * loses what it had in flight.
   */
  public Durability durability() {
    return durability;
  }

  /** Builds {@link EndpointOptions}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private final EndpointOptionDraft draft;

    private Builder() {
      draft = new EndpointOptionDraft();
    }

    private Builder(EndpointOptions o) {
      draft = new EndpointOptionDraft(o);
    }

    /** See {@link EndpointOptions#workers()}. */
    public Builder workers(int workers) {
      draft.workers = workers;
      return this;
    }

    /** See {@link EndpointOptions#workerQueueCapacity()}. */
    public Builder workerQueueCapacity(int capacity) {
      draft.workerQueueCapacity = capacity;
      return this;
    }

    /** See {@link EndpointOptions#firstRepeat()}. */
    public Builder firstRepeat(Duration firstRepeat) {
      draft.firstRepeat = Objects.requireNonNull(firstRepeat, "firstRepeat");
      return this;
    }

    /** See {@link EndpointOptions#repeatBackoff()}. */
    public Builder repeatBackoff(double factor) {
      draft.repeatBackoff = factor;
      return this;
    }

    /** See {@link EndpointOptions#maxRepeatInterval()}. */
    public Builder maxRepeatInterval(Duration max) {
      draft.maxRepeatInterval = Objects.requireNonNull(max, "maxRepeatInterval");
      return this;
    }

    /** See {@link EndpointOptions#maxInFlight()}. */
    public Builder maxInFlight(int max) {
      draft.maxInFlight = max;
      return this;
    }

    /** See {@link EndpointOptions#dedupWindow()}. */
    public Builder dedupWindow(Duration window) {
      draft.dedupWindow = Objects.requireNonNull(window, "dedupWindow");
      return this;
    }

    /** See {@link EndpointOptions#dedupCapacity()}. */
    public Builder dedupCapacity(int capacity) {
      draft.dedupCapacity = capacity;
      return this;
    }

    /** See {@link EndpointOptions#maxDeliveryTime()}; {@code null} derives it from the window again. */
    public Builder maxDeliveryTime(Duration max) {
      draft.maxDeliveryTime = max;
      return this;
    }

    /** See {@link EndpointOptions#maxMessageBytes()}. */
    public Builder maxMessageBytes(int bytes) {
      draft.maxMessageBytes = bytes;
      return this;
    }

    /** See {@link EndpointOptions#highWaterMark()}. */
    public Builder highWaterMark(int messages) {
      draft.highWaterMark = messages;
      return this;
    }

    /** See {@link EndpointOptions#sendTimeout()}. */
    public Builder sendTimeout(Duration timeout) {
      draft.sendTimeout = Objects.requireNonNull(timeout, "sendTimeout");
      return this;
    }

    /**
     * Blocks an unconfirmed {@code send} up to {@code maxWait} for room in a full send queue
     * instead of dropping at once; {@link Duration#ZERO} drops at once (the default). See
     * {@link EndpointOptions#sendQueueFullWait()}.
     */
    public Builder sendQueueFullWait(Duration maxWait) {
      draft.sendQueueFullWait = Objects.requireNonNull(maxWait, "sendQueueFullWait");
      return this;
    }

    /** See {@link EndpointOptions#sendQueueCapacity()}. */
    public Builder sendQueueCapacity(int capacity) {
      draft.sendQueueCapacity = capacity;
      return this;
    }

    /** See {@link EndpointOptions#linger()}. */
    public Builder linger(Duration linger) {
      draft.linger = Objects.requireNonNull(linger, "linger");
      return this;
    }

    /** See {@link EndpointOptions#handshakeInterval()}. */
    public Builder handshakeInterval(Duration interval) {
      draft.handshakeInterval = Objects.requireNonNull(interval, "handshakeInterval");
      return this;
    }

    /** See {@link EndpointOptions#heartbeatInterval()}. */
    public Builder heartbeatInterval(Duration interval) {
      draft.heartbeatInterval = Objects.requireNonNull(interval, "heartbeatInterval");
      return this;
    }

    /** See {@link EndpointOptions#livenessTolerance()}. */
    public Builder livenessTolerance(int intervals) {
      draft.livenessTolerance = intervals;
      return this;
    }

    /** See {@link EndpointOptions#helloTimeout()}. */
    public Builder helloTimeout(Duration timeout) {
      draft.helloTimeout = Objects.requireNonNull(timeout, "helloTimeout");
      return this;
    }

    /** See {@link EndpointOptions#reconnectGrace()}. */
    public Builder reconnectGrace(Duration grace) {
      draft.reconnectGrace = Objects.requireNonNull(grace, "reconnectGrace");
      return this;
    }

    /** See {@link EndpointOptions#ticker()}; tests inject a fake one. */
    public Builder ticker(NanoClock ticker) {
      draft.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** See {@link EndpointOptions#wallClock()}; tests inject a skewed one. */
    public Builder wallClock(WallClock clock) {
      draft.wallClock = Objects.requireNonNull(clock, "wallClock");
      return this;
    }

    /** See {@link EndpointOptions#clockSyncInterval()}. */
    public Builder clockSyncInterval(Duration interval) {
      draft.clockSyncInterval = Objects.requireNonNull(interval, "clockSyncInterval");
      return this;
    }

    /** See {@link EndpointOptions#listener()}. */
    public Builder listener(EndpointListener listener) {
      draft.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** See {@link EndpointOptions#security()}; null for none. */
    public Builder security(CurveSecurity security) {
      draft.security = security;
      return this;
    }

    /** See {@link EndpointOptions#durability()}; null for none. */
    public Builder durability(Durability durability) {
      draft.durability = durability;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public EndpointOptions build() {
      draft.check();
      return new EndpointOptions(draft);
    }
  }
}
