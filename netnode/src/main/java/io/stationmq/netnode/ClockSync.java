package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an endpoint's estimate of its clock's offset to its upstream Station: runs {@code TIME}
 * exchanges (a burst of {@link #BURST} when the upstream answers HELLO, then one every {@code
 * interval}) over the request path, and feeds them to a {@link ClockFilter}. Only an upstream
 * that answered HELLO (a stationmq Station) is asked: a Python station is never sent a {@code
 * TIME}. An upstream that does not answer one (an older stationmq) is asked again later,
 * backing off to once every {@link #MAX_BACKOFF_NANOS}, and logged once, at DEBUG.
 *
 * <p>Threads: {@link #tick} and {@link #nanosUntilNextTick} on the socket loop, which starts at
 * most one exchange at a time and never waits for one; an exchange ends on the endpoint's
 * callback lane, which feeds the filter and wakes the loop; {@link #offset()} and {@link
 * #report()} from any thread. The filter is guarded by this object's lock (held for a few
 * microseconds).
 */
final class ClockSync {
  static final String REQUEST = "TIME";
  static final int BURST = 8;
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final long MAX_BACKOFF_NANOS = 300_000_000_000L;

  private static final Logger log = LoggerFactory.getLogger(ClockSync.class);
  private static final int IDLE = 0;
  private static final int IN_FLIGHT = 1;
  private static final int ANSWERED = 2;
  private static final int FAILED = 3;

  /** Sends one {@code TIME} request to the upstream (socket loop; must not block). */
  interface Exchange {
    CompletableFuture<Message> time(Duration timeout);
  }

  private final String id;
  private final WallClock wall;
  private final long intervalNanos;
  private final Exchange exchange;
  private final Runnable wakeUp;
  private final ClockFilter filter = new ClockFilter();
  private final AtomicInteger state = new AtomicInteger(IDLE);

  // Socket loop only.
  private boolean connected;
  private int burstLeft;
  private long nextDue;
  private int failures;
  private boolean failureLogged;

  ClockSync(String id, WallClock wall, Duration interval, Exchange exchange, Runnable wakeUp) {
    this.id = id;
    this.wall = wall;
    this.intervalNanos = interval.toNanos();
    this.exchange = exchange;
    this.wakeUp = wakeUp;
  }

  /** Starts what is due (socket loop); {@code upstreamConnected}: the upstream answered HELLO. */
  void tick(long now, boolean upstreamConnected) {
    if (intervalNanos == 0) {
      return;
    }
    if (upstreamConnected && !connected) {
      burstLeft = BURST; // (re)connected: measure again at once
      nextDue = now;
    }
    connected = upstreamConnected;
    int s = state.get();
    if (s == ANSWERED || s == FAILED) {
      state.set(IDLE);
      if (s == ANSWERED) {
        failures = 0;
        nextDue = burstLeft > 0 ? now : now + intervalNanos;
      } else {
        failures++;
        burstLeft = 0;
        long backoff = intervalNanos << Math.min(failures, 16);
        nextDue = now + Math.min(MAX_BACKOFF_NANOS, Math.max(intervalNanos, backoff));
      }
    }
    if (!connected || state.get() != IDLE || now < nextDue) {
      return;
    }
    burstLeft = Math.max(0, burstLeft - 1);
    state.set(IN_FLIGHT);
    long t0 = wall.epochNanos();
    CompletableFuture<Message> reply;
    try {
      reply = exchange.time(TIMEOUT);
    } catch (RuntimeException e) {
      state.set(FAILED);
      return;
    }
    reply.whenComplete((m, error) -> ended(t0, m, error));
  }

  /** An exchange ended (callback lane). */
  private void ended(long t0, Message reply, Throwable error) {
    long t3 = wall.epochNanos();
    boolean ok = false;
    if (error == null) {
      TimeAnswer answer = TimeAnswer.from(reply.valueNode());
      if (answer != null) {
        synchronized (this) {
          ok = filter.add(new ClockFilter.Sample(t0, answer.receiveNanos(), answer.sendNanos(), t3));
        }
      }
    }
    if (!ok && !failureLogged) {
      failureLogged = true;
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      log.debug("{}: no usable TIME answer from the upstream ({}); asking again later, less and less often", id,
          cause == null ? "bad reply" : cause.toString());
    }
    state.set(ok ? ANSWERED : FAILED);
    wakeUp.run();
  }

  /** Nanoseconds until {@link #tick} has something to start. */
  long nanosUntilNextTick(long now) {
    int s = state.get();
    if (intervalNanos == 0 || s == IN_FLIGHT) {
      return Long.MAX_VALUE;
    }
    if (s != IDLE) {
      return 0;
    }
    return connected ? Math.max(0, nextDue - now) : Long.MAX_VALUE;
  }

  /** The estimate now (any thread). */
  synchronized ClockOffset offset() {
    return filter.estimate(wall.epochNanos());
  }

  /**
   * The answer to a {@code TIME} request: the responder's wall clock, in epoch nanoseconds, when
   * it received the request and when it answered ({@code receive_ns}, {@code send_ns}).
   */
  record TimeAnswer(long receiveNanos, long sendNanos) {
    Map<String, Object> toValue() {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("receive_ns", receiveNanos);
      v.put("send_ns", sendNanos);
      return v;
    }

    /** Reads an answer; null when either time is missing or not an integer. */
    static TimeAnswer from(JsonNode v) {
      if (!v.path("receive_ns").isIntegralNumber() || !v.path("send_ns").isIntegralNumber()) {
        return null;
      }
      return new TimeAnswer(v.path("receive_ns").asLong(), v.path("send_ns").asLong());
    }
  }

  /** The estimate as heartbeat fields (empty while unknown); any thread. */
  Map<String, Object> report() {
    return report(offset());
  }

  /** An estimate as heartbeat fields (empty while unknown). */
  static Map<String, Object> report(ClockOffset o) {
    Map<String, Object> v = new LinkedHashMap<>();
    if (o.isKnown()) {
      v.put("clock_offset_ns", o.offsetNanos());
      v.put("clock_uncertainty_ns", o.uncertaintyNanos());
      v.put("clock_drift_ppm", o.drift());
      v.put("clock_drift_uncertainty_ppm", o.driftUncertainty());
      v.put("clock_samples", o.samples());
    }
    return v;
  }

  /** A peer's estimate from its heartbeat fields, measured at {@code receivedEpochNanos}; unknown without them. */
  static ClockOffset fromReport(JsonNode v, long receivedEpochNanos) {
    if (!v.path("clock_offset_ns").isIntegralNumber() || !v.path("clock_uncertainty_ns").isIntegralNumber()
        || v.path("clock_uncertainty_ns").asLong() < 0 || v.path("clock_drift_uncertainty_ppm").asDouble(0) < 0) {
      return ClockOffset.unknown();
    }
    double drift = v.path("clock_drift_ppm").asDouble(0);
    double driftBound = v.path("clock_drift_uncertainty_ppm").asDouble(ClockFilter.PRIOR_DRIFT_PPM);
    if (!Double.isFinite(drift) || !Double.isFinite(driftBound)) {
      return ClockOffset.unknown();
    }
    return new ClockOffset(v.path("clock_offset_ns").asLong(), v.path("clock_uncertainty_ns").asLong(), drift,
        driftBound, Math.max(1, v.path("clock_samples").asInt(1)), WallTime.instant(receivedEpochNanos));
  }
}
