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

  EndpointBase(Engine engine) {
    this.engine = engine;
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
  public boolean isClosed() {
    return engine.isClosed();
  }

  @Override
  public void close() {
    engine.close();
  }
}
