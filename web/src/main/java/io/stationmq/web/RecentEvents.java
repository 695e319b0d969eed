package io.stationmq.web;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryException;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.EndpointListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last warnings of an endpoint, for a {@link WebView}: an {@link EndpointListener} that keeps
 * the latest {@code capacity} of its warnings (listens that threw, unknown keys, malformed input,
 * unreachable recipients, drops a Station reported, failed deliveries, refused peers, peers gone,
 * the upstream lost or refusing). A warning equal to the latest one (same kind and text) adds to
 * its count instead of taking a place, so a flood of one bad input leaves the others visible.
 * Memory is bounded by {@code capacity} and by {@link #MAX_TEXT} characters per warning.
 *
 * <p>Give it to the endpoint's options ({@code EndpointOptions.builder().listener(events)}); a
 * Station has one listener, so to keep another one as well, have that one call this. Thread-safe
 * (one short {@code synchronized} block per warning and per read).
 */
public final class RecentEvents implements EndpointListener {
  /** The default number of warnings kept. */
  public static final int DEFAULT_CAPACITY = 50;
  /** Longer texts are cut to this many characters. */
  public static final int MAX_TEXT = 300;

  /**
   * One warning.
   *
   * @param time when it (first) happened
   * @param kind what happened: {@code handler_failed}, {@code unknown_key}, {@code malformed},
   *     {@code unreachable}, {@code dropped}, {@code delivery_failed}, {@code refused}, {@code
   *     peer_left}, {@code upstream}
   * @param text what and who, one line
   * @param count how many times in a row it happened, from {@code time} to {@code last}
   * @param last when it last happened
   */
  public record Event(Instant time, String kind, String text, long count, Instant last) {}

  private final int capacity;
  private final Clock clock;
  private final Deque<Event> events = new ArrayDeque<>();
  private long total;

  private RecentEvents(int capacity, Clock clock) {
    this.capacity = capacity;
    this.clock = clock;
  }

  /** Keeps the latest {@link #DEFAULT_CAPACITY} warnings. */
  public static RecentEvents create() {
    return create(DEFAULT_CAPACITY);
  }

  /** Keeps the latest {@code capacity} warnings, 1..10,000. */
  public static RecentEvents create(int capacity) {
    if (capacity < 1 || capacity > 10_000) {
      throw new IllegalArgumentException("capacity must be 1..10000, got " + capacity);
    }
    return new RecentEvents(capacity, Clock.systemUTC());
  }

  /** The warnings kept, oldest first. */
  public synchronized List<Event> events() {
    return new ArrayList<>(events);
  }

  /** Warnings recorded since it was made, repeats included. */
  public synchronized long total() {
    return total;
  }

  /** Records a warning of {@code kind}; what the listener methods call. */
  void add(String kind, String text) {
    String cut = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
    Instant now = clock.instant();
    synchronized (this) {
      total++;
      Event latest = events.peekLast();
      if (latest != null && latest.kind().equals(kind) && latest.text().equals(cut)) {
        events.pollLast();
        events.addLast(new Event(latest.time(), kind, cut, latest.count() + 1, now));
        return;
      }
      if (events.size() == capacity) {
        events.pollFirst();
      }
      events.addLast(new Event(now, kind, cut, 1, now));
    }
  }

  @Override
  public void handlerFailed(Message message, Throwable error) {
    add("handler_failed", "listen for '" + message.key() + "' threw on a message from '" + message.sender() + "': " + error);
  }

  @Override
  public void unknownKey(Message message) {
    add("unknown_key", "no listen for '" + message.key() + "' (from '" + message.sender() + "')");
  }

  @Override
  public void malformed(String source, String reason) {
    add("malformed", source + ": " + reason);
  }

  @Override
  public void unreachable(String recipient, String messageId, String reason) {
    add("unreachable", "to '" + recipient + "': " + reason);
  }

  @Override
  public void droppedDownstream(String station, String to, long count, String reason) {
    add("dropped", station + " dropped " + count + " message(s) for '" + to + "': " + reason);
  }

  @Override
  public void deliveryFailed(Message message, DeliveryException error) {
    add("delivery_failed", "'" + message.key() + "' to '" + message.to() + "': " + error.getMessage());
  }

  @Override
  public void peerRefused(String peerId, String reason) {
    add("refused", "'" + peerId + "': " + reason);
  }

  @Override
  public void peerLeft(DirectoryEntry entry, String reason) {
    add("peer_left", "'" + entry.id() + "' gone: " + reason);
  }

  @Override
  public void upstreamLost(String upstreamId, String reason) {
    add("upstream", "upstream '" + upstreamId + "' lost: " + reason);
  }

  @Override
  public void upstreamRefused(String upstreamId, String reason) {
    add("upstream", "upstream '" + upstreamId + "' refused this endpoint: " + reason);
  }

  @Override
  public String toString() {
    return "RecentEvents{" + events().size() + " of " + capacity + "}";
  }
}
