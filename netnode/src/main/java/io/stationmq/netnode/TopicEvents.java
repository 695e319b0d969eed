package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.List;

/**
 * The endpoint's listener as the application gave it, with the events the {@link TopicBroker}
 * needs added: the upstream answering (subscribe again) and a peer leaving (forget its
 * subscriptions). Everything goes on to the application's listener first. Runs on the
 * endpoint's callback lane, like any listener. Not public API.
 */
final class TopicEvents implements EndpointListener {
  private final EndpointListener app;
  private final TopicBroker broker;

  TopicEvents(EndpointListener app, TopicBroker broker) {
    this.app = app;
    this.broker = broker;
  }

  @Override
  public void handlerFailed(Message message, Throwable error) {
    app.handlerFailed(message, error);
  }

  @Override
  public void unknownKey(Message message) {
    app.unknownKey(message);
  }

  @Override
  public void malformed(String source, String reason) {
    app.malformed(source, reason);
  }

  @Override
  public void unreachable(String recipient, String messageId, String reason) {
    app.unreachable(recipient, messageId, reason);
  }

  @Override
  public void droppedDownstream(String station, String to, long count, String reason) {
    app.droppedDownstream(station, to, count, reason);
  }

  @Override
  public void deliveryFailed(Message message, DeliveryException error) {
    app.deliveryFailed(message, error);
  }

  @Override
  public void deliveriesResumed(List<Message> messages) {
    app.deliveriesResumed(messages);
  }

  @Override
  public void peerJoined(DirectoryEntry entry) {
    app.peerJoined(entry);
  }

  @Override
  public void peerStatusChanged(DirectoryEntry entry, PeerStatus previous, String reason) {
    app.peerStatusChanged(entry, previous, reason);
  }

  @Override
  public void peerLeft(DirectoryEntry entry, String reason) {
    try {
      app.peerLeft(entry, reason);
    } finally {
      broker.peerGone(entry.id());
    }
  }

  @Override
  public void peerRefused(String peerId, String reason) {
    app.peerRefused(peerId, reason);
  }

  @Override
  public void upstreamConnected(String upstreamId) {
    try {
      app.upstreamConnected(upstreamId);
    } finally {
      broker.upstreamAnswers();
    }
  }

  @Override
  public void upstreamLost(String upstreamId, String reason) {
    app.upstreamLost(upstreamId, reason);
  }

  @Override
  public void upstreamBack(String upstreamId, String reason) {
    try {
      app.upstreamBack(upstreamId, reason);
    } finally {
      broker.upstreamAnswers();
    }
  }

  @Override
  public void upstreamRefused(String upstreamId, String reason) {
    app.upstreamRefused(upstreamId, reason);
  }

  @Override
  public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
    app.upstreamChanged(upstreamId, state, reason);
  }
}
