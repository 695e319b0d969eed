package io.stationmq.netnode;

import com.fasterxml.jackson.databind.node.BooleanNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request and reply, both sides: the requests this endpoint is waiting on (with their
 * deadlines) and the replies it gave as a responder (kept to answer a repeat without running
 * the responder again). Sole owner of that state.
 *
 * <p>The protocol: a request is a confirmed {@code REQUEST} message, repeated until its reply
 * arrives; the reply is its confirmation, so a request costs two messages. A responder sends
 * its reply unconfirmed and keeps it; a repeat of the request means the reply was lost, so it
 * is sent again. A repeat that comes before the reply is ready (a responder slower than the
 * first repeat) is confirmed instead, the requester stops repeating, and the reply is then
 * sent confirmed. One atomic {@code putIfAbsent} on the kept replies decides which case
 * applies.
 *
 * <p>Thread-safety: {@link #request} and {@link #provide} from any thread; {@link #answer} on
 * a worker; {@link #onRepeat}, {@link #onReply}, {@link #expire} and {@link #closeAll} on the
 * socket thread. The engine's sockets are reached through {@link Wire}, so this class is
 * unit-tested without sockets.
 */
final class Requests {
  /** How many answered request ids a requester remembers, to tell a reply sent twice from a late one. */
  static final int ANSWER_CAPACITY = 10_000;
  /** Bytes of replies kept for repeated requests; the oldest go first. */
  static final long ANSWER_BYTES = 16L << 20;

  private static final Object REPEAT_CONFIRMED = new Object();

  /** What requests need of the engine. */
  interface Wire {
    /** A builder for a message from this endpoint with a fresh id. */
    Message.Builder message(String to, String key, Object value);

    /** Sends confirmed (any thread). */
    CompletableFuture<DeliveryReceipt> sendConfirmed(Message m);

    /** Queues an unconfirmed message already encoded (any thread). */
    void sendUnconfirmed(Message m, byte[] body);

    /** Writes an unconfirmed message already encoded, now (socket thread). */
    void resendNow(Message m, byte[] body);

    /** Confirms {@code m} back through the hop it came by (socket thread). */
    void confirm(Message m, String via);

    /** Settles the delivery of this endpoint's message {@code messageId} (socket thread). */
    void settle(String messageId);

    /** Wakes the socket thread, so its poll does not outlast a new deadline. */
    void wakeUp();
  }

  /** Completes futures off the socket thread (the engine's callback thread). */
  interface Completions {
    <T> void complete(CompletableFuture<T> future, T value);

    void failWith(CompletableFuture<?> future, Throwable error);
  }

  private record Pending(String id, String name, String to, Duration timeout, long deadlineNanos, long seq,
      CompletableFuture<Message> future) {}

  /** Deadline order; {@code seq} tells apart requests given the same deadline. */
  private static final Comparator<Pending> BY_DEADLINE =
      Comparator.comparingLong(Pending::deadlineNanos).thenComparingLong(Pending::seq);

  private final String id;
  private final Wire wire;
  private final Completions completions;
  private final Counters counters;
  private final RateLimitedLog warnings;
  private final NanoClock ticker;
  private final Map<String, Responder> responders = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  /**
   * The waiting requests by deadline; a request leaves when it is answered, fails or expires, so
   * this holds what waits, not every request of the last timeout (any thread).
   */
  private final ConcurrentSkipListMap<Pending, Boolean> deadlines = new ConcurrentSkipListMap<>(BY_DEADLINE);
  private final AtomicLong requestSeq = new AtomicLong();
  /**
   * What this endpoint, as a responder, did about each recent request: the reply it sent
   * unconfirmed, as its encoded bytes (decoded again only for a repeat: a responder keeps tens of
   * thousands, and a message's tree weighs several times its bytes), or {@link #REPEAT_CONFIRMED}
   * when a repeat came first and was confirmed.
   * Written by workers and the socket thread, each decision one atomic putIfAbsent.
   */
  private final FifoCache<MessageKey, Object> answers;
  /** Ids of this endpoint's requests answered lately (socket thread). */
  private final FifoCache<String, Boolean> answered;

  Requests(String id, Wire wire, Completions completions, Counters counters, RateLimitedLog warnings, NanoClock ticker,
      Duration keepRepliesFor, boolean keepReplies) {
    this.id = id;
    this.wire = wire;
    this.completions = completions;
    this.counters = counters;
    this.warnings = warnings;
    this.ticker = ticker;
    long keepNanos = keepRepliesFor.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE : keepRepliesFor.toNanos();
    this.answers = new FifoCache<>(keepReplies ? ANSWER_BYTES : 0, keepNanos, ticker,
        v -> 256 + (v instanceof byte[] body ? body.length : 0));
    this.answered = new FifoCache<>(ANSWER_CAPACITY, Long.MAX_VALUE, ticker, v -> 1);
  }

  /** See {@link io.stationmq.netnode.Endpoint#provide}. */
  void provide(String name, Responder responder) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("request name must be non-empty");
    }
    responders.put(name, Objects.requireNonNull(responder, "responder"));
  }

  /** See {@link io.stationmq.netnode.Endpoint#request(Message, Duration)}. */
  CompletableFuture<Message> request(Message request, Duration timeout) {
    String name = request.key().equals(Keys.REQUEST) ? request.extraText("request").orElse(null) : null;
    if (name == null) {
      throw new IllegalArgumentException("not a request message (build one with requestMessage): " + request);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    CompletableFuture<Message> reply = new CompletableFuture<>();
    Pending p = new Pending(request.id(), name, request.to(), timeout, ticker.read() + timeout.toNanos(),
        requestSeq.incrementAndGet(), reply);
    if (pending.putIfAbsent(request.id(), p) != null) {
      // Replacing the waiting request would leave its future without a reply, deadline or close.
      completions.failWith(reply, new DuplicateMessageException(request.id(), request.to()));
      return reply;
    }
    deadlines.put(p, Boolean.TRUE);
    wire.sendConfirmed(request).whenComplete((receipt, error) -> {
      if (error != null && pending.remove(request.id(), p)) {
        deadlines.remove(p);
        reply.completeExceptionally(error);
      }
    });
    wire.wakeUp();
    return reply;
  }

  /**
   * Answers a request on a worker thread: runs its responder and sends the reply, unconfirmed
   * (the requester's repeats of the request stand in for the reply's), unless a repeat was
   * already confirmed.
   */
  void answer(Message request) {
    String name = request.extraText("request").orElse("");
    Responder responder = responders.get(name);
    Message.Builder reply = wire.message(request.sender(), Keys.REPLY, null).extra("reply_to", request.id());
    if (responder == null) {
      fail(reply, "unknown_request", "'" + id + "' has no responder for '" + name + "'");
    } else {
      try {
        reply.value(responder.respond(request)).extra("ok", true);
      } catch (RemoteException e) {
        fail(reply, e.code(), e.remoteMessage());
      } catch (Exception e) {
        fail(reply, "error", e.toString());
      }
    }
    Message unconfirmed = reply.flag(Flags.NOREPEAT).build();
    byte[] body = MessageCodec.encode(unconfirmed);
    if (answers.putIfAbsent(MessageKey.of(request), body) == null) {
      wire.sendUnconfirmed(unconfirmed, body); // the requester repeats the request until a reply arrives
      return;
    }
    // A repeat was confirmed before this reply was ready: the requester no longer repeats, so
    // the reply itself must be confirmed and repeated.
    Message confirmed = unconfirmed.newBuilder().clearFlag(Flags.NOREPEAT).build();
    wire.sendConfirmed(confirmed).whenComplete((receipt, error) -> {
      if (error != null) {
        warnings.warn("{}: reply to request {} from '{}' was not delivered: {}", id, request.id(), request.sender(),
            error.getMessage());
      }
    });
  }

  /**
   * A repeat of a request this endpoint has seen (socket thread): sends the reply again if it
   * was sent, since the repeat means it was lost; else confirms the repeat, so the requester
   * waits for the reply.
   */
  void onRepeat(Message request, String via) {
    Object answer = answers.putIfAbsent(MessageKey.of(request), REPEAT_CONFIRMED);
    if (answer instanceof byte[] body) {
      wire.resendNow(MessageCodec.decode(body), body); // bytes this endpoint encoded: they decode
    } else {
      wire.confirm(request, via);
    }
  }

  private static void fail(Message.Builder reply, String code, String message) {
    reply.value(null).extra("ok", false).extra("error", new Notices.ReplyError(code, message).toValue());
  }

  /** Settles the request a reply answers (socket thread). */
  void onReply(Message reply) {
    String requestId = reply.extraText("reply_to").orElse(null);
    if (requestId != null) {
      wire.settle(requestId);
    }
    Pending p = requestId == null ? null : pending.remove(requestId);
    if (p == null) {
      if (requestId != null && answered.get(requestId) != null) {
        counters.duplicates.increment(); // sent again for a repeat of the request that crossed the reply
      } else {
        counters.lateReplies.increment();
      }
      return;
    }
    deadlines.remove(p);
    answered.putIfAbsent(requestId, Boolean.TRUE);
    if (reply.extras().getOrDefault("ok", BooleanNode.TRUE).asBoolean(true)) {
      completions.complete(p.future(), reply);
      return;
    }
    Notices.ReplyError error = Notices.ReplyError.from(reply.extras().get("error"));
    String code = error.code();
    String message = error.message();
    completions.failWith(p.future(), new RemoteException(code, message, reply.sender()));
  }

  /** Fails the requests whose deadline has passed (socket thread). */
  void expire(long now) {
    Pending p;
    while ((p = nextDeadline()) != null && p.deadlineNanos() <= now) {
      deadlines.remove(p);
      if (pending.remove(p.id(), p)) {
        completions.failWith(p.future(), new RequestTimeoutException(p.id(), p.name(), p.to(), p.timeout()));
      }
    }
  }

  /** Nanoseconds until the next request deadline, or {@code Long.MAX_VALUE} when none waits. */
  long nanosUntilNextDeadline(long now) {
    Pending next = nextDeadline();
    return next == null ? Long.MAX_VALUE : Math.max(0, next.deadlineNanos() - now);
  }

  private Pending nextDeadline() {
    Map.Entry<Pending, Boolean> first = deadlines.firstEntry();
    return first == null ? null : first.getKey();
  }

  /** Fails every request still waiting: the endpoint closes (socket thread). */
  void closeAll() {
    for (Pending p : pending.values()) {
      if (pending.remove(p.id(), p)) {
        completions.failWith(p.future(), new EndpointClosedException(id, p.id(), p.to(), 0));
      }
    }
    deadlines.clear();
  }

  /** Deadlines being watched (for tests): one per waiting request. */
  int deadlinesWaiting() {
    return deadlines.size();
  }

  /** Requests waiting for their reply (for tests). */
  int waiting() {
    return pending.size();
  }
}
