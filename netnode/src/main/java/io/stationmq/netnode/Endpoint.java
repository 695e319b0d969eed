package io.stationmq.netnode;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What NetNodes and Stations have in common: listens per key, unconfirmed and confirmed
 * sends, counters, and closing.
 *
 * <p>Thread-safe: any thread (including a listen) may call any method. Sending does not block
 * (unless {@link EndpointOptions#sendQueueFullWait()} asks it to): the message is encoded on
 * the calling thread and handed to the endpoint's socket thread. An unconfirmed {@code send}
 * returns a {@link SendResult} saying whether it was queued, dropped because the send queue
 * was full, or refused because the endpoint is closed; confirmed sends fail their future
 * instead ({@link OutboxFullException}, {@link EndpointClosedException}).
 */
public interface Endpoint extends AutoCloseable {
  /** This endpoint's id, which is also its ZeroMQ socket identity. */
  String id();

  /** Registers (or replaces) the listen for {@code key}. */
  void on(String key, Listen listen);

  /**
   * Registers (or replaces) a batch listen for {@code key}: each {@code STREAM} batch whose
   * inner key is {@code key} arrives in one call (a plain message under {@code key} as a batch
   * of one). Replaces a {@link Listen} for the same key.
   */
  void onBatch(String key, BatchListen listen);

  /**
   * Registers a typed sample listen for {@code key}: one call per stream sample, each decoded
   * once to {@code type}. A record or bean type is read straight from the body's bytes, without
   * a JSON tree per sample (the fast path for high-rate streams). Replaces any listen for the
   * same key.
   */
  default <T> void onSamples(String key, Class<T> type, SampleListen<T> listen) {
    onBatch(key, batch -> {
      for (T sample : batch.samples(type)) {
        listen.handle(sample);
      }
    });
  }

  /** Removes the listen (of any kind) for {@code key}, if any. */
  void off(String key);

  /** What this endpoint has received of each stream, with lost batches counted. */
  List<ReceivedStream> receivedStreams();

  /**
   * Messages handed to this endpoint's listens so far, per key (a {@code STREAM} batch counted
   * once, under its inner key; messages with no listen included), in key order: a snapshot.
   * Forwarded messages are not counted (a Station does not read their bodies). At most 1,000
   * keys are counted apart; the rest add to an entry {@code "(other keys)"}.
   */
  Map<String, Long> receivedByKey();

  /**
   * A builder for a message from this endpoint, with a fresh id, this endpoint as sender, and
   * the given recipient, key and value.
   */
  Message.Builder message(String to, String key, Object value);

  /**
   * Sends without confirmation (at most once). The message is sent with {@link
   * Flags#NOREPEAT}, so receivers do not confirm it.
   *
   * @return {@link SendResult#QUEUED} when handed to the socket thread (not a proof of
   *     delivery); {@link SendResult#DROPPED_QUEUE_FULL} when {@link
   *     EndpointOptions#sendQueueCapacity()} messages already waited (for longer than {@link
   *     EndpointOptions#sendQueueFullWait()}), counted in {@link EndpointStats#dropped()};
   *     {@link SendResult#CLOSED} after {@link #close()}
   */
  SendResult send(Message message, Route route);

  /**
   * Sends with confirmation: re-sent until the recipient confirms or the ttl is spent. The
   * future completes with a receipt, or fails with a {@link DeliveryException} and nothing
   * else: {@link TtlExpiredException}, {@link UnreachableException}, {@link
   * EndpointClosedException}, {@link OutboxFullException} (refused at once: too many in
   * flight), {@link DuplicateMessageException} (refused: this message is already in flight),
   * {@link ReceiverCrashedException} (the recipient died while handling it; see {@link
   * Durability}) or {@link DurableStoreException} (this endpoint's durable outbox could not
   * record it). It completes on the endpoint's callback thread (never its socket thread), except
   * that a send refused at once by a closed endpoint or a full outbox returns a future already
   * failed. With a durable outbox ({@link Durability#outbox()}) it returns only once the message
   * is on record.
   *
   * @throws IllegalArgumentException if the message carries {@link Flags#NOREPEAT}, or if
   *     {@code route} is {@link Route#DIRECT} and the message has a multihop path
   * @throws IllegalStateException if {@code route} is not {@link Route#AUTO} and the endpoint
   *     has no upstream
   */
  CompletableFuture<DeliveryReceipt> sendConfirmed(Message message, Route route);

  /** Sends without confirmation, routed automatically; see {@link #send(Message, Route)}. */
  default SendResult send(Message message) {
    return send(message, Route.AUTO);
  }

  /**
   * Sends {@code value} under {@code key} to {@code to} without confirmation; see {@link
   * #send(Message, Route)}.
   */
  default SendResult send(String to, String key, Object value) {
    return send(message(to, key, value).build(), Route.AUTO);
  }

  /** Sends with confirmation, routed automatically. */
  default CompletableFuture<DeliveryReceipt> sendConfirmed(Message message) {
    return sendConfirmed(message, Route.AUTO);
  }

  /** Sends {@code value} under {@code key} to {@code to} with confirmation. */
  default CompletableFuture<DeliveryReceipt> sendConfirmed(String to, String key, Object value) {
    return sendConfirmed(message(to, key, value).build(), Route.AUTO);
  }

  /**
   * A builder for a request named {@code name} with arguments {@code args} (any JSON value),
   * to send with {@link #request(Message, Duration)}; set a multihop path on it if needed.
   */
  Message.Builder requestMessage(String to, String name, Object args);

  /**
   * Sends a request (confirmed; its reply is the confirmation) and returns a future of the
   * reply message, whose value is the answer. The future completes on the callback thread; it
   * fails with {@link RemoteException} when the responder failed or has no such request, {@link
   * RequestTimeoutException} when no reply came within {@code timeout}, or the {@link
   * DeliveryException} that kept the request from arriving. Built-in requests every endpoint
   * answers: {@code PING} and {@code INFO}.
   */
  CompletableFuture<Message> request(Message request, Duration timeout);

  /** Sends the request {@code name} to {@code to}; see {@link #request(Message, Duration)}. */
  default CompletableFuture<Message> request(String to, String name, Object args, Duration timeout) {
    return request(requestMessage(to, name, args).build(), timeout);
  }

  /**
   * Like {@link #request(String, String, Object, Duration)}, with the answer converted to {@code
   * type}; the future also fails with {@link io.stationmq.message.MessageFormatException} when
   * the answer does not convert.
   */
  default <T> CompletableFuture<T> request(String to, String name, Object args, Class<T> type, Duration timeout) {
    return request(to, name, args, timeout).thenApply(reply -> reply.value(type));
  }

  /** Registers (or replaces) the responder for requests named {@code name}. */
  void provide(String name, Responder responder);

  /** This endpoint's topics: publish, subscribe, groups, the registry (see {@link Topics}). */
  Topics topics();

    /**
   * The endpoints connected to this one's ROUTER (a Station's nodes and child stations), with
   * their liveness; empty for a NetNode without a router port.
   */
  List<DirectoryEntry> directory();

  /** A snapshot of the counters. */
  EndpointStats stats();

  // Replicated state (README, Replicated state).
  /** The replicated state this endpoint owns; see {@link OwnState}. */
  OwnState state();

  /**
   * A local replica of {@code owner}'s state, replicated from this endpoint's upstream Station
   * from now on (the first call asks for it; see {@link StateReplica}). On a Station, its own
   * table.
   */
  StateReplica state(String owner);

  /**
   * Calls {@code listener} with every change of {@code owner}'s state ({@code "*"}: every owner
   * the upstream Station knows of), starting with a snapshot; see {@link StateListener}.
   */
  void watchState(String owner, StateListener listener);

  /** A snapshot of the replicated state's counters. */
  StateStats stateStats();

  /** True once {@link #close()} has been called. */
  boolean isClosed();

  /**
   * Stops the endpoint: pending confirmed sends fail with {@link EndpointClosedException},
   * queued listens run, sockets close, every thread ends. Idempotent; may be called from a
   * listen.
   */
  @Override
  void close();
}
