package io.stationmq.netnode;

/**
 * A snapshot of an endpoint's topic counters (see {@link Topics#stats()}). Immutable and
 * thread-safe.
 */
public final class TopicStats {
  private final long published;
  private final long received;
  private final long delivered;
  private final long sentDown;
  private final long sentUp;
  private final long conflated;
  private final long failed;
  private final long unmatched;
  private final long broadcasts;
  private final long latestWaiting;

  TopicStats(long published, long received, long delivered, long sentDown, long sentUp, long conflated, long failed,
      long unmatched, long broadcasts, long latestWaiting) {
    this.published = published;
    this.received = received;
    this.delivered = delivered;
    this.sentDown = sentDown;
    this.sentUp = sentUp;
    this.conflated = conflated;
    this.failed = failed;
    this.unmatched = unmatched;
    this.broadcasts = broadcasts;
    this.latestWaiting = latestWaiting;
  }

  /** Messages published on this endpoint ({@link Topics#publish}). */
  public long published() {
    return published;
  }

  /** Topic messages that arrived from a peer or the upstream (a Station counts what reaches its subtree). */
  public long received() {
    return received;
  }

  /** Listen calls of this endpoint's own subscriptions. */
  public long delivered() {
    return delivered;
  }

  /** Topic messages sent down to peers (nodes, child Stations) that subscribed. */
  public long sentDown() {
    return sentDown;
  }

  /** Topic messages sent to the upstream (publishes passed up, never subscriptions). */
  public long sentUp() {
    return sentUp;
  }

  /** {@link TopicMode#LATEST} values replaced by a newer one before they were sent. */
  public long conflated() {
    return conflated;
  }

  /** Confirmed topic sends that failed (ttl spent, unreachable, closed, no room in the window). */
  public long failed() {
    return failed;
  }

  /** Topic messages that arrived here with no subscription for them. */
  public long unmatched() {
    return unmatched;
  }

  /** Broadcast messages sent by this endpoint (one per peer). */
  public long broadcasts() {
    return broadcasts;
  }

  /**
   * {@link TopicMode#LATEST} values waiting now behind a send in flight: at most one per
   * subscribed peer and topic, however slow the peer.
   */
  public long latestWaiting() {
    return latestWaiting;
  }

  @Override
  public String toString() {
    return "TopicStats{published=" + published + ", received=" + received + ", delivered=" + delivered + ", sentDown="
        + sentDown + ", sentUp=" + sentUp + ", conflated=" + conflated + ", failed=" + failed + ", unmatched="
        + unmatched + ", broadcasts=" + broadcasts + ", latestWaiting=" + latestWaiting + "}";
  }
}
