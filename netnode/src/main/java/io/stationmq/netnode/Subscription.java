package io.stationmq.netnode;

/**
 * One subscription made with {@link Topics#subscribe}: its pattern, group and mode, and how to
 * end it. Thread-safe. {@link #close()} unsubscribes (idempotent); the Station above hears of
 * it with this endpoint's next subscription snapshot.
 */
public interface Subscription extends AutoCloseable {
  /** The topic or prefix pattern ({@code "rig1.temp"}, {@code "rig1.*"}, {@code "*"}). */
  String pattern();

  /** The group whose members share the messages, or null for a plain subscription. */
  String group();

  /** How the messages come (see {@link TopicMode}). */
  TopicMode mode();

  /** Stops the subscription; no listen call starts after it returns. */
  @Override
  void close();
}
