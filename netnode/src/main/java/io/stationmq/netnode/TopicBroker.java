package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topic broker an endpoint installs when it is built: {@link Topics} over the engine's
 * public primitives (confirmed sends, listens on the {@code SMQ_TOPIC_*} keys, a {@code TOPICS}
 * responder, the directory and the upstream events). No topic logic lives in the engine.
 *
 * <p>Threads: its listens run in the endpoint's lanes, its completions in the callback lane,
 * {@link #publish} on any caller. Its state ({@link TopicTable}, local subscriptions) is guarded
 * by one lock, never held while a listen runs or a send waits. Sending is its {@link
 * TopicSender}'s: confirmed sends wait for room in a window, so a Station forwards at the pace
 * of its slowest {@link TopicMode#EVERY} subscriber without growing its outbox. Not public API.
 */
final class TopicBroker implements Topics {
  private static final Logger log = LoggerFactory.getLogger(TopicBroker.class);
  /** The responder name of the registry request. */
  static final String TOPICS_REQUEST = "TOPICS";

  private final String id;
  private final boolean station;
  private final String upstreamId;
  private final String instance = UUID.randomUUID().toString();
  private final RateLimitedLog warnings = new RateLimitedLog(log, 20, TimeUnit.SECONDS.toNanos(10));
  private final TopicSender sender;
  private final AtomicLong subscriptionIds = new AtomicLong();
  private volatile Engine engine;

  private final Object lock = new Object();
  // Guarded by lock.
  private final TopicTable table = new TopicTable();
  private final Map<Long, LocalSub> locals = new LinkedHashMap<>();
  private final Map<String, TopicInfo> declaredHere = new LinkedHashMap<>();
  private long seq;
  private long selfSeq;
  private Object lastSentUp;
  private final Map<String, Set<String>> interestSent = new HashMap<>();
  /** What is subscribed outside this Station's subtree, as its upstream said; null until it says. */
  private volatile Set<String> interestAbove;

  private final LongAdder published = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder failed; // the sender's: one count of what failed
  private final LongAdder unmatched = new LongAdder();
  private final LongAdder broadcasts = new LongAdder();

  private record LocalSub(long id, String pattern, String group, TopicMode mode, Listen listen) {}

  TopicBroker(String id, boolean station, String upstreamId) {
    this.id = id;
    this.station = station;
    this.upstreamId = upstreamId;
    this.sender = new TopicSender(id, this::engine, warnings);
    this.failed = sender.failed;
  }

  /** {@code listens} with the broker's own added (a copy; the builder's map is left as it is). */
  Map<String, Listen> withListens(Map<String, Listen> listens) {
    Map<String, Listen> all = new LinkedHashMap<>(listens);
    all.put(Keys.TOPIC_PUB, this::onPublish);
    if (station) {
      all.put(Keys.TOPIC_SUB, this::onSubscriptions);
      all.put(Keys.BROADCAST, this::onBroadcast);
      all.put(Keys.TOPIC_INTEREST, this::onInterest);
    }
    return all;
  }

  /** {@code options} with a listener that also tells the broker about the upstream and departed peers. */
  EndpointOptions withEvents(EndpointOptions options) {
    sender.windowWait(options.maxDeliveryTime().toMillis());
    return options.toBuilder().listener(new TopicEvents(options.listener(), this)).build();
  }

  /** Called once the engine is built: answers {@code TOPICS} from now on. */
  void attach(Engine engine) {
    this.engine = engine;
    engine.provide(TOPICS_REQUEST, request -> registry());
  }

  private Engine engine() {
    Engine e = engine;
    while (e == null) { // a message in the microseconds before the constructor returned
      Thread.onSpinWait();
      e = engine;
    }
    return e;
  }

  // ------------------------------------------------------------------ the public face

  @Override
  public CompletableFuture<Void> publish(String topic, Object value) {
    if (topic == null || topic.isEmpty() || topic.contains("*")) {
      throw new IllegalArgumentException("topic must be non-empty and without '*', got " + topic);
    }
    published.increment();
    Engine e = engine();
    Message m = e.message(id, Keys.TOPIC_PUB, value).extra("topic", topic).extra("origin", id).build();
    boolean up = goesUp(topic);
    List<TopicTable.Target> targets;
    synchronized (lock) {
      targets = table.route(topic, true, null, !up, List.of());
    }
    JsonNode tree = m.valueNode();
    fanOut(m, tree, topic, targets);
    if (!up) {
      return CompletableFuture.completedFuture(null);
    }
    return sendUp(m, tree, topic);
  }

  @Override
  public Subscription subscribe(String pattern, String group, TopicMode mode, Listen listen) {
    if (pattern == null || pattern.isEmpty() || pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1) {
      throw new IllegalArgumentException("pattern must be a topic or a prefix ending in '*', got " + pattern);
    }
    if (group != null && group.isEmpty()) {
      throw new IllegalArgumentException("group must be null or non-empty");
    }
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(listen, "listen");
    long sid = subscriptionIds.incrementAndGet();
    synchronized (lock) {
      locals.put(sid, new LocalSub(sid, pattern, group, mode, listen));
      updateSelf();
    }
    changed();
    return new Subscription() {
      @Override
      public String pattern() {
        return pattern;
      }

      @Override
      public String group() {
        return group;
      }

      @Override
      public TopicMode mode() {
        return mode;
      }

      @Override
      public void close() {
        boolean removed;
        synchronized (lock) {
          removed = locals.remove(sid) != null;
          if (removed) {
            updateSelf();
          }
        }
        if (removed) {
          changed();
        }
      }

      @Override
      public String toString() {
        return "Subscription{" + pattern + (group == null ? "" : " group " + group) + ", " + mode + "}";
      }
    };
  }

  @Override
  public void declare(String topic, String valueType, String description) {
    TopicInfo info = TopicInfo.builder().topic(topic).valueType(valueType).description(description).declaredBy(id).build();
    synchronized (lock) {
      declaredHere.put(topic, info);
      updateSelf();
    }
    changed();
  }

  @Override
  public List<TopicInfo> declared() {
    synchronized (lock) {
      return List.copyOf(table.declared());
    }
  }

  @Override
  public int subscribers(String topic) {
    synchronized (lock) {
      return table.subscribers(topic);
    }
  }

  @Override
  public TopicStats stats() {
    return new TopicStats(published.sum(), received.sum(), delivered.sum(), sender.sentDown.sum(), sender.sentUp.sum(),
        sender.conflated.sum(), failed.sum(), unmatched.sum(), broadcasts.sum(), sender.waiting());
  }

  /** A Station's broadcast: {@code key} to every endpoint below it; see {@link Station#broadcast}. */
  int broadcast(String key, Object value) {
    Objects.requireNonNull(key, "key");
    Engine e = engine();
    int sent = 0;
    for (DirectoryEntry peer : e.directory()) {
      if (peer.status() == PeerStatus.DEAD) {
        continue;
      }
      Message m = "station".equals(peer.role())
          ? e.message(peer.id(), Keys.BROADCAST, TopicWire.broadcast(key, value)).ttl(TopicSender.TTL).build()
          : e.message(peer.id(), key, value).ttl(TopicSender.TTL).build();
      broadcasts.increment();
      sender.down(m, "broadcast '" + key + "' to '" + peer.id() + "'");
      sent++;
    }
    return sent;
  }

  // ------------------------------------------------------------------ listens (worker lanes)

  /** A topic message from a peer below or from the upstream. */
  private void onPublish(Message m) {
    received.increment();
    String topic = m.extraText("topic").orElse(null);
    if (topic == null || topic.isEmpty()) {
      failed.increment();
      warnings.warn("{}: topic message {} from '{}' has no topic; dropped", id, m.id(), m.sender());
      return;
    }
    boolean fromUp = m.sender().equals(upstreamId);
    boolean up = !fromUp && station && goesUp(topic);
    List<TopicTable.Target> targets;
    synchronized (lock) {
      if (fromUp) {
        JsonNode all = m.extras().get("all");
        targets = table.route(topic, all == null || all.asBoolean(true), null, false, TopicWire.groups(m));
      } else {
        targets = table.route(topic, true, m.sender(), !up, List.of());
      }
    }
    if (targets.isEmpty() && !up) {
      unmatched.increment();
    }
    JsonNode tree = targets.isEmpty() && !up ? null : m.valueNode();
    fanOut(m, tree, topic, targets);
    if (up) {
      sendUp(m, tree, topic);
    }
  }

  /** A peer's subscription snapshot (a Station's listen). */
  private void onSubscriptions(Message m) {
    TopicWire.Snapshot s;
    try {
      s = TopicWire.readSnapshot(m.valueNode(), m.sender());
    } catch (IllegalArgumentException e) {
      failed.increment();
      warnings.warn("{}: subscriptions {} from '{}' unreadable ({}); ignored", id, m.id(), m.sender(), e.getMessage());
      return;
    }
    synchronized (lock) {
      if (!table.replace(m.sender(), s.instance(), s.seq(), s.subs(), s.declared())) {
        return;
      }
    }
    sendSubscriptions(false);
    sendInterest(m.sender());
  }

  /** What the subtrees outside this Station's subscribe, from the upstream: publishes go up only for those. */
  private void onInterest(Message m) {
    if (!m.sender().equals(upstreamId)) {
      failed.increment();
      warnings.warn("{}: interest {} from '{}', which is not the upstream; ignored", id, m.id(), m.sender());
      return;
    }
    interestAbove = TopicWire.readInterest(m.valueNode());
    sendInterest(null);
  }

  /** A broadcast from the parent Station: passed on to every endpoint below this one. */
  private void onBroadcast(Message m) {
    JsonNode key = m.valueField("key");
    if (key == null || !key.isTextual()) {
      failed.increment();
      warnings.warn("{}: broadcast {} from '{}' has no key; dropped", id, m.id(), m.sender());
      return;
    }
    broadcast(key.asText(), m.valueField("value"));
  }

  // ------------------------------------------------------------------ events (callback lane)

  /** The upstream answers (first time, again, restarted): it hears every subscription again. */
  void upstreamAnswers() {
    sendSubscriptions(true);
  }

  /** A peer the directory declares gone: its subscriptions go. */
  void peerGone(String peer) {
    boolean removed;
    synchronized (lock) {
      removed = table.remove(peer);
    }
    sender.forget(peer);
    synchronized (lock) {
      interestSent.remove(peer);
    }
    if (removed) {
      changed();
    }
  }

  // ------------------------------------------------------------------ sending

  /** True when a publish from here or below goes up: the upstream is a stationmq one and someone outside subscribes. */
  private boolean goesUp(String topic) {
    if (!upstreamUsable()) {
      return false;
    }
    Set<String> above = interestAbove;
    return above == null || above.stream().anyMatch(p -> TopicTable.matches(p, topic));
  }

  /** The subscriptions here or below changed: the upstream and the child Stations hear of it. */
  private void changed() {
    sendSubscriptions(false);
    sendInterest(null);
  }

  /**
   * Tells each child Station what is subscribed outside its subtree (here, in the other
   * subtrees, above), when that changed or when {@code force} names it.
   */
  private void sendInterest(String force) {
    if (!station) {
      return;
    }
    Engine e = engine();
    Set<String> stations = new HashSet<>();
    for (DirectoryEntry d : e.directory()) {
      if ("station".equals(d.role()) && d.status() != PeerStatus.DEAD) {
        stations.add(d.id());
      }
    }
    List<Message> out = new ArrayList<>();
    synchronized (lock) {
      Set<String> above = interestAbove;
      for (String child : table.peers()) {
        if (!stations.contains(child)) {
          continue;
        }
        Set<String> wanted = new TreeSet<>(table.patternsExcept(child));
        if (upstreamId != null) {
          wanted.addAll(above == null ? Set.of("*") : above);
        }
        if (child.equals(force) || !wanted.equals(interestSent.get(child))) {
          interestSent.put(child, wanted);
          out.add(e.message(child, Keys.TOPIC_INTEREST, TopicWire.interest(wanted)).build());
        }
      }
    }
    for (Message m : out) {
      e.sendConfirmed(m, Route.AUTO).whenComplete((r, err) -> {
        if (err != null && !TopicSender.closing(err)) {
          failed.increment();
          warnings.warn("{}: interest not delivered to '{}': {}", id, m.to(), err.getMessage());
        }
      });
    }
  }

  private boolean upstreamUsable() {
    UpstreamWatch w = engine().upstreamWatch();
    if (w == null) {
      return false;
    }
    UpstreamState s = w.state();
    // python(): a Python upstream stays one through a loss of its connection until it answers HELLO
    return s != UpstreamState.LEGACY && s != UpstreamState.REFUSED && s != UpstreamState.WRONG_ID && !w.python();
  }

  /** Sends the subtree's subscriptions and declarations upstream when they changed (or always, when {@code force}). */
  private void sendSubscriptions(boolean force) {
    if (upstreamId == null) {
      return;
    }
    Map<String, Object> v;
    synchronized (lock) {
      List<Map<String, Object>> subs = TopicWire.subs(table.aggregate());
      List<Map<String, Object>> topics = table.declared().stream().map(TopicWire::info).toList();
      Object state = List.of(subs, topics);
      boolean empty = subs.isEmpty() && topics.isEmpty();
      // A node that never subscribed or declared says nothing; a Station always does, to hear the interest above it.
      if (state.equals(lastSentUp) && (!force || empty && !station) || lastSentUp == null && empty && !station) {
        return;
      }
      lastSentUp = state;
      v = TopicWire.snapshot(instance, ++seq, subs, topics);
    }
    Engine e = engine();
    if (!upstreamUsable()) {
      return;
    }
    e.sendConfirmed(e.message(upstreamId, Keys.TOPIC_SUB, v).build(), Route.AUTO).whenComplete((r, err) -> {
      if (err != null && !TopicSender.closing(err)) {
        failed.increment();
        warnings.warn("{}: subscriptions not delivered to '{}': {}; sent again when it answers", id, upstreamId,
            err.getMessage());
      }
    });
  }

  /** This endpoint's own subscriptions and declarations as the {@link TopicTable#SELF} snapshot (under the lock). */
  private void updateSelf() {
    List<TopicTable.Sub> subs = locals.values().stream().map(l -> new TopicTable.Sub(l.pattern(), l.group(), l.mode()))
        .toList();
    table.replace(TopicTable.SELF, instance, ++selfSeq, subs, List.copyOf(declaredHere.values()));
  }

  /** The answer to {@code TOPICS}: each declared topic with its subscriber count here. */
  private List<Map<String, Object>> registry() {
    synchronized (lock) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (TopicInfo t : table.declared()) {
        Map<String, Object> m = TopicWire.info(t);
        m.put("subscribers", table.subscribers(t.topic()));
        out.add(m);
      }
      return out;
    }
  }

  private CompletableFuture<Void> sendUp(Message m, JsonNode value, String topic) {
    Engine e = engine();
    Message up = e.message(upstreamId, Keys.TOPIC_PUB, null).ttl(TopicSender.TTL).valueTree(value).extra("topic", topic)
        .extra("origin", m.extraText("origin").orElse(m.sender())).build();
    return sender.up(up, "topic '" + topic + "' to '" + upstreamId + "'");
  }

  /** Delivers to this endpoint's own subscriptions and sends to the peers among {@code targets}. */
  private void fanOut(Message m, JsonNode value, String topic, List<TopicTable.Target> targets) {
    Engine e = engine();
    String origin = m.extraText("origin").orElse(m.sender());
    for (TopicTable.Target t : targets) {
      if (t.peer().equals(TopicTable.SELF)) {
        deliverLocal(m, topic, origin, t);
        continue;
      }
      Message down = e.message(t.peer(), Keys.TOPIC_PUB, null).ttl(TopicSender.TTL).valueTree(value).extra("topic", topic)
          .extra("origin", origin).extra("all", t.all()).extra("groups", t.groups()).build();
      if (t.mode() == TopicMode.EVERY) {
        sender.down(down, "topic '" + topic + "' to '" + t.peer() + "'");
      } else {
        sender.latest(t.peer(), topic, down);
      }
    }
  }

  private void deliverLocal(Message m, String topic, String origin, TopicTable.Target t) {
    List<LocalSub> calls = new ArrayList<>();
    synchronized (lock) {
      Set<String> groupsDone = new HashSet<>();
      for (LocalSub s : locals.values()) {
        if (!TopicTable.matches(s.pattern(), topic)) {
          continue;
        }
        if (s.group() == null ? t.all() : t.groups().contains(s.group()) && groupsDone.add(s.group())) {
          calls.add(s);
        }
      }
    }
    if (calls.isEmpty()) {
      unmatched.increment();
      return;
    }
    Message forListen = m.newBuilder().key(topic).sender(origin).to(id).removeExtra("all").removeExtra("groups").build();
    for (LocalSub s : calls) {
      try {
        s.listen().handle(forListen);
        delivered.increment();
      } catch (Exception ex) {
        failed.increment();
        warnings.warn("{}: subscription to '{}' failed on message {} ({}); going on", id, s.pattern(), m.id(),
            String.valueOf(ex));
      }
    }
  }
}
