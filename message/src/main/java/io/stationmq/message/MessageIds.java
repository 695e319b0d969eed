package io.stationmq.message;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates message ids in the autopilot form {@code "{sender}_{n}"}, with {@code n} counting
 * from 0 per generator (one generator per endpoint).
 *
 * <p>Thread-safe: any number of threads may call {@link #next()}.
 */
public final class MessageIds {
  private final String prefix;
  private final AtomicLong counter = new AtomicLong();

  /** A generator for ids of messages sent by {@code senderId}. */
  public MessageIds(String senderId) {
    this(senderId, 0);
  }

  /**
   * A generator whose first id is {@code "{sender}_{first}"}: an endpoint that resumes messages
   * of its previous run starts past their ids, so a new message never takes one still in flight.
   */
  public MessageIds(String senderId, long first) {
    if (senderId == null || senderId.isEmpty()) {
      throw new IllegalArgumentException("senderId must be non-empty");
    }
    if (first < 0) {
      throw new IllegalArgumentException("first must not be negative, got " + first);
    }
    this.prefix = senderId + "_";
    this.counter.set(first);
  }

  /** The next id; never repeats within this generator. */
  public String next() {
    return prefix + counter.getAndIncrement();
  }
}
