package io.stationmq.bridge;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.SendResult;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a device that speaks something other than ZeroMQ (UDP, a serial line, a vendor
 * protocol) into the network through a {@link NetNode}: a subclass {@link #initialize()}s its
 * input (binds, opens), {@link #serve()}s it on the bridge's own thread, and hands each
 * datagram or frame to {@link #handle}; the bridge turns it into a value with {@link #onRaw},
 * then decimates, rate-limits and forwards it as {@link BridgeOptions} say, counting every
 * step ({@link #stats()}). See {@link UdpBridge} and {@link SerialBridge}.
 *
 * <p>Threads: {@link #start()} runs {@code initialize()} on the caller's thread (so a port in
 * use or a missing device fails there, as an {@link IOException}), then starts one thread,
 * {@code stationmq-bridge-NAME}, which runs {@code serve()} and with it {@code onRaw}. Forwarding
 * never blocks that thread: a full stream or send queue, or too many confirmed messages in
 * flight, drops the input and counts it. {@link #stats()} and {@link #close()} may be called
 * from any thread.
 *
 * <p>Failures: malformed input (a bad frame, a payload the decoder refuses, an exception from
 * {@code onRaw}) is counted in {@link BridgeStats#malformed()} and logged, at most 5 lines per
 * 10 s, and never stops the bridge. An {@link IOException} from {@code serve()} (a device
 * unplugged) ends the serving thread with one error line; {@link #isServing()} then turns
 * false. {@link #close()} stops the thread, waits for it, closes what the bridge opened (its
 * socket or port, its stream) and, when it was built to, the node; it leaves no thread.
 */
public abstract class Bridge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Bridge.class);
  private static final long JOIN_MILLIS = 5_000;

  private final String name;
  private final NetNode node;
  private final boolean closeNode;
  private final BridgeOptions options;
  private final String to;
  private final RateLimiter limiter;
  private final Semaphore inFlight;
  private final WarnLog warnings = new WarnLog(log, 5, TimeUnit.SECONDS.toNanos(10));
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong decimated = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Object lifecycle = new Object();
  private long sinceKept; // serving thread only
  private SampleStream stream;
  private Thread thread;
  private boolean started;
  private boolean closed;
  private volatile boolean stopping;

  /**
   * A bridge named {@code name} (letters, digits, {@code _ - .}) forwarding through {@code node}
   * as {@code options} say; with {@code closeNode}, {@link #close()} closes the node too.
   *
   * @throws IllegalArgumentException for a bad name
   * @throws IllegalStateException when the node has no upstream and the options no recipient
   */
  protected Bridge(String name, NetNode node, boolean closeNode, BridgeOptions options) {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("bridge name must be 1..64 of A-Z a-z 0-9 _ - ., got " + name);
    }
    if (node == null || options == null) {
      throw new IllegalArgumentException("node and options are required");
    }
    this.name = name;
    this.node = node;
    this.closeNode = closeNode;
    this.options = options;
    this.to = options.to() != null ? options.to() : node.upstreamId();
    if (to == null) {
      throw new IllegalStateException(node.id() + " has no upstream: give the bridge a recipient (BridgeOptions.to)");
    }
    this.limiter = options.maxRate() > 0 ? new RateLimiter(options.maxRate(), options.nanoClock()) : null;
    this.inFlight = new Semaphore(options.maxInFlight());
  }

  /** The bridge's name; its thread is {@code stationmq-bridge-NAME}. */
  public final String name() {
    return name;
  }

  /** The node it forwards through. */
  public final NetNode node() {
    return node;
  }

  public final BridgeOptions options() {
    return options;
  }

  /**
   * Opens the input ({@link #initialize()}) and starts serving it. On failure, closes what it
   * owns (the node too, with {@code closeNode}) and rethrows.
   *
   * @throws IOException when the input cannot be opened (a port in use, no such device)
   * @throws IllegalStateException when already started or closed
   */
  public final void start() throws IOException {
    synchronized (lifecycle) {
      if (started || closed) {
        throw new IllegalStateException("bridge " + name + " was already " + (closed ? "closed" : "started"));
      }
      started = true;
    }
    try {
      initialize();
      if (options.forwarding() == Forwarding.STREAM) {
        stream = node.getStream("bridge_" + name, options.key(), options.streamOptions());
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      thread = new Thread(this::run, "stationmq-bridge-" + name);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void run() {
    try {
      serve();
    } catch (IOException | RuntimeException e) {
      if (!stopping) {
        log.error("bridge {} stopped serving: {}", name, e.toString());
      }
    } finally {
      warnings.flush();
    }
  }

  /** True while the serving thread runs. */
  public final boolean isServing() {
    Thread t;
    synchronized (lifecycle) {
      t = thread;
    }
    return t != null && t.isAlive() && !stopping;
  }

  /** A snapshot of the counters (each exact; read one after another, not atomically together). */
  public final BridgeStats stats() {
    return new BridgeStats(received.get(), malformed.get(), ignored.get(), decimated.get(), rateLimited.get(),
        dropped.get(), forwarded.get(), confirmed.get(), failed.get());
  }

  /** Opens the input; runs on the thread calling {@link #start()}. */
  protected abstract void initialize() throws IOException;

  /**
   * Reads the input until {@link #isStopping()}, calling {@link #handle} (or {@link
   * #reportMalformed}) for each datagram or frame; runs on the bridge's thread. Should return
   * within about a second of {@link #interrupt()}; should call {@link #idle()} when a read times
   * out.
   */
  protected abstract void serve() throws IOException;

  /**
   * The value to forward for one input, or empty to skip it (counted as ignored); may return a
   * {@link Message} to send as it is. Throws {@link MalformedInputException} for input it cannot
   * read. Runs on the bridge's thread.
   */
  protected abstract Optional<Object> onRaw(byte[] raw, Instant captured);

  /** Makes a blocked {@link #serve()} return soon (close a socket); called once by {@link #close()}. */
  protected abstract void interrupt();

  /** Closes the input, after {@link #serve()} returned (or did not start); called once. */
  protected abstract void release();

  /** True once {@link #close()} began: {@link #serve()} should return. */
  protected final boolean isStopping() {
    return stopping;
  }

  /** For {@link #serve()} when a read timed out: reports warnings held back. */
  protected final void idle() {
    warnings.flush();
  }

  /** Counts an input that could not be read before {@link #onRaw} (a bad frame), with why. */
  protected final void reportMalformed(String reason) {
    received.incrementAndGet();
    malformed.incrementAndGet();
    warnings.warn("bridge {}: malformed input dropped: {}", name, reason);
  }

  /** Handles one input captured at {@code captured}: decode, decimate, rate-limit, forward. */
  protected final void handle(byte[] raw, Instant captured) {
    received.incrementAndGet();
    Optional<Object> value;
    try {
      value = onRaw(raw, captured);
    } catch (MalformedInputException e) {
      malformed.incrementAndGet();
      warnings.warn("bridge {}: malformed input dropped: {}", name, e.getMessage());
      return;
    } catch (RuntimeException e) {
      malformed.incrementAndGet();
      warnings.warn("bridge {}: input of {} bytes dropped, onRaw threw {}", name, raw.length, e.toString());
      return;
    }
    if (value == null || value.isEmpty()) {
      ignored.incrementAndGet();
      return;
    }
    if (++sinceKept < options.every()) {
      decimated.incrementAndGet();
      return;
    }
    sinceKept = 0;
    if (limiter != null && !limiter.tryAcquire()) {
      rateLimited.incrementAndGet();
      return;
    }
    forward(value.get());
  }

  private void forward(Object value) {
    try {
      if (options.forwarding() == Forwarding.CONFIRMED) {
        forwardConfirmed(value);
      } else if (value instanceof Message m) {
        count(node.send(m) == SendResult.QUEUED);
      } else if (options.forwarding() == Forwarding.STREAM) {
        count(stream.push(value));
      } else {
        count(node.send(to, options.key(), value) == SendResult.QUEUED);
      }
    } catch (IllegalStateException | IllegalArgumentException e) {
      dropped.incrementAndGet(); // a closed stream or node, a message it refuses
      warnings.warn("bridge {}: not forwarded: {}", name, e.getMessage());
    }
  }

  private void forwardConfirmed(Object value) {
    if (!inFlight.tryAcquire()) {
      dropped.incrementAndGet();
      warnings.warn("bridge {}: {} confirmed messages in flight, input dropped", name, options.maxInFlight());
      return;
    }
    CompletableFuture<DeliveryReceipt> f;
    try {
      f = value instanceof Message m ? node.sendConfirmed(m) : node.sendConfirmed(to, options.key(), value);
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    forwarded.incrementAndGet();
    f.whenComplete((receipt, error) -> {
      inFlight.release();
      if (error == null) {
        confirmed.incrementAndGet();
      } else {
        failed.incrementAndGet();
        warnings.warn("bridge {}: confirmed message not delivered: {}", name, error.toString());
      }
    });
  }

  private void count(boolean accepted) {
    (accepted ? forwarded : dropped).incrementAndGet();
  }

  /**
   * Stops serving, waits for the thread (up to 5 s, then logs that it is left), closes the
   * input and the stream (sending what it holds) and, if it owns it, the node. Idempotent.
   */
  @Override
  public final void close() {
    Thread t;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = true;
      t = thread;
    }
    interrupt();
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        log.warn("bridge {}: serving thread did not stop within {} ms", name, JOIN_MILLIS);
      }
    }
    release();
    if (stream != null) {
      stream.close();
    }
    if (closeNode) {
      node.close();
    }
    warnings.flush();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + name + " -> " + to + " " + options.key() + ", " + options.forwarding()
        + "}";
  }
}
