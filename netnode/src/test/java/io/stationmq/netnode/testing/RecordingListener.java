package io.stationmq.netnode.testing;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryException;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.UpstreamState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link EndpointListener} that records every event. Thread-safe. */
public final class RecordingListener implements EndpointListener {
  /** A {@code handlerFailed} call. */
  public record HandlerFailure(Message message, Throwable error) {}

  /** A {@code malformed} call. */
  public record Malformed(String source, String reason) {}

  /** An {@code unreachable} call. */
  public record Unreachable(String recipient, String messageId, String reason) {}

  /** A {@code deliveryFailed} call. */
  public record DeliveryFailure(Message message, DeliveryException error) {}

  private final List<HandlerFailure> handlerFailures = new CopyOnWriteArrayList<>();
  private final List<Message> unknownKeys = new CopyOnWriteArrayList<>();
  private final List<Malformed> malformed = new CopyOnWriteArrayList<>();
  private final List<Unreachable> unreachable = new CopyOnWriteArrayList<>();
  private final List<DeliveryFailure> deliveryFailures = new CopyOnWriteArrayList<>();
  private final List<Message> resumed = new CopyOnWriteArrayList<>();
  private final List<String> upstream = new CopyOnWriteArrayList<>();

  @Override
  public void handlerFailed(Message message, Throwable error) {
    handlerFailures.add(new HandlerFailure(message, error));
  }

  @Override
  public void unknownKey(Message message) {
    unknownKeys.add(message);
  }

  @Override
  public void malformed(String source, String reason) {
    malformed.add(new Malformed(source, reason));
  }

  @Override
  public void unreachable(String recipient, String messageId, String reason) {
    unreachable.add(new Unreachable(recipient, messageId, reason));
  }

  @Override
  public void deliveryFailed(Message message, DeliveryException error) {
    deliveryFailures.add(new DeliveryFailure(message, error));
  }

  @Override
  public void deliveriesResumed(List<Message> messages) {
    resumed.addAll(messages);
  }

  @Override
  public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
    upstream.add(state.toString());
  }

  @Override
  public void upstreamLost(String upstreamId, String reason) {
    upstream.add("lost: " + reason);
  }

  @Override
  public void upstreamBack(String upstreamId, String reason) {
    upstream.add("back: " + reason);
  }

  public List<HandlerFailure> handlerFailures() {
    return new ArrayList<>(handlerFailures);
  }

  public List<Message> unknownKeys() {
    return new ArrayList<>(unknownKeys);
  }

  public List<Malformed> malformed() {
    return new ArrayList<>(malformed);
  }

  public List<Unreachable> unreachable() {
    return new ArrayList<>(unreachable);
  }

  public List<DeliveryFailure> deliveryFailures() {
    return new ArrayList<>(deliveryFailures);
  }

  /** The upstream's states ({@code upstreamChanged}), {@code "lost: REASON"} and {@code "back: REASON"}, in order. */
  public List<String> upstream() {
    return new ArrayList<>(upstream);
  }

  /** Every message reported to {@code deliveriesResumed}. */
  public List<Message> resumed() {
    return new ArrayList<>(resumed);
  }
}
