package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.List;

/**
 * The application's {@link EndpointListener} with one addition: when the upstream answers HELLO
 * (first, again after a loss) or turns out to have restarted, {@link StateService} is told first,
 * so an owner re-sends its snapshot and a replica subscribes again. Every call goes on to the
 * application's listener unchanged ({@code StateUpstreamHookTest} fails when a listener method is
 * not passed on). Runs on the endpoint's callback lane. Not public API.
 */
final class StateUpstreamHook implements EndpointListener {
  private final EndpointListener user;
  private final Runnable upstreamUp;

  StateUpstreamHook(EndpointListener user, Runnable upstreamUp) {
    this.user = user;
    this.upstreamUp = upstreamUp;
  }

  @Override
  public void handlerFailed(Message message, Throwable error) {
    user.handlerFailed(message, error);
  }

  @Override
  public void unknownKey(Message message) {
    user.unknownKey(message);
  }

  @Override
  public void malformed(String source, String reason) {
    user.malformed(source, reason);
  }

  @Override
  public void unreachable(String recipient, String messageId, String reason) {
    user.unreachable(recipient, messageId, reason);
  }

  @Override
  public void droppedDownstream(String station, String to, long count, String reason) {
    user.droppedDownstream(station, to, count, reason);
  }

  @Override
  public void deliveryFailed(Message message, DeliveryException error) {
    user.deliveryFailed(message, error);
  }

  @Override
  public void deliveriesResumed(List<Message> messages) {
    user.deliveriesResumed(messages);
  }

  @Override
  public void peerJoined(DirectoryEntry entry) {
    user.peerJoined(entry);
  }

  @Override
  public void peerStatusChanged(DirectoryEntry entry, PeerStatus previous, String reason) {
    user.peerStatusChanged(entry, previous, reason);
  }

  @Override
  public void peerLeft(DirectoryEntry entry, String reason) {
    user.peerLeft(entry, reason);
  }

  @Override
  public void peerRefused(String peerId, String reason) {
    user.peerRefused(peerId, reason);
  }

  @Override
  public void upstreamConnected(String upstreamId) {
    user.upstreamConnected(upstreamId);
  }

  @Override
  public void upstreamLost(String upstreamId, String reason) {
    user.upstreamLost(upstreamId, reason);
  }

  @Override
  public void upstreamBack(String upstreamId, String reason) {
    if ("restarted".equals(reason)) {
      upstreamUp.run();
    }
    user.upstreamBack(upstreamId, reason);
  }

  @Override
  public void upstreamRefused(String upstreamId, String reason) {
    user.upstreamRefused(upstreamId, reason);
  }

  @Override
  public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
    if (state == UpstreamState.CONNECTED) {
      upstreamUp.run();
    }
    user.upstreamChanged(upstreamId, state, reason);
  }

  @Override
  public String toString() {
    return "StateUpstreamHook{" + user + "}";
  }
}
