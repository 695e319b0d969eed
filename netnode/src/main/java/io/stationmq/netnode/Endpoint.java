package io.stationmq.netnode;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What NetNodes and Stations have in common: listens per key, unconfirmed and confirmed
 * sends, counters, and closing.
 *
 * <p>Thread-safe: any thread (including a listen) may call any method. Sending never blocks:
 * the message is encoded on the calling thread and handed to the endpoint's socket thread.
 * After {@link #close()}, unconfirmed sends are dropped with a warning and confirmed sends
 * fail with {@link EndpointClosedException}.
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
   * once to {@code type}. Replaces any listen for the same key.
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
   * A builder for a message from this endpoint, with a fresh id, this endpoint as sender, and
   * the given recipient, key and value.
   */
  Message.Builder message(String to, String key, Object value);

  /**
   * Sends without confirmation (at most once). The message is sent with {@link
   * Flags#NOREPEAT}, so receivers do not confirm it.
   */
  void send(Message message, Route route);

  /**
   * Sends with confirmation: re-sent until the recipient confirms or the ttl is spent. The
   * future completes on the endpoint's callback thread (never its socket thread) with a
   * receipt, or fails with a {@link DeliveryException}.
   *
   * @throws IllegalArgumentException if the message carries {@link Flags#NOREPEAT}
   */
  CompletableFuture<DeliveryReceipt> sendConfirmed(Message message, Route route);

  /** Sends without confirmation, routed automatically. */
  default void send(Message message) {
    send(message, Route.AUTO);
  }

  /** Sends {@code value} under {@code key} to {@code to} without confirmation. */
  default void send(String to, String key, Object value) {
    send(message(to, key, value).build(), Route.AUTO);
  }

  /** Sends with confirmation, routed automatically. */
  default CompletableFuture<DeliveryReceipt> sendConfirmed(Message message) {
    return sendConfirmed(message, Route.AUTO);
  }

  /** Sends {@code value} under {@code key} to {@code to} with confirmation. */
  default CompletableFuture<DeliveryReceipt> sendConfirmed(String to, String key, Object value) {
    return sendConfirmed(message(to, key, value).build(), Route.AUTO);
  }

  /** A snapshot of the counters. */
  EndpointStats stats();

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
