package io.stationmq.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.Listen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the streams and keyed messages an endpoint receives into one HDF5 file, which h5py,
 * MATLAB and any HDF5 tool open without stationmq (layout: the README's "Recording").
 *
 * <p>While it runs, everything goes to an append-only journal next to the file ({@code
 * FILE.journal}: length-prefixed, CRC-checked records), written to the operating system and
 * forced to disk every {@link Builder#flushInterval} (1 s); {@link #close()} turns the journal
 * into the HDF5 file and deletes it. A recorder that is killed leaves the journal, and {@link
 * #recover} turns its complete records into the HDF5 file: everything received up to about one
 * flush interval before the kill.
 *
 * <p>Memory is bounded: listens encode samples on the endpoint's worker threads and hand them
 * to the writer thread ({@code stationmq-record-ID-writer}) through a buffer of at most {@link
 * Builder#bufferBytes} (64 MiB). When the disk does not keep up and the buffer is full, new
 * samples and messages are dropped, counted in {@link #stats()} and in the file (per stream),
 * and logged at most once per 10 s; the endpoint and its other listens are never held up.
 *
 * <p>The recorder registers a listen for each stream key and message key on the endpoint (it
 * replaces any listen already there) and removes them on close; it does not close the endpoint.
 * To lose nothing the endpoint receives before the recorder starts, {@link Builder#prepare()}
 * one and give its {@link PreparedRecorder#listens()} to the endpoint's builder.
 * Thread-safe. Converting needs the recording in memory (jHDF writes a file at once): about 8
 * bytes per number, so {@link #close()} of a long, fast recording needs a heap to match.
 */
public final class Recorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Recorder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Samples per journal record at most (a record also ends at every flush). */
  private static final int RECORD_SAMPLES = 512;
  /** The software this build writes into every file. */
  public static final String VERSION = "stationmq 0.1.0";

  private volatile Endpoint endpoint;
  private final Path file;
  private final Path journal;
  private final boolean keepJournal;
  private final List<String> streamKeys;
  private final List<String> messageKeys;
  private final Map<String, StreamBuffer> buffers = new ConcurrentHashMap<>();
  private final Map<String, String> headers;
  private final Duration clockInterval;
  private final Map<String, Listen> listens;
  private final JournalWriter writer;
  private volatile ClockRecorder clocks;
  private final ZoneId zone = ZoneId.systemDefault();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong droppedSamples = new AtomicLong();
  private final AtomicLong droppedMessages = new AtomicLong();
  private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(10));
  private final Object closeLock = new Object();
  private volatile boolean closing;
  private ConversionReport report;

  /** Creates the journal; what the listens take waits in the writer's queue until {@link #attach}. */
  private Recorder(Builder b) throws IOException {
    this.file = b.file;
    this.journal = b.journal != null ? b.journal : b.file.resolveSibling(b.file.getFileName() + ".journal");
    this.keepJournal = b.keepJournal;
    this.streamKeys = List.copyOf(b.streams);
    this.messageKeys = List.copyOf(b.keys);
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.clockInterval = b.clockInterval;
    this.writer = new JournalWriter(journal, b.bufferBytes, b.flushInterval.toNanos(), this::tick);
    Map<String, Listen> l = new LinkedHashMap<>();
    streamKeys.forEach(k -> l.put(k, this::onSample));
    messageKeys.forEach(k -> l.put(k, this::onMessage));
    this.listens = Collections.unmodifiableMap(l);
  }

  /** The listen of each recorded key, in the order given (streams first); unmodifiable. */
  Map<String, Listen> listens() {
    return listens;
  }

  /**
   * Starts recording what {@code endpoint} receives: writes the start record, then what the
   * listens took so far, and (re-)registers the listens on it. Called once.
   */
  void attach(Endpoint endpoint) {
    synchronized (closeLock) {
      if (closing) {
        throw new IllegalStateException("this recording was discarded");
      }
      this.endpoint = endpoint;
      this.clocks = new ClockRecorder(endpoint, clockInterval, this::offerClock);
      writer.start("stationmq-record-" + endpoint.id() + "-writer", startRecord(headers));
      listens.forEach(endpoint::on);
    }
  }

  /** Ends a recording that was never attached: forgets what the listens took and deletes the journal. */
  void discard() {
    synchronized (closeLock) {
      if (closing) {
        return;
      }
      closing = true;
      try {
        writer.discard();
        Files.deleteIfExists(journal);
      } catch (IOException e) {
        log.warn("recording to {}: cannot delete the unused journal {}: {}", file, journal, e.toString());
      }
    }
  }

  /** A builder; {@link Builder#endpoint}, {@link Builder#file} and at least one stream or key are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Turns the journal a killed recorder left into an HDF5 file: every complete record, up to
   * the first torn or corrupt one (what the recorder was writing when it died).
   *
   * @throws RecordingException if the journal cannot be read or is not one, or {@code out}
   *     cannot be written
   */
  public static ConversionReport recover(Path journal, Path out) {
    try {
      return Conversion.convert(journal, out);
    } catch (IOException | RuntimeException e) {
      throw new RecordingException("cannot turn " + journal + " into " + out + ": " + e.getMessage(), e);
    }
  }

  /** The HDF5 file this recording ends in. */
  public Path file() {
    return file;
  }

  /** The journal written while the recording runs. */
  public Path journal() {
    return journal;
  }

  /** A snapshot of the counters. */
  public RecorderStats stats() {
    long lost = 0;
    for (StreamBuffer b : buffers.values()) {
      lost += b.lostTotal();
    }
    return new RecorderStats(samples.get(), messages.get(), lost, droppedSamples.get(), droppedMessages.get(),
        writer.bufferedBytes(), writer.journalBytes(), writer.flushes(), writer.failures());
  }

  private void onSample(Message m) {
    if (closing) {
      return;
    }
    StreamBuffer b = buffers.computeIfAbsent(m.sender() + '\u0000' + m.key(),
        k -> new StreamBuffer(m.sender(), m.key(), RECORD_SAMPLES));
    hand(b, b.add(m, seconds(m)));
  }

  private void hand(StreamBuffer b, StreamBuffer.Chunk chunk) {
    if (chunk == null) {
      return;
    }
    if (writer.offer(chunk.bytes())) {
      samples.addAndGet(chunk.samples());
    } else {
      b.dropped(chunk.samples());
      droppedSamples.addAndGet(chunk.samples());
      dropped(chunk.samples() + " samples of " + b);
    }
  }

  private void onMessage(Message m) {
    if (closing) {
      return;
    }
    ObjectNode r = JSON.createObjectNode();
    r.put("type", "message");
    r.put("key", m.key());
    r.put("sender", m.sender());
    r.put("id", m.id());
    r.put("t", seconds(m));
    r.set("value", m.valueNode());
    byte[] bytes = bytes(r);
    if (writer.offer(bytes)) {
      messages.incrementAndGet();
    } else {
      droppedMessages.incrementAndGet();
      dropped("a '" + m.key() + "' message from '" + m.sender() + "'");
    }
  }

  private void dropped(String what) {
    long now = System.nanoTime();
    long last = lastDropLog.get();
    if (now - last >= TimeUnit.SECONDS.toNanos(10) && lastDropLog.compareAndSet(last, now)) {
      Endpoint e = endpoint;
      log.warn("recorder {}: {}, {} MiB wait to be written; dropped {} (dropped so far: {} samples, {} messages)",
          e == null ? "for " + file : "on '" + e.id() + "'",
          e == null ? "its endpoint has not started it yet" : "the disk does not keep up",
          writer.bufferedBytes() >> 20, what, droppedSamples.get(), droppedMessages.get());
    }
  }

  /** The message's timestamp (the sender's clock, local time as Python writes it) in seconds since the epoch. */
  private double seconds(Message m) {
    LocalDateTime t = m.timestamp().orElse(null);
    if (t == null) {
      return Double.NaN;
    }
    Instant i = t.atZone(zone).toInstant();
    return i.getEpochSecond() + i.getNano() / 1e9;
  }

  /** On the writer thread, each flush interval: hands over partly filled buffers, records clock offsets. */
  private void tick() {
    for (StreamBuffer b : buffers.values()) {
      hand(b, b.drain());
    }
    clocks.poll();
  }

  private void offerClock(String node, double time, double offset, double uncertainty) {
    ObjectNode r = JSON.createObjectNode();
    r.put("type", "clock");
    r.put("node", node);
    r.put("t", time);
    r.put("offset", offset);
    r.put("uncertainty", uncertainty);
    writer.offer(bytes(r));
  }

  private byte[] startRecord(Map<String, String> headers) {
    Instant now = Instant.now();
    ObjectNode r = JSON.createObjectNode();
    r.put("type", "start");
    r.put("version", VERSION);
    r.put("recorder", endpoint.id());
    r.put("start", now.toString());
    r.put("start_epoch", now.getEpochSecond() + now.getNano() / 1e9);
    r.set("headers", JSON.valueToTree(headers));
    r.set("streams", JSON.valueToTree(streamKeys));
    r.set("keys", JSON.valueToTree(messageKeys));
    return bytes(r);
  }

  /**
   * Stops recording, writes what is buffered, and turns the journal into the HDF5 file (then
   * deletes the journal unless kept). Idempotent: a second call returns the first's report.
   *
   * @throws RecordingException if the journal could not be written or converted (the journal is
   *     then kept, for {@link #recover})
   */
  public ConversionReport finish() {
    synchronized (closeLock) {
      if (report != null) {
        return report;
      }
      closing = true;
      if (!endpoint.isClosed()) {
        for (String key : streamKeys) {
          endpoint.off(key);
        }
        for (String key : messageKeys) {
          endpoint.off(key);
        }
      }
      clocks.finalReading(Duration.ofSeconds(2));
      clocks.close();
      ObjectNode end = JSON.createObjectNode();
      end.put("type", "end");
      end.set("stats", JSON.valueToTree(stats()));
      try {
        writer.put(bytes(end));
        writer.close();
        if (writer.failed()) {
          throw new IOException("writing the journal failed (see the log); it holds what was written before");
        }
        report = Conversion.convert(journal, file);
        if (!keepJournal) {
          Files.deleteIfExists(journal);
        }
        return report;
      } catch (IOException | RuntimeException e) {
        throw new RecordingException("recording to " + file + " failed: " + e.getMessage() + "; the journal "
            + journal + " is kept", e);
      }
    }
  }

  /** {@link #finish()}. */
  @Override
  public void close() {
    finish();
  }

  @Override
  public String toString() {
    Endpoint e = endpoint;
    return "Recorder{" + (e == null ? "(not started)" : e.id()) + " -> " + file + ", streams=" + streamKeys
        + ", keys=" + messageKeys + "}";
  }

  /**
   * Settings of a {@link Recorder}; {@link #start()} validates and starts it on its endpoint, {@link
   * #prepare()} makes it before its endpoint exists. Not thread-safe.
   */
  public static final class Builder {
    private Endpoint endpoint;
    private Path file;
    private Path journal;
    private final Set<String> streams = new LinkedHashSet<>();
    private final Set<String> keys = new LinkedHashSet<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration flushInterval = Duration.ofSeconds(1);
    private Duration clockInterval = Duration.ofSeconds(5);
    private long bufferBytes = 64L << 20;
    private boolean keepJournal;

    private Builder() {}

    /**
     * The endpoint whose received streams and messages are recorded (a NetNode or a Station);
     * needed by {@link #start()}, not by {@link #prepare()}.
     */
    public Builder endpoint(Endpoint endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** The HDF5 file to write (replaced if it exists). */
    public Builder file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Where the journal goes; default: the file's path with {@code .journal} added. */
    public Builder journal(Path journal) {
      this.journal = Objects.requireNonNull(journal, "journal");
      return this;
    }

    /** Records the stream samples (and single messages) under {@code key}, one group per sender. */
    public Builder stream(String key) {
      streams.add(requireKey(key));
      return this;
    }

    /** Records each of these stream keys; see {@link #stream}. */
    public Builder streams(Iterable<String> keys) {
      keys.forEach(this::stream);
      return this;
    }

    /** Records the messages under {@code key} whole (time, sender, id, value as JSON). */
    public Builder key(String key) {
      keys.add(requireKey(key));
      return this;
    }

    /** Records each of these message keys; see {@link #key}. */
    public Builder keys(Iterable<String> keys) {
      keys.forEach(this::key);
      return this;
    }

    /** An attribute of the file (e.g. {@code subject}, {@code pilot}, {@code experiment}). */
    public Builder header(String name, String value) {
      headers.put(requireKey(name), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** How often the journal is written and forced to disk: what a kill may lose. Default 1 s. */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = positive(interval, "flushInterval");
      return this;
    }

    /** How often clock offsets are read and recorded. Default 5 s. */
    public Builder clockInterval(Duration interval) {
      this.clockInterval = positive(interval, "clockInterval");
      return this;
    }

    /** Bytes of encoded samples that may wait for the disk; more are dropped and counted. Default 64 MiB. */
    public Builder bufferBytes(long bytes) {
      if (bytes < 1 << 16) {
        throw new IllegalArgumentException("bufferBytes must be at least 65536, not " + bytes);
      }
      this.bufferBytes = bytes;
      return this;
    }

    /** Keeps the journal after the HDF5 file is written. Default false. */
    public Builder keepJournal(boolean keep) {
      this.keepJournal = keep;
      return this;
    }

    /**
     * Validates, creates the journal, registers the listens and starts the writer thread.
     *
     * @throws IllegalArgumentException when the endpoint, the file, or every stream and key is missing,
     *     or a key is both a stream and a message key
     * @throws RecordingException when the journal cannot be created
     */
    public Recorder start() {
      if (endpoint == null) {
        throw new IllegalArgumentException("a recorder needs an endpoint and a file");
      }
      return prepare().start(endpoint);
    }

    /**
     * Validates and creates the journal, without an endpoint: the returned recording's listens
     * go to the endpoint's builder, and {@link PreparedRecorder#start} starts it once the
     * endpoint is built. Any {@link #endpoint} given is ignored.
     *
     * @throws IllegalArgumentException when the file, or every stream and key is missing, or a
     *     key is both a stream and a message key
     * @throws RecordingException when the journal cannot be created
     */
    public PreparedRecorder prepare() {
      if (file == null) {
        throw new IllegalArgumentException("a recorder needs a file");
      }
      if (streams.isEmpty() && keys.isEmpty()) {
        throw new IllegalArgumentException("a recorder needs at least one stream or key to record");
      }
      List<String> both = new ArrayList<>(streams);
      both.retainAll(keys);
      if (!both.isEmpty()) {
        throw new IllegalArgumentException("keys recorded both as streams and as messages: " + both);
      }
      try {
        return new PreparedRecorder(new Recorder(this));
      } catch (IOException e) {
        throw new RecordingException("cannot start a recording to " + file + ": " + e.getMessage(), e);
      }
    }

    private static String requireKey(String key) {
      if (key == null || key.isEmpty()) {
        throw new IllegalArgumentException("a key or header name must not be empty");
      }
      return key;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, not " + d);
      }
      return d;
    }
  }

  private static byte[] bytes(ObjectNode record) {
    try {
      return JSON.writeValueAsBytes(record);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree did not serialize", e);
    }
  }
}
