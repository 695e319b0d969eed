package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Envelope;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageFormatException;
import io.stationmq.message.MessageIds;
import io.stationmq.message.StreamCodec;
import io.stationmq.message.Timestamps;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What happens to what an endpoint reads: frames become an envelope; pings are echoed; a
 * message for someone else is forwarded without decoding (a Station), or answered with an
 * unreachable notice; a message for this endpoint is decoded and goes to liveness, to delivery
 * (confirmations, notices), to requests (replies, repeats), or, once the de-duplicator and the
 * admin gate let it, to the listens through the {@link HandOver}. Sole owner of the
 * de-duplicator and of the hand-over. A confirmed message is confirmed when its listen has
 * returned ({@link #handled}).
 *
 * <p>With a durable de-duplication window ({@link DedupJournal}) what reaches the listens and
 * what is confirmed waits for the store's commit at the end of each visit of the socket loop
 * ({@link #flush()}; see {@link HandOver}). A repeat of a message that was with the listens when
 * the previous run died is answered with an {@code SMQ_UNREACHABLE} notice marked {@code
 * crashed} (its Java sender's future fails with {@link
 * io.stationmq.netnode.ReceiverCrashedException}), then confirmed so a Python sender stops
 * repeating; it is not handled again.
 *
 * <p>Owned by the socket thread; not thread-safe. It writes through {@link Wire} and the
 * parts it is given.
 */
final class Intake {
  /** What the intake needs of the sockets and of liveness (socket thread). */
  interface Wire {
    /** Echoes a ping, never waiting. */
    void echo(List<byte[]> frames);

    /** Writes {@code body} for {@code to} back through the hop {@code via} (null: upstream). */
    Routes.Result back(String via, String to, byte[] body);

    /** True when {@code peer} may connect within a ttl. */
    boolean mayComeBack(String peer);
  }

  private final EngineConfig config;
  private final String id;
  private final String aliasId;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private final Notifier notifier;
  private final MessageIds ids;
  private final Routes routes;
  private final Liveness liveness;
  private final Delivery delivery;
  private final Requests requests;
  private final Dispatcher dispatcher;
  private final Deduplicator dedup;
  private final LongSupplier clock;
  private final Wire wire;
  private final DurableStore durable;
  private final HandOver handOver;
  /** Listens a durable window lets run ahead per worker: a crash leaves at most this many per worker in doubt. */
  private static final int DURABLE_AHEAD_PER_WORKER = 4;

  Intake(EngineConfig config, Counters counters, RateLimitedLog warnings, Notifier notifier, MessageIds ids,
      Routes routes, Liveness liveness, Delivery delivery, Requests requests, Dispatcher dispatcher, LongSupplier clock,
      Wire wire) {
    this(config, counters, warnings, notifier, ids, routes, liveness, delivery, requests, dispatcher, clock, wire, null);
  }

  /** An intake whose de-duplicator keeps its records in {@code durable} (null: memory only). */
  Intake(EngineConfig config, Counters counters, RateLimitedLog warnings, Notifier notifier, MessageIds ids,
      Routes routes, Liveness liveness, Delivery delivery, Requests requests, Dispatcher dispatcher, LongSupplier clock,
      Wire wire, DurableStore durable) {
    this.config = config;
    this.id = config.id();
    this.aliasId = "_" + id;
    this.counters = counters;
    this.warnings = warnings;
    this.notifier = notifier;
    this.ids = ids;
    this.routes = routes;
    this.liveness = liveness;
    this.delivery = delivery;
    this.requests = requests;
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.wire = wire;
    this.durable = durable;
    DedupJournal journal = durable == null ? null : durable.dedup();
    this.dedup = new Deduplicator(config.options().dedupWindow().toNanos(), config.options().dedupCapacity(),
        counters.dedupEvictedEarly, journal, journal == null ? List.of() : journal.restore(), clock.getAsLong());
    this.handOver = new HandOver(dispatcher, dedup, journal != null, DURABLE_AHEAD_PER_WORKER * config.options().workers(),
        config.options().workerQueueCapacity(), this::confirm);
  }

  /** True while messages wait for room in their workers' queues: the endpoint reads nothing more. */
  boolean isParked() {
    return handOver.isFull();
  }

  /** Offers the held-back messages to their workers again. */
  void retryParked() {
    handOver.retry();
  }

  /** Forgets the held-back messages (closing): neither handled nor confirmed, so their senders repeat them. */
  void dropParked() {
    handOver.drop();
  }

  /**
   * Ends a visit of the socket loop, with durability: one commit of the store for what the visit
   * put on record (messages for the listens, handled ones, new messages of a durable outbox);
   * then the confirmations leave, the messages go to their workers (see {@link HandOver}) and
   * the outbox's new messages are sent (see {@link Delivery#recorded}). With nothing waiting,
   * commits now and then what nothing waits for (removals).
   */
  void flush() {
    if (durable == null) {
      return;
    }
    if (handOver.recordTurn() | delivery.hasUnrecorded()) {
      delivery.recorded(durable.commit());
    } else {
      durable.commitLazily();
    }
    handOver.afterCommit();
  }

  /** Frames read from the ROUTER, over the connection from {@code peerAddress} (null when unknown). */
  void fromRouter(List<byte[]> frames, String peerAddress) {
    Envelope env;
    try {
      env = Envelope.fromRouter(frames);
    } catch (MessageFormatException e) {
      malformed("ROUTER", e.getMessage());
      return;
    }
    String from = env.senderId();
    routes.connected(from);
    liveness.heardFrom(from, peerAddress, clock.getAsLong());
    if (env.isPing()) {
      wire.echo(env.echo());
      return;
    }
    if (oversize(env.body(), from)) {
      return;
    }
    if (config.forwarding() && !isMe(env.recipient())) {
      forward(env, from);
      return;
    }
    deliverLocal(env.body(), from);
  }

  /** Frames read from the upstream DEALER. */
  void fromUpstream(List<byte[]> frames) {
    Envelope env;
    try {
      env = Envelope.fromDealer(frames);
    } catch (MessageFormatException e) {
      malformed("upstream " + config.upstreamId(), e.getMessage());
      return;
    }
    liveness.heardFromUpstream(clock.getAsLong());
    if (env.isPing() || oversize(env.body(), config.upstreamId())) {
      return;
    }
    if (config.forwarding() && env.recipient() != null && !isMe(env.recipient())) {
      forward(env, null);
      return;
    }
    deliverLocal(env.body(), null);
  }

  /** A worker handled {@code inbound}: confirm it now (with a durable window, once that is on record). */
  void handled(Dispatcher.Inbound inbound) {
    handOver.handled(inbound);
  }

  /** Confirms {@code m} back through the hop {@code via} it came by. */
  void confirm(Message m, String via) {
    byte[] c = MessageCodec.encodeConfirm(ids.next(), m.sender(), id, m.id(), Timestamps.now());
    if (wire.back(via, m.sender(), c) == Routes.Result.OK) {
      counters.confirmsSent.increment();
    }
  }

  private boolean isMe(String to) {
    return to == null || to.equals(id) || to.equals(aliasId);
  }

  private boolean oversize(byte[] body, String from) {
    int max = config.options().maxMessageBytes();
    if (body.length <= max) {
      return false;
    }
    counters.oversize.increment();
    String reason = "body of " + body.length + " bytes exceeds maxMessageBytes " + max;
    warnings.warn("{}: dropped input from '{}': {}", id, from, reason);
    notifier.malformed(from, reason);
    return true;
  }

  private void malformed(String source, String reason) {
    counters.malformed.increment();
    warnings.warn("{}: dropped malformed input from {}: {}", id, source, reason);
    notifier.malformed(source, reason);
  }

  /**
   * Decodes a message for this endpoint and settles, answers or hands it on. {@code via} is the
   * ROUTER identity it came from, or null when it came from upstream.
   */
  private void deliverLocal(byte[] body, String via) {
    String confirmed = MessageCodec.peekConfirm(body); // the most common body: no tree for it
    if (confirmed != null) {
      counters.confirmsReceived.increment();
      delivery.settle(confirmed);
      return;
    }
    Message m;
    try {
      m = StreamCodec.decodeDeferred(body); // a STREAM's payload is read on its lane, typed when asked
    } catch (MessageFormatException e) {
      malformed(via == null ? "upstream " + config.upstreamId() : "'" + via + "'", e.getMessage());
      return;
    }
    if (via != null ? liveness.onPeerMessage(via, m) : liveness.onUpstreamMessage(m, clock.getAsLong())) {
      return;
    }
    if (m.key().equals(Keys.CONFIRM)) {
      onConfirm(m);
      return;
    }
    if (m.key().equals(Keys.UNREACHABLE)) {
      onUnreachableNotice(m);
      return;
    }
    if (m.key().equals(Keys.DROPPED)) {
      onDroppedNotice(m);
      return;
    }
    boolean confirm = !m.hasFlag(Flags.NOREPEAT);
    // A request is confirmed by its reply, which saves a message per request; a repeat is
    // answered by Requests. Any other confirmed message is confirmed once its listen has
    // returned (see handled), so a confirmation means handled, not queued.
    boolean confirmWhenHandled = confirm && !m.key().equals(Keys.REQUEST) && !m.key().equals(Keys.REPLY);
    Deduplicator.Seen seen = confirm ? dedup.seen(m, clock.getAsLong(), confirmWhenHandled) : Deduplicator.Seen.NEW;
    if (seen != Deduplicator.Seen.NEW) {
      counters.duplicates.increment();
      if (m.key().equals(Keys.REQUEST)) {
        requests.onRepeat(m, via);
      } else if (seen == Deduplicator.Seen.HANDLED) {
        handOver.confirmWhenRecorded(new Dispatcher.Inbound(m, via, true));
      } else if (seen == Deduplicator.Seen.CRASHED) {
        answerCrashed(m, via);
      } // else its listen is still running: the confirmation follows when it returns
      return;
    }
    if (m.key().equals(Keys.REPLY)) {
      if (confirm) {
        confirm(m, via);
      }
      requests.onReply(m);
      return;
    }
    String refusal = config.gate() == null ? null : config.gate().refusal(m, via);
    if (refusal != null) {
      refuse(m, via, confirm, refusal);
      return;
    }
    handOver.add(new Dispatcher.Inbound(m, via, confirmWhenHandled));
  }

  /**
   * Answers a repeat of a message that was queued for or in its listen when this endpoint's
   * previous run died: perhaps handled, so not handled again; its sender is told.
   */
  private void answerCrashed(Message m, String via) {
    counters.crashedWhileHandling.increment();
    warnings.warn("{}: message {} from '{}' was queued for or in its listen when this endpoint's previous run died;"
        + " not handled again, its sender is told", id, m.id(), m.sender());
    Notices.Unreachable notice = new Notices.Unreachable(m.id(), m.to(), id, "receiver died while handling it", false,
        true);
    wire.back(via, m.sender(), MessageCodec.encode(notice.toMessage(ids.next(), m.sender())));
    handOver.confirmWhenRecorded(new Dispatcher.Inbound(m, via, true));
  }

  /**
   * Drops a message its admin gate refused: counted, logged (rate limited apart from the other
   * warnings, so a flood of refusals cannot hide them), and a confirmed one answered with an
   * {@code SMQ_UNREACHABLE} notice whose reason starts with "refused" (a Java sender's future
   * fails with it), then confirmed (a Python sender ignores the notice and stops repeating on
   * the confirmation; a Java one has settled already and ignores it).
   */
  private void refuse(Message m, String via, boolean confirm, String reason) {
    dedup.handled(m); // settled: a repeat is confirmed again, not refused again
    counters.refused.increment();
    config.gate().warn(reason, m.id());
    if (confirm) {
      wire.back(via, m.sender(), MessageCodec.encode(config.gate().notice(ids.next(), m, reason)));
      confirm(m, via);
    }
  }

  private void onConfirm(Message confirm) {
    counters.confirmsReceived.increment();
    JsonNode value = confirm.valueNode();
    if (!value.isTextual()) {
      malformed("'" + confirm.sender() + "'", "CONFIRM " + confirm.id() + " has a non-string value");
      return;
    }
    delivery.settle(value.textValue());
  }

  /** A Station tells this producer it dropped some of its unconfirmed messages. */
  private void onDroppedNotice(Message notice) {
    Notices.Dropped d = Notices.Dropped.from(notice);
    counters.droppedDownstream.add(d.count());
    warnings.warn("{}: '{}' dropped {} of this endpoint's unconfirmed messages (the last for '{}'): {}", id,
        d.station(), d.count(), d.to(), d.reason());
    notifier.run(listener -> listener.droppedDownstream(d.station(), d.to(), d.count(), d.reason()));
  }

  private void onUnreachableNotice(Message message) {
    Notices.Unreachable notice = Notices.Unreachable.from(message);
    String messageId = notice.messageId();
    if (notice.crashed()) {
      delivery.receiverCrashed(messageId); // false when no longer in flight: settled already
      return;
    }
    String recipient = notice.to();
    String station = notice.station();
    String reason = notice.reason();
    counters.unreachable.increment();
    if (!delivery.unreachable(messageId, recipient, station, reason, notice.retry())) {
      warnings.warn("{}: '{}' could not deliver message {} to '{}': {}", id, station, messageId, recipient, reason);
      notifier.unreachable(recipient, messageId, station + ": " + reason);
    }
  }

  // ------------------------------------------------------------------ forwarding

  private void forward(Envelope env, String via) {
    // What a node (it said HELLO as one) sends is its own and addressed past its HELLO: there
    // is no route to learn and no liveness message to catch, so its body is not read at all.
    // A Station, the upstream, or a peer that said no HELLO may pass on others' messages.
    boolean mayRelay = via == null || !liveness.isNode(via);
    MessageCodec.BodyHeader header = mayRelay ? MessageCodec.peekHeader(env.body()) : null;
    if (header != null && LivenessProtocol.isHopByHop(header.key())) {
      wrongUpstream(env, header, via);
      return;
    }
    if (header != null) {
      routes.learn(header.sender(), via);
    }
    Routes.Result r = routes.forward(env);
    if (r == Routes.Result.OK) {
      counters.forwarded.increment();
    } else if (r == Routes.Result.UNREACHABLE) {
      reportUnreachable(env, header != null ? header : MessageCodec.peekHeader(env.body()), via);
    }
  }

  private void reportUnreachable(Envelope env, MessageCodec.BodyHeader header, String via) {
    counters.unreachable.increment();
    String target = env.nextHop();
    String messageId = header == null ? null : header.id();
    String reason = "no connection or route to '" + target + "'";
    warnings.warn("{}: cannot pass message {} from '{}' on to '{}': {}", id, messageId,
        header == null ? via : header.sender(), env.recipient(), reason);
    notifier.unreachable(env.recipient(), messageId, reason);
    if (header == null || header.key() == null
        || header.key().equals(Keys.CONFIRM) || header.key().equals(Keys.UNREACHABLE)) {
      return;
    }
    // A recipient this Station knows (connected lately, perhaps restarting) may be back within
    // the sender's ttl, and so may any recipient while this Station has just started and
    // cannot know yet: the sender repeats within its ttl instead of failing at once.
    sendNotice(header, env.recipient(), reason, wire.mayComeBack(target), via);
  }

  /**
   * HELLO and heartbeats are for the endpoint a peer connects to, never passed on: one that
   * names another id comes from a peer given the wrong upstream id. It is answered like a
   * message without a route, with a notice naming this endpoint (the peer's link reports the id
   * it should have given), and reported as a refusal.
   */
  private void wrongUpstream(Envelope env, MessageCodec.BodyHeader header, String via) {
    counters.unreachable.increment();
    String reason = "'" + header.sender() + "' names its upstream '" + env.recipient() + "', but this is '" + id + "'";
    warnings.warn("{}: {}", id, reason);
    notifier.run(listener -> listener.peerRefused(header.sender(), "wrong_upstream_id: " + reason));
    sendNotice(header, env.recipient(), reason, false, via);
  }

  /** Tells the sender of {@code header}'s message that this endpoint cannot pass it on to {@code to}. */
  private void sendNotice(MessageCodec.BodyHeader header, String to, String reason, boolean retry, String via) {
    Notices.Unreachable notice = new Notices.Unreachable(header.id(), to, id, reason, retry);
    wire.back(via, header.sender(), MessageCodec.encode(notice.toMessage(ids.next(), header.sender())));
  }
}
