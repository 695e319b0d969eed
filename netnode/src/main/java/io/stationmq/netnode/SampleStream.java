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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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
  private static final Object END = new Object();

  private final Engine engine;
  private final String streamId;
  private final String key;
  private final String sender;
  private final String to;
  private final StreamOptions options;
  private final Map<String, Object> headers;
  private final BlockingQueue<Object> queue;
  private final Semaphore slots;
  private final Runnable onClosed;
  private final RateLimitedLog conversionWarnings = new RateLimitedLog(log, 5, TimeUnit.SECONDS.toNanos(10));
  private final Thread thread;
  private final AtomicLong pushed = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Object closeLock = new Object();
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
    // Samples take a slot each (at most capacity); the end marker needs none, so it always fits.
    this.queue = new ArrayBlockingQueue<>(options.capacity() + 1);
    this.slots = new Semaphore(options.capacity());
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
    if (closed) {
      refused.incrementAndGet();
      throw new IllegalStateException("stream '" + streamId + "' is closed");
    }
    if ("END".equals(sample)) {
      close();
      return true;
    }
    Object item = sample == null ? NULL_SAMPLE : sample;
    if (!takeSlot()) {
      refused.incrementAndGet();
      return false;
    }
    synchronized (closeLock) { // nothing may follow the end marker
      if (closed) {
        slots.release();
        refused.incrementAndGet();
        throw new IllegalStateException("stream '" + streamId + "' is closed");
      }
      queue.add(item);
    }
    pushed.incrementAndGet();
    return true;
  }

  /** Gets a queue slot as the overflow policy says; false when the push is refused. */
  private boolean takeSlot() {
    switch (options.overflow()) {
      case BLOCK:
        try {
          while (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (closed) {
              refused.incrementAndGet();
              throw new IllegalStateException("stream '" + streamId + "' closed while the push waited");
            }
          }
          return true;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      case FAIL:
        return slots.tryAcquire();
      default:
        while (!slots.tryAcquire()) {
          Object oldest = queue.poll();
          if (oldest == END) { // closed meanwhile: keep the end marker, refuse the sample
            queue.add(END);
            refused.incrementAndGet();
            throw new IllegalStateException("stream '" + streamId + "' is closed");
          }
          if (oldest != null) {
            dropped.incrementAndGet(); // its slot passes to the new sample
            return true;
          }
        }
        return true;
    }
  }

  /** A snapshot of the counters. */
  public StreamStats stats() {
    return new StreamStats(pushed.get(), sent.get(), batches.get(), dropped.get(), refused.get(), queue.size());
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Sends what is queued, then stops the stream's thread. Idempotent. */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(END); // never full: samples hold at most capacity of its capacity + 1 places
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
    long maxDelayNanos = options.maxDelay().toNanos();
    try {
      while (true) {
        Object first = nextSample();
        if (first == null) {
          continue; // woke only to report held-back warnings
        }
        boolean end = first == END;
        if (!end) {
          slots.release();
          batch.add(first);
          long deadline = System.nanoTime() + maxDelayNanos;
          while (batch.size() < options.batchSize()) {
            int taken = queue.drainTo(batch, options.batchSize() - batch.size()); // one lock for what waits
            if (taken > 0) {
              if (batch.get(batch.size() - 1) == END) { // the end marker is always the last thing queued
                batch.remove(batch.size() - 1);
                slots.release(taken - 1);
                end = true;
                break;
              }
              slots.release(taken);
              continue;
            }
            long left = deadline - System.nanoTime();
            Object next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
              break;
            }
            if (next == END) {
              end = true;
              break;
            }
            slots.release();
            batch.add(next);
          }
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

  private void send(List<Object> samples) {
    List<Object> items = new ArrayList<>(samples.size());
    samples.forEach(sample -> items.add(unwrap(sample)));
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

  /**
   * The next sample or end marker: blocks, so an idle stream costs no CPU, except while
   * warnings are held back, when it wakes (returning null) to report them once their window
   * ends.
   */
  private Object nextSample() throws InterruptedException {
    conversionWarnings.flush();
    long untilFlush = conversionWarnings.nanosUntilFlush();
    return untilFlush < 0 ? queue.take() : queue.poll(untilFlush, TimeUnit.NANOSECONDS);
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

  private static final Object NULL_SAMPLE = new Object();

  private static Object unwrap(Object sample) {
    return sample == NULL_SAMPLE ? null : sample;
  }

  @Override
  public String toString() {
    return "SampleStream{" + streamId + ", key=" + key + ", to=" + to + ", " + stats() + "}";
  }
}
