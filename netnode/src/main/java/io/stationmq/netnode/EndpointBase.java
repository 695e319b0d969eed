package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link NetNode} and {@link Station} share: every {@link Endpoint} method, answered by
 * the endpoint's {@link Engine}. Package-private: the two public faces add only what is theirs
 * (a node's streams, a Station's port and {@code awaitClosed}). Thread-safe, as the engine is.
 */
abstract class EndpointBase implements Endpoint {
  final Engine engine;
  private final StateService state; // replicated state: a layer over this endpoint's public methods

  EndpointBase(Engine engine, StateService state) {
    this.engine = engine;
    this.state = state;
    state.attach(this, engine.workers());
  }

  @Override
  public String id() {
    return engine.id();
  }

  @Override
  public void on(String key, Listen listen) {
    engine.on(key, listen);
  }

  @Override
  public void off(String key) {
    engine.off(key);
  }

  @Override
  public void onBatch(String key, BatchListen listen) {
    engine.onBatch(key, listen);
  }

  @Override
  public List<ReceivedStream> receivedStreams() {
    return engine.receivedStreams();
  }

  @Override
  public Map<String, Long> receivedByKey() {
    return engine.receivedByKey();
  }

  @Override
  public Message.Builder message(String to, String key, Object value) {
    return engine.message(to, key, value);
  }

  @Override
  public SendResult send(Message message, Route route) {
    return engine.send(message, route);
  }

  @Override
  public CompletableFuture<DeliveryReceipt> sendConfirmed(Message message, Route route) {
    return engine.sendConfirmed(message, route);
  }

  @Override
  public Message.Builder requestMessage(String to, String name, Object args) {
    return engine.requestMessage(to, name, args);
  }

  @Override
  public CompletableFuture<Message> request(Message request, Duration timeout) {
    return engine.request(request, timeout);
  }

  @Override
  public void provide(String name, Responder responder) {
    engine.provide(name, responder);
  }

  @Override
  public List<DirectoryEntry> directory() {
    return engine.directory();
  }

  @Override
  public EndpointStats stats() {
    return engine.stats();
  }

  @Override
  public OwnState state() {
    return new OwnState(state);
  }

  @Override
  public StateReplica state(String owner) {
    state.replicate(owner);
    return new StateReplica(state, owner);
  }

  @Override
  public void watchState(String owner, StateListener listener) {
    state.watch(owner, listener);
  }

  @Override
  public StateStats stateStats() {
    return state.stats();
  }

  @Override
  public boolean isClosed() {
    return engine.isClosed();
  }

  @Override
  public void close() {
    engine.close();
  }

  // Topics (TopicBroker; README, Topics).
  private volatile TopicBroker topics; // set once, right after the engine is built

  /** The broker whose listens and events the engine was built with starts serving. */
  final void attachTopics(TopicBroker broker) {
    broker.attach(engine);
    this.topics = broker;
  }

  /** The broker, for the faces (a Station's broadcast). */
  final TopicBroker broker() {
    return topics;
  }

  @Override
  public Topics topics() {
    return topics;
  }
}
