package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicated state (the zguide's Clone pattern) as a layer over an endpoint's public primitives:
 * confirmed sends, requests, a listen on {@link Keys#STATE} and the upstream's events.
 *
 * <ul>
 *   <li>Owner: {@link #put}/{@link #remove} take the next sequence number and send the change to
 *       the upstream Station, confirmed; whenever the upstream (re)connects, the owner sends its
 *       whole state as a snapshot, so a restarted Station recovers without a gap.
 *   <li>Station: keeps the authoritative replica of every owner below it ({@link StateTable},
 *       with the last-value cache's history), passes each applied change up to its parent and
 *       to the subscribers that asked for that owner; answers {@code STATE_GET} from the cache.
 *   <li>Replica: asks its upstream to replicate an owner (or {@code *}): a snapshot, then changes.
 * </ul>
 *
 * <p>A change is applied only in sequence order; a gap makes the receiver ask the neighbour that
 * sent it for a snapshot. Every part of the state is guarded by one lock, held while the table
 * changes and the resulting messages are handed to the socket loop (which does not block unless
 * {@link EndpointOptions#sendQueueFullWait()} says so); listeners run afterwards on a serial lane
 * over the workers. Called from worker lanes, the callback lane and callers; never from the socket
 * loop. Not public API.
 */
final class StateService {
  private static final Logger log = LoggerFactory.getLogger(StateService.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_SUBSCRIBERS = 1_000;
  private static final int MAX_PATTERNS = 64;
  static final String ALL = "*";

  private final String id;
  private final boolean station;
  private final String upstreamId;
  private final StateLimits limits;
  private final WallClock clock;
  private final RateLimitedLog warnings = new RateLimitedLog(log, 10, TimeUnit.SECONDS.toNanos(10));
  private final CountDownLatch attached = new CountDownLatch(1);
  private final Object lock = new Object();
  private volatile EndpointBase endpoint;

  // Guarded by lock.
  private final long epoch;
  private long seq;
  private final TreeMap<String, JsonNode> own = new TreeMap<>();
  private long ownBytes;
  private final StateTable table;
  private final Set<String> interests = new LinkedHashSet<>();
  private final Map<String, Subscription> subscribers = new LinkedHashMap<>();
  private long subscriptions;
  private final Set<String> snapshotsPending = new HashSet<>();

  private final StateWatchers watchers;
  private final LongAdder applied = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder gaps = new LongAdder();
  private final LongAdder snapshotsRequested = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder malformed = new LongAdder();

  /** A subscriber's owners; {@code generation} tells a failure of an older registration from a current one. */
  private static final class Subscription {
    final Set<String> patterns = new LinkedHashSet<>();
    long generation;
  }

  StateService(String id, boolean station, String upstreamId, StateLimits limits, WallClock clock) {
    this.id = id;
    this.station = station;
    this.upstreamId = upstreamId;
    this.limits = limits;
    this.clock = clock;
    this.epoch = clock.epochNanos() / 1_000; // an incarnation: later runs of the owner have larger ones
    this.table = new StateTable(limits, clock);
    this.watchers = new StateWatchers(id, warnings);
  }

  /** The listens to install before the engine starts, with the application's. */
  Map<String, Listen> withListens(Map<String, Listen> listens) {
    Map<String, Listen> all = new LinkedHashMap<>(listens);
    all.putIfAbsent(Keys.STATE, this::onState);
    return all;
  }

  /** The options with a listener that also tells this service when the upstream (re)connects. */
  EndpointOptions withUpstreamHook(EndpointOptions options) {
    EndpointListener user = options.listener();
    return options.toBuilder().listener(new StateUpstreamHook(user, this::upstreamUp)).build();
  }

  /** Called once the endpoint is built: registers the requests and starts the listener lane. */
  void attach(EndpointBase endpoint, java.util.concurrent.Executor workers) {
    watchers.start(workers);
    this.endpoint = endpoint;
    endpoint.provide(Keys.STATE_SNAPSHOT, this::answerSnapshot);
    if (station) {
      endpoint.provide(Keys.STATE_SUBSCRIBE, this::answerSubscribe);
      endpoint.provide(Keys.STATE_GET, request -> {
        synchronized (lock) {
          return StateCache.answer(request.valueNode(), table, limits);
        }
      });
    }
    attached.countDown();
  }

  private EndpointBase endpoint() {
    try {
      if (!attached.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(id + ": replicated state not attached");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(id + ": interrupted", e);
    }
    return endpoint;
  }

  // ---- owner side ----

  void put(String key, Object value) {
    JsonNode v = StateWire.tree(value);
    requireKey(key);
    int valueBytes = StateTable.encodedSize(v);
    if (valueBytes > limits.maxValueBytes()) {
      throw new IllegalArgumentException("state value of '" + key + "' is " + valueBytes + " bytes, over maxValueBytes "
          + limits.maxValueBytes());
    }
    synchronized (lock) {
      JsonNode old = own.get(key);
      if (old == null && own.size() >= limits.maxKeysPerOwner()) {
        throw new IllegalStateException(id + " holds " + own.size() + " state keys, maxKeysPerOwner: cannot add '" + key + "'");
      }
      long bytes = ownBytes - (old == null ? 0 : StateTable.size(key, old)) + StateTable.size(key, v);
      if (bytes > limits.maxBytesPerOwner()) {
        throw new IllegalStateException(id + "'s state would hold " + bytes + " bytes, over maxBytesPerOwner "
            + limits.maxBytesPerOwner() + ": cannot put '" + key + "'");
      }
      own.put(key, v);
      ownBytes = bytes;
      publishOwn(key, v);
    }
  }

  void remove(String key) {
    requireKey(key);
    synchronized (lock) {
      JsonNode old = own.remove(key);
      if (old == null) {
        return;
      }
      ownBytes -= StateTable.size(key, old);
      publishOwn(key, null);
    }
  }

  private static void requireKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("state key must be non-empty");
    }
  }

  /** Under lock: the next sequence number; a Station applies its own change, a node sends it up. */
  private void publishOwn(String key, JsonNode value) {
    seq++;
    Map<String, Object> body = StateWire.change(id, epoch, seq, key, value);
    if (station) {
      apply(StateWire.read(StateWire.tree(body)), id);
    } else if (upstreamConnected()) {
      send(upstreamId, body, Route.UPSTREAM);
    }
  }

  JsonNode ownValue(String key) {
    synchronized (lock) {
      JsonNode v = own.get(key);
      return v == null ? null : v.deepCopy();
    }
  }

  Map<String, JsonNode> ownEntries() {
    synchronized (lock) {
      return copy(own);
    }
  }

  long ownSeq() {
    synchronized (lock) {
      return seq;
    }
  }

  private StateTable.Snapshot ownSnapshot() {
    return new StateTable.Snapshot(id, epoch, seq, Map.copyOf(own));
  }

  // ---- replica side ----

  /** Starts replicating {@code pattern} (an owner or {@code *}) from the upstream, once. */
  void replicate(String pattern) {
    requireKey(pattern);
    synchronized (lock) {
      if (upstreamId != null && !interests.contains(ALL) && interests.add(pattern) && upstreamConnected()) {
        subscribe(pattern);
      }
    }
  }

  void watch(String pattern, StateListener listener) {
    requireKey(pattern);
    synchronized (lock) { // what the replica holds first, then what is applied after: one order
      watchers.add(pattern, listener, table.replicas().stream().map(StateTable.Replica::snapshot).toList());
    }
    replicate(pattern);
  }

  JsonNode replicaValue(String owner, String key) {
    synchronized (lock) {
      StateTable.Replica r = table.replica(owner);
      JsonNode v = r == null ? null : r.entries.get(key);
      return v == null ? null : v.deepCopy();
    }
  }

  Map<String, JsonNode> replicaEntries(String owner) {
    synchronized (lock) {
      StateTable.Replica r = table.replica(owner);
      return r == null ? Map.of() : copy(r.entries);
    }
  }

  long replicaSeq(String owner) {
    synchronized (lock) {
      StateTable.Replica r = table.replica(owner);
      return r == null ? -1 : r.seq;
    }
  }

  private static Map<String, JsonNode> copy(Map<String, JsonNode> entries) {
    Map<String, JsonNode> copy = new TreeMap<>();
    entries.forEach((k, v) -> copy.put(k, v.deepCopy()));
    return java.util.Collections.unmodifiableMap(copy);
  }

  /** Under lock: asks the upstream for {@code pattern}'s snapshots and the changes that follow. */
  private void subscribe(String pattern) {
    snapshotsRequested.increment();
    endpoint().request(upstreamId, Keys.STATE_SUBSCRIBE, Map.of("owner", pattern), REQUEST_TIMEOUT)
        .whenComplete((reply, error) -> {
          if (error != null) {
            warnings.warn("{}: subscribing to state '{}' at '{}' failed: {}", id, pattern, upstreamId, error.toString());
            return;
          }
          try {
            List<StateWire.Body> snapshots = StateWire.readAll(reply.valueNode());
            synchronized (lock) {
              snapshots.forEach(s -> apply(s, upstreamId));
            }
          } catch (IllegalArgumentException e) {
            malformed.increment();
            warnings.warn("{}: unreadable state subscription reply from '{}': {}", id, upstreamId, e.getMessage());
          }
        });
  }

  // ---- intake: changes and snapshots from a neighbour ----

  private void onState(Message m) {
    endpoint();
    StateWire.Body body;
    try {
      body = StateWire.read(m.valueNode());
    } catch (IllegalArgumentException e) {
      malformed.increment();
      warnings.warn("{}: unreadable {} from '{}': {}", id, Keys.STATE, m.sender(), e.getMessage());
      return;
    }
    synchronized (lock) {
      apply(body, m.sender());
    }
  }

  /** Under lock: applies what {@code via} sent; fans it out (Stations); repairs a gap. */
  private void apply(StateWire.Body body, String via) {
    List<StateChange> changes = new ArrayList<>();
    StateTable.Outcome outcome = body.isSnapshot()
        ? table.applySnapshot(body.owner(), body.epoch(), body.seq(), body.entries(), via, changes)
        : table.applyChange(body.owner(), body.epoch(), body.seq(), body.key(), body.value(), via, changes);
    switch (outcome) {
      case APPLIED -> {
        applied.increment();
        fanOut(body, via);
        watchers.announce(body.owner(), changes, body.isSnapshot() ? body.seq() : -1);
      }
      case STALE -> stale.increment();
      case GAP -> {
        gaps.increment();
        requestSnapshot(body.owner(), via);
      }
      case REFUSED -> {
        refused.increment();
        warnings.warn("{}: state of '{}' #{} from '{}' refused: over the limits ({})", id, body.owner(), body.seq(), via,
            limits);
      }
    }
  }

  /** Under lock: a Station passes what it applied to its parent and to the owner's subscribers. */
  private void fanOut(StateWire.Body body, String via) {
    if (!station) {
      return;
    }
    Map<String, Object> out = body.isSnapshot()
        ? StateWire.snapshot(table.replica(body.owner()).snapshot())
        : StateWire.change(body.owner(), body.epoch(), body.seq(), body.key(), body.value());
    if (upstreamId != null && !upstreamId.equals(via) && upstreamConnected()) {
      send(upstreamId, out, Route.UPSTREAM);
    }
    subscribers.forEach((subscriber, sub) -> {
      if (!subscriber.equals(via) && matches(sub.patterns, body.owner())) {
        send(subscriber, out, Route.AUTO, sub);
      }
    });
  }

  private static boolean matches(Set<String> patterns, String owner) {
    return patterns.contains(ALL) || patterns.contains(owner);
  }

  /** Under lock: asks {@code from} for {@code owner}'s snapshot, unless such a request is out. */
  private void requestSnapshot(String owner, String from) {
    if (from.equals(id) || !snapshotsPending.add(owner + "\n" + from)) {
      return;
    }
    snapshotsRequested.increment();
    endpoint().request(from, Keys.STATE_SNAPSHOT, Map.of("owner", owner), REQUEST_TIMEOUT)
        .whenComplete((reply, error) -> {
          synchronized (lock) {
            snapshotsPending.remove(owner + "\n" + from);
            if (error != null) {
              warnings.warn("{}: snapshot of '{}' from '{}' failed: {}", id, owner, from, error.toString());
            } else if (!reply.hasNullValue()) {
              try {
                apply(StateWire.read(reply.valueNode()), from);
              } catch (IllegalArgumentException e) {
                malformed.increment();
                warnings.warn("{}: unreadable snapshot of '{}' from '{}': {}", id, owner, from, e.getMessage());
              }
            }
          }
        });
  }

  private void send(String to, Map<String, Object> body, Route route) {
    send(to, body, route, null);
  }

  /** Under lock: sends confirmed; a subscriber found unreachable is dropped unless it subscribed again since. */
  private void send(String to, Map<String, Object> body, Route route, Subscription sub) {
    EndpointBase e = endpoint();
    sent.increment();
    long generation = sub == null ? 0 : sub.generation;
    e.sendConfirmed(e.message(to, Keys.STATE, body).build(), route).whenComplete((receipt, error) -> {
      if (sub != null && error instanceof UnreachableException) {
        synchronized (lock) {
          if (sub.generation == generation && subscribers.remove(to, sub)) {
            log.debug("{}: state subscriber '{}' is gone", id, to);
          }
        }
      }
    });
  }

  private boolean upstreamConnected() {
    UpstreamWatch w = upstreamId == null ? null : endpoint().engine.upstreamWatch();
    return w != null && w.state() == UpstreamState.CONNECTED;
  }

  /** The upstream answered HELLO (again, or restarted): send up what it must hold, subscribe again. */
  private void upstreamUp() {
    if (upstreamId == null) {
      return;
    }
    synchronized (lock) {
      if (!upstreamConnected()) {
        return;
      }
      if (!station) {
        if (seq > 0) { // an endpoint that never owned state is no owner
          send(upstreamId, StateWire.snapshot(ownSnapshot()), Route.UPSTREAM);
        }
      } else {
        for (StateTable.Replica r : table.replicas()) {
          if (!upstreamId.equals(r.via) && r.seq >= 0) {
            send(upstreamId, StateWire.snapshot(r.snapshot()), Route.UPSTREAM);
          }
        }
      }
      interests.forEach(this::subscribe);
    }
  }

  // ---- requests answered ----

  private Object answerSnapshot(Message request) {
    String owner = request.valueNode().path("owner").asText("");
    synchronized (lock) {
      if (owner.equals(id) && !station) {
        return StateWire.snapshot(ownSnapshot());
      }
      StateTable.Replica r = table.replica(owner);
      return r == null || r.seq < 0 ? null : StateWire.snapshot(r.snapshot());
    }
  }

  private Object answerSubscribe(Message request) throws RemoteException {
    String pattern = request.valueNode().path("owner").asText("");
    if (pattern.isEmpty()) {
      malformed.increment();
      throw new RemoteException("bad_request", "owner (an id or *) is required");
    }
    String subscriber = request.sender();
    synchronized (lock) {
      Subscription sub = subscribers.get(subscriber);
      if (sub == null && subscribers.size() >= MAX_SUBSCRIBERS
          || sub != null && !sub.patterns.contains(pattern) && sub.patterns.size() >= MAX_PATTERNS) {
        refused.increment();
        warnings.warn("{}: state subscription of '{}' to '{}' refused: too many", id, subscriber, pattern);
        throw new RemoteException("too_many", id + " keeps at most " + MAX_SUBSCRIBERS + " subscribers of "
            + MAX_PATTERNS + " owners each");
      }
      sub = subscribers.computeIfAbsent(subscriber, s -> new Subscription());
      sub.patterns.add(pattern);
      sub.generation = ++subscriptions;
      if (upstreamId != null && !interests.contains(ALL) && interests.add(pattern) && upstreamConnected()) {
        subscribe(pattern); // owners elsewhere in the tree come through the parent
      }
      List<Object> snapshots = new ArrayList<>();
      for (StateTable.Replica r : table.replicas()) {
        if (r.seq >= 0 && (pattern.equals(ALL) || pattern.equals(r.owner))) {
          snapshots.add(StateWire.snapshot(r.snapshot()));
        }
      }
      return Map.of("owners", snapshots);
    }
  }

  StateStats stats() {
    return new StateStats(applied.sum(), stale.sum(), gaps.sum(), snapshotsRequested.sum(), sent.sum(),
        refused.sum(), malformed.sum(), watchers.errors());
  }
}
