package io.stationmq.netnode;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The callers' side of sending: checks a message and its route, encodes it on the calling
 * thread, decides whether the endpoint's send queue has room (waiting for it when {@link
 * EndpointOptions#sendQueueFullWait()} asks to), and hands it to the socket loop as an {@link
 * Outgoing} in the endpoint's {@link CommandQueue}. A confirmed message's future is made here
 * and reserved in the {@link Delivery}'s in-flight count; refusals fail it at once.
 *
 * <p>Thread-safe: any thread may send. {@link #failLeftover} runs once the loop has stopped.
 */
final class CallerSends {
  /** A message handed to the socket loop: encoded, with its route; {@code pending} when confirmed. */
  record Outgoing(Message message, byte[] body, Route route, Outbox.Pending pending) {}

  private final String id;
  private final EndpointOptions options;
  private final boolean hasUpstream;
  private final CommandQueue commands;
  private final PeerWriter writer;
  private final Delivery delivery;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private final BooleanSupplier closing;
  private final BooleanSupplier terminated;

  CallerSends(String id, EndpointOptions options, boolean hasUpstream, CommandQueue commands, PeerWriter writer,
      Delivery delivery, Counters counters, RateLimitedLog warnings, BooleanSupplier closing,
      BooleanSupplier terminated) {
    this.id = id;
    this.options = options;
    this.hasUpstream = hasUpstream;
    this.commands = commands;
    this.writer = writer;
    this.delivery = delivery;
    this.counters = counters;
    this.warnings = warnings;
    this.closing = closing;
    this.terminated = terminated;
  }

  /** Sends without confirmation; adds {@link Flags#NOREPEAT}. Says what became of it (see {@link SendResult}). */
  SendResult send(Message message, Route route) {
    checkRoute(message, route);
    Message m = message.hasFlag(Flags.NOREPEAT) ? message : message.newBuilder().flag(Flags.NOREPEAT).build();
    return sendEncoded(m, MessageCodec.encode(Delivery.wireForm(m)), route);
  }

  /**
   * Queues an unconfirmed message already encoded. When the queue is full, waits for room up
   * to {@link EndpointOptions#sendQueueFullWait()}, then drops it, counted.
   */
  SendResult sendEncoded(Message m, byte[] body, Route route) {
    boolean room = hasSendCapacity();
    if (!room && !closing.getAsBoolean() && !options.sendQueueFullWait().isZero()) {
      // Room seen once is room taken: the capacity is approximate, and a second look could
      // catch a message between the queue and a full peer's backlog and drop it wrongly.
      room = SendQueueWait.await(this::hasSendCapacity, closing, options.sendQueueFullWait());
    }
    if (closing.getAsBoolean()) {
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

  /** Sends with confirmation; see {@link Endpoint#sendConfirmed}. */
  CompletableFuture<DeliveryReceipt> sendConfirmed(Message message, Route route) {
    checkRoute(message, route);
    if (message.hasFlag(Flags.NOREPEAT)) {
      throw new IllegalArgumentException("message " + message.id() + " has NOREPEAT: receivers would never confirm it");
    }
    CompletableFuture<DeliveryReceipt> future = new CompletableFuture<>();
    if (closing.getAsBoolean()) {
      future.completeExceptionally(new EndpointClosedException(id, message.id(), message.to(), 0));
      return future;
    }
    if (!delivery.reserve()) {
      future.completeExceptionally(new OutboxFullException(message.id(), message.to(), options.maxInFlight()));
      return future;
    }
    byte[] body = MessageCodec.encode(Delivery.wireForm(message));
    Outbox.Pending pending = delivery.pending(message, route, future);
    enqueue(new Outgoing(message, body, route, pending));
    Delivery.awaitRecorded(pending); // Durability hook: with a durable outbox, return once it is on record
    return future;
  }

  private void checkRoute(Message m, Route route) {
    if (route != Route.AUTO && !hasUpstream) {
      throw new IllegalStateException(id + ": route " + route + " needs an upstream, and this endpoint has none");
    }
    if (route == Route.DIRECT && m.isMultihop()) {
      throw new IllegalArgumentException("route DIRECT takes a single recipient, not the path " + m.path());
    }
  }

  /** True while fewer than {@link EndpointOptions#sendQueueCapacity()} messages wait to be sent. */
  boolean hasSendCapacity() {
    // Writes waiting for a full peer count too: a producer faster than its consumer fills its
    // own send queue, so it is told (send returns DROPPED_QUEUE_FULL) or slowed down
    // (sendQueueFullWait, a stream's BLOCK) instead of losing messages further on.
    return commands.queuedSends() + writer.waitingNow() < options.sendQueueCapacity();
  }

  private void enqueue(Outgoing command) {
    commands.addSend(command);
    if (terminated.getAsBoolean()) {
      failLeftover();
    }
  }

  /** Fails what was queued but never taken: the loop has stopped (closing). */
  void failLeftover() {
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
}
