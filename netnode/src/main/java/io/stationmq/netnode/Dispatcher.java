package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageFormatException;
import io.stationmq.message.StreamCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs listens in a fixed number of lanes over the process's shared worker pool. A message
 * goes to the lane chosen by its sender and key (for a {@code STREAM}, its inner key), so messages of one sender and
 * key are handled in arrival order while others run in parallel. Each lane is a bounded {@link
 * SerialLane}; {@link #offer} never blocks and says when the lane is full.
 *
 * <p>A message that asks for confirmation is reported to {@code onHandled} once its listen
 * has returned (or thrown, or found no listen): the engine confirms it only then, so a
 * confirmation means the message was handled, not merely queued.
 *
 * <p>Every line a message can cause (no listen for its key, a bad {@code STREAM}, a refused
 * stream key, a gap in a stream, a listen that threw) goes through the engine's {@link
 * RateLimitedLog}, whose socket thread flushes it, as one line without a stack trace; the
 * counters count every event, and {@link io.stationmq.netnode.EndpointListener#handlerFailed}
 * gets a listen's exception whole.
 *
 * <p>{@link #offer} is called by the socket thread only; listens run on the lanes; {@link
 * #on}/{@link #off} from any thread.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /**
   * A message for a listen: {@code via} is the ROUTER identity it came through (null for the
   * upstream); {@code confirm} says whether it is to be confirmed once handled.
   */
  record Inbound(Message message, String via, boolean confirm) {}

  private final String endpointId;
  private static final int MAX_TRACKED_STREAMS = 10_000;

  private final Map<String, Listen> listens = new ConcurrentHashMap<>();
  private final Map<String, BatchListen> batchListens = new ConcurrentHashMap<>();
  private final Map<String, StreamState> streams = new ConcurrentHashMap<>();
  private final Listen fallback;
  private final AdminGate gate;
  private final RateLimitedLog warnings;
  private final boolean mergeStreamHeaders;
  private final Counters counters;
  private final Notifier notifier;
  private final Runnable onSpaceFreed;
  private final Consumer<Inbound> onHandled;
  private final List<SerialLane<Inbound>> lanes;
  private volatile boolean stopping;

  /** {@code warnings} is the rate-limited log for per-message lines; its owner flushes it. */
  Dispatcher(EngineConfig config, Executor pool, SerialLane.Starter starter, Counters counters, Notifier notifier,
      RateLimitedLog warnings, Runnable onSpaceFreed, Consumer<Inbound> onHandled) {
    this.warnings = warnings;
    this.endpointId = config.id();
    this.fallback = config.fallback();
    this.gate = config.gate();
    this.mergeStreamHeaders = config.forwarding();
    this.counters = counters;
    this.notifier = notifier;
    this.onSpaceFreed = onSpaceFreed;
    this.onHandled = onHandled;
    listens.putAll(config.listens());
    int n = config.options().workers();
    lanes = new ArrayList<>(n);
    Runnable onRunDry = () -> {
      if (stopping) {
        onSpaceFreed.run(); // the engine may be waiting for the lanes to run dry to close
      }
    };
    for (int i = 0; i < n; i++) {
      lanes.add(new SerialLane<>(pool, starter, config.options().workerQueueCapacity(), this::dispatch, onSpaceFreed,
          onRunDry));
    }
  }

  /** True when {@code t} is running one of this endpoint's listens now. */
  boolean isWorker(Thread t) {
    for (SerialLane<Inbound> lane : lanes) {
      if (lane.isRunningOn(t)) {
        return true;
      }
    }
    return false;
  }

  void on(String key, Listen listen) {
    Objects.requireNonNull(listen, "listen");
    batchListens.remove(requireKey(key));
    listens.put(key, listen);
  }

  void onBatch(String key, BatchListen listen) {
    Objects.requireNonNull(listen, "listen");
    listens.remove(requireKey(key));
    batchListens.put(key, listen);
  }

  void off(String key) {
    listens.remove(key);
    batchListens.remove(key);
  }

  /** The keys with a listen of any kind. */
  Set<String> keys() {
    Set<String> keys = new TreeSet<>(listens.keySet());
    keys.addAll(batchListens.keySet());
    return keys;
  }

  List<ReceivedStream> receivedStreams() {
    List<ReceivedStream> out = new ArrayList<>(streams.size());
    for (StreamState st : streams.values()) {
      out.add(new ReceivedStream(st.sender, st.prefix, st.key, st.samples.sum(), st.batches.sum(), st.gaps.sum()));
    }
    return out;
  }

  private static String requireKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("key must be non-empty");
    }
    return key;
  }

  /**
   * Queues a message on its lane (socket thread), to start with the visit's other lanes at its
   * end. Returns false when that lane is full; the caller keeps the message and is woken through
   * {@code onSpaceFreed} once the lane has room.
   */
  boolean offer(Inbound m) {
    return lanes.get(laneIndex(m.message())).offer(m);
  }

  private int laneIndex(Message m) {
    String key = m.key();
    if (key.equals(Keys.STREAM)) {
      JsonNode inner = m.valueField("inner_key");
      if (inner != null && inner.isTextual()) {
        key = inner.textValue();
      }
    }
    return Math.floorMod(31 * m.sender().hashCode() + key.hashCode(), lanes.size());
  }

  /**
   * Lets queued listens run and waits up to {@code timeoutMillis} for every lane but the
   * calling thread's to finish them; interrupts a listen still running then. Once stopping, a
   * lane that runs dry wakes the engine ({@code onSpaceFreed}), which waits for {@link
   * #isStopped} before it closes.
   */
  void shutdown(long timeoutMillis) {
    stopping = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (SerialLane<Inbound> lane : lanes) {
      Thread running;
      if (!lane.awaitIdle(deadline) && (running = lane.running()) != null) {
        log.warn("{}: a listen on {} did not finish within {} ms; interrupting it",
            endpointId, running.getName(), timeoutMillis);
        running.interrupt();
      }
    }
  }

  /** True once every lane has run dry (after {@link #shutdown}, nothing more is queued but stragglers). */
  boolean isStopped() {
    for (SerialLane<Inbound> lane : lanes) {
      if (!lane.idleOrOn(null)) {
        return false;
      }
    }
    return true;
  }

  private void handle(Message m) {
    if (m.key().equals(Keys.STREAM)) {
      handleStream(m);
      return;
    }
    counters.byKey.count(m.key());
    BatchListen batchListen = listens.containsKey(m.key()) ? null : batchListens.get(m.key());
    if (batchListen != null) {
      callBatch(batchListen, m, m.key(), new StreamBatch(m.sender(), m.id(), m.key(), Map.of(), List.of(m.valueNode())));
    } else {
      call(m.key(), m);
    }
  }

  /** Calls the inner key's listen once per payload item, in order (PROTOCOL.md section 6). */
  private void handleStream(Message m) {
    JsonNode inner = m.valueField("inner_key");
    JsonNode payload = m.valueField("payload");
    if (inner == null || !inner.isTextual() || inner.textValue().isEmpty() || payload == null
        || !(payload.isArray() || StreamCodec.isDeferred(payload))) {
      malformedStream(m, "STREAM message " + m.id() + " from '" + m.sender()
          + "' lacks a non-empty string inner_key or a payload list");
      return;
    }
    String key = inner.textValue();
    if (Keys.isBuiltIn(key) || (gate != null && gate.isAdminOnly(key))) {
      // A batch of samples is data: a command inside it (KILL, a request, a confirmation)
      // would run once per sample with none of the checks the command itself gets.
      counters.refused.increment();
      warnings.warn("{}: refused STREAM {} from '{}': its inner key '{}' is a built-in or admin-only key, "
          + "never a stream's; batch dropped", endpointId, m.id(), m.sender(), key);
      return;
    }
    JsonNode headers = m.valueField("headers");
    countBatch(m, key, StreamCodec.payloadSize(payload));
    counters.byKey.count(key);
    boolean merge = mergeStreamHeaders && headers != null && headers.isObject();
    BatchListen batchListen = listens.containsKey(key) ? null : batchListens.get(key);
    if (batchListen != null) { // a deferred payload is read by the batch, typed when asked (StreamCodec)
      callBatch(batchListen, m, key, new StreamBatch(m.sender(), m.id(), key, headerMap(headers), payload,
          merge ? (ObjectNode) headers : null));
      return;
    }
    ArrayNode items;
    try {
      items = StreamCodec.payloadTree(payload); // a deferred payload's JSON is checked here
    } catch (MessageFormatException e) {
      malformedStream(m, "STREAM message " + m.id() + " from '" + m.sender() + "': " + e.getMessage());
      return;
    }
    for (JsonNode item : items) {
      JsonNode sample = item;
      if (merge && item.isObject()) {
        ObjectNode merged = ((ObjectNode) item).deepCopy();
        merged.setAll((ObjectNode) headers);
        sample = merged;
      }
      call(inner.textValue(), m.newBuilder().key(inner.textValue()).value(sample).build());
    }
  }

  private void malformedStream(Message m, String reason) {
    counters.malformed.increment();
    warnings.warn("{}: {}", endpointId, reason);
    notifier.malformed("STREAM from " + m.sender(), reason);
  }

  private static Map<String, Object> headerMap(JsonNode headers) {
    Map<String, Object> map = new LinkedHashMap<>();
    if (headers != null && headers.isObject()) {
      headers.fields().forEachRemaining(e -> {
        Object v = MessageCodec.convert(e.getValue(), Object.class);
        if (v != null) {
          map.put(e.getKey(), v);
        }
      });
    }
    return map;
  }

  /** Counts a received batch and any gap in its stream's batch numbers ({@code "{stream}_{n}"}). */
  private void countBatch(Message m, String key, int samples) {
    String id = m.id();
    int cut = id.lastIndexOf('_');
    String prefix = cut > 0 ? id.substring(0, cut) : id;
    long number;
    try {
      number = cut > 0 ? Long.parseLong(id.substring(cut + 1)) : -1;
    } catch (NumberFormatException e) {
      number = -1;
    }
    String streamKey = m.sender() + '\u0000' + prefix;
    StreamState st = streams.get(streamKey);
    if (st == null) {
      if (streams.size() >= MAX_TRACKED_STREAMS) {
        return;
      }
      st = streams.computeIfAbsent(streamKey, k -> new StreamState(m.sender(), prefix, key));
    }
    // The gap first: a reader that sees the batch counted also sees the gap before it.
    if (number >= 0) {
      if (st.lastNumber >= 0 && number > st.lastNumber + 1) {
        long missing = number - st.lastNumber - 1;
        st.gaps.add(missing);
        warnings.warn("{}: stream '{}' from '{}' skipped {} batch(es) before {}", endpointId, prefix, m.sender(),
            missing, id);
      }
      st.lastNumber = number; // lower than before: the sender restarted its stream
    }
    st.samples.add(samples);
    st.batches.increment();
  }

  private void callBatch(BatchListen listen, Message m, String key, StreamBatch batch) {
    counters.dispatched.increment();
    try {
      listen.handle(batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reportFailure(key, StreamCodec.undeferred(m), e);
    } catch (Throwable e) { // a listen's failure, even an Error, is the listen's, never the worker's
      reportFailure(key, StreamCodec.undeferred(m), e);
    }
  }

  /** What one stream has delivered; counters read by anyone, lastNumber only by its lane. */
  private static final class StreamState {
    final String sender;
    final String prefix;
    final String key;
    final LongAdder samples = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder gaps = new LongAdder();
    long lastNumber = -1;

    StreamState(String sender, String prefix, String key) {
      this.sender = sender;
      this.prefix = prefix;
      this.key = key;
    }
  }

  private void call(String key, Message m) {
    Listen listen = listens.get(key);
    if (listen == null) {
      listen = fallback;
      if (listen == null) {
        counters.unknownKeys.increment();
        warnings.warn("{}: no listen for key '{}' (message {} from '{}'); dropped", endpointId, key, m.id(),
            m.sender());
        notifier.unknownKey(m);
        return;
      }
    }
    counters.dispatched.increment();
    try {
      listen.handle(m);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reportFailure(key, m, e);
    } catch (Throwable e) { // a listen's failure, even an Error, is the listen's, never the worker's
      reportFailure(key, m, e);
    }
  }

  private void reportFailure(String key, Message m, Throwable e) {
    counters.handlerErrors.increment();
    // One line: the exception and where it was thrown. EndpointListener.handlerFailed gets it whole.
    StackTraceElement[] trace = e.getStackTrace();
    warnings.warn("{}: listen for key '{}' threw on message {} from '{}': {}{}", endpointId, key, m.id(), m.sender(),
        e, trace.length == 0 ? "" : " at " + trace[0]);
    notifier.handlerFailed(m, e);
  }

  /** Handles one message on its lane, then reports it handled when it asks for confirmation. */
  private void dispatch(Inbound m) {
    try {
      handle(m.message());
    } catch (Throwable e) { // nothing may end a lane but close
      counters.handlerErrors.increment();
      warnings.error("{}: unexpected failure dispatching message {} from '{}'", endpointId, m.message().id(),
          m.message().sender(), e);
    }
    if (m.confirm()) {
      onHandled.accept(m);
    }
  }
}
