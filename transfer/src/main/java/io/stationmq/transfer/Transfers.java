package io.stationmq.transfer;

import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.RemoteException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Large transfers for one endpoint: files and other {@link TransferSource}s sent in chunks with a
 * bounded window, a SHA-256 over the whole content checked by the receiver, resume after a
 * reconnect or a restart of either side, and progress; and, with {@link #receive}, the receiving
 * side. Built on the endpoint's public API (requests named {@code SMQ_XFER_*}; see the README's
 * "Large transfers"), so both sides need a {@code Transfers} on their endpoint. One per endpoint:
 * it registers those requests' responders.
 *
 * <p>Memory: a sender holds at most {@link TransferOptions#window()} chunks unconfirmed (each also
 * in the endpoint's outbox, as base64), a receiver at most that many chunks that came ahead of a
 * missing one, whatever the size of the content.
 *
 * <p>Threads: each outgoing transfer runs on its own thread {@code
 * stationmq-transfer-ENDPOINT-send-N} (it reads the source and waits for the window); incoming
 * chunks are written on the endpoint's workers, in order per sender. A {@link ReceiveHandler}
 * and a {@link ChunkConsumer} run there too.
 *
 * <p>Failures: an outgoing transfer's future fails only with a {@link TransferException}. A
 * timeout, an unreachable receiver or a receiver that restarted make the sender ask the receiver
 * where to continue, for up to {@link TransferOptions#resumeTimeout()} without progress. A
 * receiver's refusal (a bad name, a chunk beyond the declared size, an offset gap, a wrong hash,
 * a declared size over the limit) fails the transfer on both sides with its code, counted in
 * {@link #stats()} and logged (rate-limited); nothing is ever written outside the target
 * directory. Thread-safe.
 */
public final class Transfers implements AutoCloseable {
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final Endpoint endpoint;
  private final TransferOptions options;
  private final Counters counters;
  private final Receiver receiver;
  private final Set<Sender> sending = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threads = new AtomicInteger();
  private volatile boolean closed;

  private Transfers(Endpoint endpoint, TransferOptions options) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.options = Objects.requireNonNull(options, "options");
    this.counters = new Counters(endpoint.id());
    this.receiver = new Receiver(endpoint.id(), options, counters);
    endpoint.provide(Wire.OPEN, receiver::open);
    endpoint.provide(Wire.CHUNK, receiver::chunk);
    endpoint.provide(Wire.DONE, receiver::done);
  }

  /** Transfers on {@code endpoint} with the default options. */
  public static Transfers on(Endpoint endpoint) {
    return new Transfers(endpoint, TransferOptions.defaults());
  }

  /** Transfers on {@code endpoint} with {@code options}. */
  public static Transfers on(Endpoint endpoint, TransferOptions options) {
    return new Transfers(endpoint, options);
  }

  /** Sends {@code file} to {@code to} under its own file name, with a new id. */
  public TransferHandle send(String to, Path file) {
    return send(to, TransferSource.of(file), file.getFileName().toString());
  }

  /** Sends {@code source} to {@code to} as {@code name}, with a new id. */
  public TransferHandle send(String to, TransferSource source, String name) {
    return send(to, source, name, UUID.randomUUID().toString());
  }

  /**
   * Sends {@code source} to {@code to} as {@code name} under {@code id}: a sender that restarts
   * gives the same id to continue where the receiver's partial file ends.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public TransferHandle send(String to, TransferSource source, String name, String id) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(id, "id");
    if (closed) {
      throw new IllegalStateException("Transfers of '" + endpoint.id() + "' is closed");
    }
    Sender sender = new Sender(endpoint, options, counters, to, source, name, id);
    sending.add(sender);
    sender.done().whenComplete((r, e) -> sending.remove(sender));
    sender.start("stationmq-transfer-" + endpoint.id() + "-send-" + threads.incrementAndGet());
    return new TransferHandle(sender);
  }

  /** Receives transfers where {@code handler} decides (replaces an earlier handler). */
  public void receive(ReceiveHandler handler) {
    receiver.handler(Objects.requireNonNull(handler, "handler"));
  }

  /** Receives every transfer into {@code directory}, which must exist. */
  public void receiveInto(Path directory) {
    TransferTarget target = TransferTarget.directory(directory);
    receive(offer -> target);
  }

  /** A snapshot of the counters. */
  public TransferStats stats() {
    return counters.snapshot();
  }

  /**
   * Fails the outgoing transfers (code {@code closed}) and waits briefly for their threads;
   * closes incoming files, keeping partial ones for a resume; later requests are refused as
   * {@code not_receiving}. Does not close the endpoint. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    receiver.close();
    for (Sender s : sending) {
      s.stop(new TransferException("closed", "Transfers of '" + endpoint.id() + "' closed"));
    }
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    for (Sender s : sending) {
      try {
        s.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!endpoint.isClosed()) {
      for (String name : new String[] {Wire.OPEN, Wire.CHUNK, Wire.DONE}) {
        endpoint.provide(name, request -> {
          throw new RemoteException("not_receiving", endpoint.id() + " stopped receiving transfers");
        });
      }
    }
  }
}
