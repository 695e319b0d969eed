package io.stationmq.netnode;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Topics on a Station tree: publish from any endpoint, subscribe to a topic or a prefix on any
 * endpoint, share a topic's messages in a group (competing consumers), declare topics in a
 * registry. Reached through {@link Endpoint#topics()}.
 *
 * <p>Subscriptions travel upward: a node tells its Station what it subscribes, a Station tells
 * its parent what its whole subtree subscribes (one entry per pattern and group). A publish
 * goes to the publisher's Station, up only while someone outside that subtree subscribes, and
 * down only into subtrees that subscribed. After the upstream restarts or comes back the endpoint subscribes again;
 * a Station forgets the subscriptions of a peer its directory declares gone.
 *
 * <p>Listens of subscriptions run on the endpoint's worker threads, one at a time per
 * upstream sender (a Station's topic messages to a node are handled in order); a subscription
 * on the publishing endpoint itself is called on the publishing thread. A slow listen holds
 * back the confirmation of its message, so the Station above sends {@link TopicMode#EVERY}
 * messages at the pace of the slowest subscriber (bounded by a window) and conflates {@link
 * TopicMode#LATEST} ones.
 *
 * <p>Thread-safe. Failures: a confirmed send that fails is counted in {@link
 * TopicStats#failed()} and logged (rate limited); a topic message for nothing subscribed here
 * is counted in {@link TopicStats#unmatched()}. Python peers take no part (they ignore the
 * {@code SMQ_} keys) except as receivers of {@link Station#broadcast}.
 */
public interface Topics {
  /**
   * Publishes {@code value} (any JSON value) on {@code topic}. The future completes when the
   * upstream Station has taken it and passed it on (or at once without an upstream); it fails
   * with a {@link DeliveryException} when it could not be handed over. Blocks while the
   * endpoint's window of unconfirmed publishes is full (back-pressure), at most for the
   * endpoint's {@link EndpointOptions#maxDeliveryTime()}.
   *
   * @throws IllegalArgumentException when {@code topic} is empty or has a {@code *}
   */
  CompletableFuture<Void> publish(String topic, Object value);

  /** Subscribes to every message on {@code pattern} ({@link TopicMode#EVERY}, no group). */
  default Subscription subscribe(String pattern, Listen listen) {
    return subscribe(pattern, null, TopicMode.EVERY, listen);
  }

  /**
   * Joins {@code group} on {@code pattern}: the group's members in the whole tree share the
   * messages, each going to one member, round-robin among the live ones.
   */
  default Subscription subscribe(String pattern, String group, Listen listen) {
    return subscribe(pattern, group, TopicMode.EVERY, listen);
  }

  /** Subscribes to the newest value only ({@link TopicMode#LATEST}). */
  default Subscription subscribeLatest(String pattern, Listen listen) {
    return subscribe(pattern, null, TopicMode.LATEST, listen);
  }

  /**
   * Subscribes {@code listen} to {@code pattern}: a topic, or a prefix ending in {@code *}
   * ({@code "*"} for every topic). The listen receives a message whose key is the topic, whose
   * sender is the publisher, and whose value is the published value.
   *
   * @param group null for a plain subscription, or a group name (see {@link #subscribe(String,
   *     String, Listen)})
   * @throws IllegalArgumentException when the pattern is empty or has a {@code *} before its end
   */
  Subscription subscribe(String pattern, String group, TopicMode mode, Listen listen);

  /**
   * Declares {@code topic} in the registry: the type of its values and what it carries. The
   * declaration travels up with this endpoint's subscriptions, so every Station above lists it
   * in its answer to the {@code TOPICS} request ({@code ./stationmq topics}).
   */
  void declare(String topic, String valueType, String description);

  /** The topics declared here and, on a Station, in its subtree. */
  List<TopicInfo> declared();

  /**
   * How many subscriptions this endpoint knows of that match {@code topic}: its own, its peers'
   * (a child Station counts once per pattern and group it subscribed for its subtree).
   */
  int subscribers(String topic);

  /** A snapshot of the topic counters. */
  TopicStats stats();
}
