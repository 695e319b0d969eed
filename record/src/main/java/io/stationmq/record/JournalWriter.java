package io.stationmq.record;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder's writer thread ({@code stationmq-record-ID-writer}) and the bounded hand-off to
 * it. Listens {@link #offer} encoded records (refused, never waited for, when {@code maxBytes}
 * are already waiting); the thread appends them to the {@link Journal}, and every flush
 * interval runs the tick (which hands over partly filled stream buffers), writes everything
 * queued to the file and forces it to disk. Records offered before {@link #start} wait in the
 * same bounded queue and are written, after the first record {@code start} is given, when the
 * thread starts. Thread-safe: any thread may offer.
 */
final class JournalWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
  private static final byte[] STOP = new byte[0];

  private final Journal journal;
  private final long maxBytes;
  private final long intervalNanos;
  private final Runnable tick;
  private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  private final AtomicLong buffered = new AtomicLong();
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread thread;
  private volatile byte[] first;
  private volatile long journalBytes;
  private volatile boolean failed;
  private volatile boolean stopping;

  JournalWriter(Path file, long maxBytes, long intervalNanos, Runnable tick) throws IOException {
    this.journal = Journal.create(file, 1 << 20);
    this.maxBytes = maxBytes;
    this.intervalNanos = intervalNanos;
    this.tick = tick;
    this.thread = new Thread(this::run);
    thread.setDaemon(true);
  }

  /** Starts the thread {@code name}, which writes {@code first} before anything queued so far. */
  void start(String name, byte[] first) {
    this.first = first;
    thread.setName(name);
    thread.start();
  }

  /** For a writer never started: forgets what is queued and closes the journal (its file stays). */
  void discard() throws IOException {
    stopping = true;
    queue.clear();
    buffered.set(0);
    journal.close();
    done.countDown();
  }

  /**
   * Queues a record; false (nothing queued) when {@code maxBytes} already wait, writing failed,
   * or closing began (except from the writer's own last tick).
   */
  boolean offer(byte[] record) {
    if (failed || (stopping && Thread.currentThread() != thread)) {
      return false;
    }
    long after = buffered.addAndGet(record.length);
    if (after > maxBytes && after != record.length) { // one record always fits an empty buffer
      buffered.addAndGet(-record.length);
      return false;
    }
    queue.add(record);
    return true;
  }

  /** Queues a record that must not be lost to the bound (the start and end records). */
  void put(byte[] record) {
    buffered.addAndGet(record.length);
    queue.add(record);
  }

  long bufferedBytes() {
    return buffered.get();
  }

  long journalBytes() {
    return journalBytes;
  }

  long flushes() {
    return flushes.get();
  }

  long failures() {
    return failures.get();
  }

  private void run() {
    long next = System.nanoTime() + intervalNanos;
    try {
      buffered.addAndGet(first.length);
      write(first);
      while (true) {
        long wait = next - System.nanoTime();
        byte[] r = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : null;
        if (r == STOP) {
          tick.run();
          drainQueue();
          flush();
          return;
        }
        if (r != null) {
          write(r);
        }
        if (System.nanoTime() - next >= 0) {
          tick.run();
          drainQueue();
          flush();
          next += intervalNanos;
          if (System.nanoTime() - next >= 0) { // fell behind: the next flush is an interval from now
            next = System.nanoTime() + intervalNanos;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        journal.close();
      } catch (IOException e) {
        fail(e);
      }
      done.countDown();
    }
  }

  /** Writes what is queued now; a STOP met here is put back for the loop. */
  private void drainQueue() {
    byte[] r;
    while ((r = queue.poll()) != null) {
      if (r == STOP) {
        queue.add(STOP);
        return;
      }
      write(r);
    }
  }

  private void write(byte[] r) {
    buffered.addAndGet(-r.length);
    if (failed) {
      return;
    }
    try {
      journal.append(r);
      journalBytes = journal.bytes();
    } catch (IOException e) {
      fail(e);
    }
  }

  private void flush() {
    if (failed) {
      return;
    }
    try {
      journal.flush(true);
      flushes.incrementAndGet();
    } catch (IOException e) {
      fail(e);
    }
  }

  private void fail(IOException e) {
    failures.incrementAndGet();
    if (!failed) {
      failed = true;
      log.error("recording journal: writing failed, nothing more is recorded: {}", e.toString());
    }
  }

  /** True once a write failed (the recording stopped growing). */
  boolean failed() {
    return failed;
  }

  /** Writes everything queued, flushes, closes the journal and ends the thread. */
  @Override
  public void close() throws IOException {
    stopping = true;
    queue.add(STOP);
    try {
      if (!done.await(60, TimeUnit.SECONDS)) {
        throw new IOException("the recording's writer did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the recording's writer finished", e);
    }
  }
}
