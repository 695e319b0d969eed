package io.stationmq.netnode;

/**
 * The endpoint's listener as the application gave it, with the events the {@link TopicBroker}
 * needs added: the upstream answering (subscribe again) and a peer leaving (forget its
 * subscriptions). Everything goes on to the application's listener first. Runs on the
 * endpoint's callback lane, like any listener. Not public API.
 */
final class TopicEvents extends ForwardingListener {
  private final TopicBroker broker;

  TopicEvents(EndpointListener app, TopicBroker broker) {
    super(app);
    this.broker = broker;
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
  public void upstreamConnected(String upstreamId) {
    try {
      app.upstreamConnected(upstreamId);
    } finally {
      broker.upstreamAnswers();
    }
  }

  @Override
  public void upstreamBack(String upstreamId, String reason) {
    try {
      app.upstreamBack(upstreamId, reason);
    } finally {
      broker.upstreamAnswers();
    }
  }
}
