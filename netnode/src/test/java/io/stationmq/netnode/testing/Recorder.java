package io.stationmq.netnode.testing;

import io.stationmq.message.Message;
import io.stationmq.netnode.Listen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listen that records every message it is called with. Thread-safe. */
public final class Recorder implements Listen {
  private final BlockingQueue<Message> pending = new LinkedBlockingQueue<>();
  private final List<Message> all = new CopyOnWriteArrayList<>();

  @Override
  public void handle(Message message) {
    all.add(message);
    pending.add(message);
  }

  /** The next message not yet taken, waiting up to 10 s; fails otherwise. */
  public Message next() {
    return next(Duration.ofSeconds(10));
  }

  /** The next message not yet taken, waiting up to {@code timeout}; fails otherwise. */
  public Message next(Duration timeout) {
    try {
      Message m = pending.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (m == null) {
        throw new AssertionError("no message handled within " + timeout);
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** How many calls so far. */
  public int count() {
    return all.size();
  }

  /** Every message handled so far, in call order. */
  public List<Message> all() {
    return new ArrayList<>(all);
  }
}
