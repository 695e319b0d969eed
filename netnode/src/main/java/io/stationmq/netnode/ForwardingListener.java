package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.List;

/**
 * An {@link EndpointListener} that passes every call on to the application's listener; the parts
 * that need to hear some events as well ({@link TopicEvents}, {@link StateUpstreamHook}) extend it
 * and override just those. {@code ForwardingListenerTest} fails when a listener method is added
 * and not passed on. Thread-safety: that of the listener it wraps. Not public API.
 */
abstract class ForwardingListener implements EndpointListener {
  /** The application's listener. */
  protected final EndpointListener app;

  ForwardingListener(EndpointListener app) {
    this.app = app;
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
    app.peerLeft(entry, reason);
  }

  @Override
  public void peerRefused(String peerId, String reason) {
    app.peerRefused(peerId, reason);
  }

  @Override
  public void upstreamConnected(String upstreamId) {
    app.upstreamConnected(upstreamId);
  }

  @Override
  public void upstreamLost(String upstreamId, String reason) {
    app.upstreamLost(upstreamId, reason);
  }

  @Override
  public void upstreamBack(String upstreamId, String reason) {
    app.upstreamBack(upstreamId, reason);
  }

  @Override
  public void upstreamRefused(String upstreamId, String reason) {
    app.upstreamRefused(upstreamId, reason);
  }

  @Override
  public void upstreamNotFound(String upstreamId, String reason) {
    app.upstreamNotFound(upstreamId, reason);
  }

  @Override
  public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
    app.upstreamChanged(upstreamId, state, reason);
  }
}
