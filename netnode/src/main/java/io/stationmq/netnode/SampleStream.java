package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.StreamCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue that producers push samples into (a DAQ callback at kHz rates, a camera), which a
 * background thread batches into {@code STREAM} messages exactly as the Python {@code
 * Net_Node.get_stream} does (PROTOCOL.md section 6), so Python receivers understand them.
 * Obtain one from {@link NetNode#getStream}.
 *
 * <p>A batch is sent when it holds {@link StreamOptions#batchSize()} samples, or when its
 * first sample has waited {@link StreamOptions#maxDelay()}, so a slow sensor's samples are not
 * held back. With batch size 1 every sample is its own message under the stream's key. An
 * idle stream costs no CPU: its thread blocks on the queue. Streams are unconfirmed
 * ({@code NOREPEAT}); receivers detect lost batches from gaps in the batch numbers. The
 * stream's thread writes each batch's samples straight into the body ({@link
 * io.stationmq.message.StreamCodec#encodeBatch}), no JSON tree per sample.
 *
 * <p>Thread-safe: any number of producers may push. When the queue is full, {@link
 * StreamOptions#overflow()} decides (block, refuse, or drop the oldest), and every loss is
 * counted in {@link #stats()}, as is a sample that cannot be written as JSON (dropped, logged
 * at most 5 lines per 10 s, then how many were held back; the stream goes on). {@link #close()} sends what is queued, then stops the thread;
 * later pushes throw {@link IllegalStateException}. Pushing the string {@code "END"} ends the
 * stream like {@code close()}, for compatibility with Python producers.
 */
public final class SampleStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SampleStream.class);

  private static final long BLOCKED_PUSH_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Engine engine;
  private final String streamId;
  private final String key;
  private final String sender;
  private final String to;
  private final StreamOptions options;
  private final Map<String, Object> headers;
  /** Guards the queue (a ring of samples), {@code closed} and the waiting state below. */
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the stream's thread waits and enough samples for it are queued, or on close. */
  private final Condition enough = lock.newCondition();
  /** Signalled when the stream's thread takes samples (room for a blocked push), or on close. */
  private final Condition room = lock.newCondition();
  private final Object[] ring;
  private int head;
  private int count;
  /** How many queued samples wake the stream's thread; 0 while it does not wait. */
  private int wanted;
  private long pushed;
  private final Runnable onClosed;
  private final RateLimitedLog conversionWarnings = new RateLimitedLog(log, 5, TimeUnit.SECONDS.toNanos(10));
  private final Thread thread;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean closed;
  private long batchNumber;

  SampleStream(Engine engine, String nodeId, String streamId, String key, String to, StreamOptions options,
      Runnable onClosed) {
    this.onClosed = onClosed;
    this.engine = engine;
    this.streamId = streamId;
    this.key = key;
    this.sender = nodeId + "_" + streamId;
    this.to = to;
    this.options = options;
    this.headers = new LinkedHashMap<>();
    headers.put("subject", options.subject());
    headers.put("pilot", options.pilot());
    headers.put("continuous", true);
    this.ring = new Object[options.capacity()];
    this.thread = new Thread(this::run, "stationmq-node-" + nodeId + "-stream-" + streamId);
    thread.setDaemon(true);
    thread.start();
  }

  /** The stream's id (its batches are {@code "{id}_{n}"}). */
  public String id() {
    return streamId;
  }

  /** The key the receiver dispatches samples under. */
  public String key() {
    return key;
  }

  /**
   * Queues a sample: any JSON value, POJO, record, map, list or {@link
   * io.stationmq.message.NdArray}. Returns true when queued; false when refused by {@link
   * Overflow#FAIL} (counted).
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public boolean push(Object sample) {
    if ("END".equals(sample)) {
      if (closed) {
        refused.incrementAndGet();
        throw closedException("is closed");
      }
      close();
      return true;
    }
    lock.lock(); // one lock per sample: the queue, the close check and the counts
    try {
      if (closed) {
        refused.incrementAndGet();
        throw closedException("is closed");
      }
      if (count == ring.length && !makeRoom()) {
        refused.incrementAndGet();
        return false;
      }
      int tail = head + count;
      ring[tail < ring.length ? tail : tail - ring.length] = sample;
      count++;
      pushed++;
      if (wanted > 0 && count >= wanted) { // the stream's thread waits for this many: one wake-up per batch
        wanted = 0;
        enough.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Makes room in the full queue as the overflow policy says (lock held); false when the push is refused. */
  private boolean makeRoom() {
    switch (options.overflow()) {
      case BLOCK:
        try {
          while (count == ring.length) {
            room.awaitNanos(BLOCKED_PUSH_RECHECK_NANOS); // woken by a take or close; the bound is a safety net
            if (closed) {
              refused.incrementAndGet();
              throw closedException("closed while the push waited");
            }
          }
          return true;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      case FAIL:
        return false;
      default:
        ring[head] = null; // the oldest; its place passes to the new sample
        head = head + 1 == ring.length ? 0 : head + 1;
        count--;
        dropped.incrementAndGet();
        return true;
    }
  }

  private IllegalStateException closedException(String what) {
    return new IllegalStateException("stream '" + streamId + "' " + what);
  }

  /** A snapshot of the counters. */
  public StreamStats stats() {
    long pushedNow;
    int queued;
    lock.lock();
    try {
      pushedNow = pushed;
      queued = count;
    } finally {
      lock.unlock();
    }
    return new StreamStats(pushedNow, sent.get(), batches.get(), dropped.get(), refused.get(), queued);
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Sends what is queued, then stops the stream's thread. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true; // the stream's thread sends what is queued, then ends
      enough.signalAll();
      room.signalAll();
    } finally {
      lock.unlock();
    }
    onClosed.run();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    List<Object> batch = new ArrayList<>(options.batchSize());
    try {
      while (true) {
        conversionWarnings.flush();
        boolean end = fill(batch);
        if (!batch.isEmpty()) {
          send(batch);
          batch.clear();
        }
        if (end) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits for a first sample (blocking, so an idle stream costs no CPU, except while warnings
   * are held back, when it returns empty once their window ends), then takes samples until the
   * batch is full, its first sample has waited {@link StreamOptions#maxDelay()}, or the stream
   * is closed. True when the stream is closed and nothing is left after this batch.
   */
  private boolean fill(List<Object> batch) throws InterruptedException {
    int size = options.batchSize();
    lock.lock();
    try {
      while (count == 0) {
        if (closed) {
          return true;
        }
        long untilFlush = conversionWarnings.nanosUntilFlush();
        wanted = 1;
        if (untilFlush < 0) {
          enough.await();
        } else if (enough.awaitNanos(untilFlush) <= 0 && count == 0) {
          wanted = 0;
          return false; // woke only to report held-back warnings
        }
        wanted = 0;
      }
      long deadline = System.nanoTime() + options.maxDelay().toNanos();
      while (true) {
        take(batch, size - batch.size());
        if (batch.size() >= size || closed) {
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        wanted = size - batch.size(); // a push wakes this thread only when the batch can be filled
        enough.awaitNanos(left);
        wanted = 0;
      }
      return closed && count == 0;
    } finally {
      lock.unlock();
    }
  }

  /** Moves up to {@code max} queued samples, oldest first, into {@code batch} (lock held). */
  private void take(List<Object> batch, int max) {
    int n = Math.min(count, max);
    for (int i = 0; i < n; i++) {
      batch.add(ring[head]);
      ring[head] = null;
      head = head + 1 == ring.length ? 0 : head + 1;
    }
    count -= n;
    if (n > 0 && options.overflow() == Overflow.BLOCK) {
      room.signalAll();
    }
  }

  /** Encodes and sends a batch; {@code items} may be changed (samples that cannot be written are removed). */
  private void send(List<Object> items) {
    Message m;
    byte[] body;
    if (options.batchSize() == 1 && items.size() == 1) {
      JsonNode sample = convert(items.get(0));
      if (sample == null) {
        return;
      }
      m = single(sample);
      body = null;
    } else {
      m = envelope();
      body = encodeBatch(m, items);
      if (body == null) {
        return;
      }
    }
    // Wait for room in the endpoint's send queue: the back-pressure then reaches this
    // stream's queue, where the overflow policy applies.
    while (!engine.hasSendCapacity() && !engine.isClosed()) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    if (engine.isClosed()) {
      dropped.addAndGet(items.size());
      return;
    }
    sent.addAndGet(items.size()); // counted first: the receiver may see the batch at once
    batches.incrementAndGet();
    SendResult result = body == null ? engine.send(m, Route.AUTO) : engine.sendEncoded(m, body);
    if (result != SendResult.QUEUED) { // closed, or another sender took the room
      sent.addAndGet(-items.size());
      batches.decrementAndGet();
      dropped.addAndGet(items.size());
    }
  }

  /**
   * The batch's body, its samples written straight to bytes; when one cannot be written, the
   * batch is encoded again without the samples that cannot (dropped, counted, logged). Null
   * when none is left.
   */
  private byte[] encodeBatch(Message envelope, List<Object> items) {
    try {
      return StreamCodec.encodeBatch(envelope, key, headers, items);
    } catch (IllegalArgumentException e) {
      List<Object> good = new ArrayList<>(items.size());
      for (Object item : items) {
        if (convert(item) != null) {
          good.add(item);
        }
      }
      items.clear(); // the caller counts what is left
      try {
        return good.isEmpty() ? null : StreamCodec.encodeBatch(envelope, key, headers, good);
      } catch (IllegalArgumentException again) { // a sample that converts only now and then
        dropped.addAndGet(good.size());
        conversionWarnings.warn("stream '{}': dropped a batch that cannot be sent as JSON: {}", streamId,
            again.getMessage());
        return null;
      } finally {
        items.addAll(good);
      }
    }
  }

  /** A sample as a tree, or null (dropped, counted, logged) when it cannot be written as JSON. */
  private JsonNode convert(Object sample) {
    try {
      return MessageCodec.toJson(sample);
    } catch (IllegalArgumentException e) {
      dropped.incrementAndGet();
      conversionWarnings.warn("stream '{}': dropped a sample that cannot be sent as JSON: {}", streamId,
          e.getMessage());
      return null;
    }
  }

  private Message single(JsonNode sample) {
    return WallTime.stamp(Message.builder(), engine.wallClock()).id(nextId()).to(to).sender(sender).key(key)
        .valueTree(sample).flag(Flags.NOREPEAT).flag(Flags.MINPRINT)
        .extra("subject", options.subject()).extra("pilot", options.pilot()).extra("continuous", true)
        .build();
  }

  /** The batch's fields but its value, which {@link StreamCodec#encodeBatch} writes. */
  private Message envelope() {
    return WallTime.stamp(Message.builder(), engine.wallClock()).id(nextId()).to(to).sender(sender).key("STREAM")
        .flag(Flags.NOREPEAT).flag(Flags.MINPRINT).build();
  }

  private String nextId() {
    return streamId + "_" + batchNumber++;
  }

  @Override
  public String toString() {
    return "SampleStream{" + streamId + ", key=" + key + ", to=" + to + ", " + stats() + "}";
  }
}
