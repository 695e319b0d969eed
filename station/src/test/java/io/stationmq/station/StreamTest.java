package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.ReceivedStream;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamBatch;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.StreamStats;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Threads;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streams (PROTOCOL.md section 6) end to end on loopback: order and completeness, the overflow
 * policies counted exactly, the delay bound, several producers and streams, idle cost, the
 * Python wire format both ways, close and {@code "END"}, and gap detection.
 *
 * <p>Several tests hold the stream thread still with a {@link Gate}: a sample whose JSON
 * conversion blocks until the test releases it. Samples are converted on the stream thread
 * when it builds a message (Endpoint: "the message is encoded on the calling thread"), so
 * while the gate is closed the stream's queue is filled by the test alone, which makes the
 * overflow counts and batch boundaries exact instead of timing-dependent.
 */
@Timeout(60)
class StreamTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<Gate> gates = new ArrayList<>();

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    gates.forEach(Gate::open); // never leave a stream thread blocked, even when a test failed
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    Threads.assertNoneLeft();
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  private Station station() {
    return track(Station.builder().id("T").bindAddress("127.0.0.1").build());
  }

  private NetNode node(String id, Station upstream) {
    NetNode n = track(NetNode.builder().id(id).upstream("127.0.0.1", upstream.port(), upstream.id()).build());
    Await.registered(upstream, id); // a connecting node pings its upstream, which then lists it

    return n;
  }

  private Gate gate() {
    Gate g = new Gate();
    gates.add(g);
    return g;
  }

  /**
   * A sample that serialises as the number -1, but whose conversion blocks the converting
   * thread (the stream thread) until {@link #open()}.
   */
  static final class Gate {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile String convertedOn;

    @JsonValue
    public long value() throws InterruptedException {
      convertedOn = Thread.currentThread().getName();
      entered.countDown();
      if (convertedOn.contains("-stream-")) { // never block a producer, should conversion move to push()
        released.await(30, TimeUnit.SECONDS);
      }
      return -1;
    }

    /** Waits until the stream thread is blocked converting this sample. */
    void awaitHeld() throws InterruptedException {
      assertTrue(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the stream thread picked up the gate sample");
      assertTrue(convertedOn.contains("-stream-"),
          "these tests hold the stream thread while it converts a sample, but the sample was converted on " + convertedOn);
    }

    void open() {
      released.countDown();
    }
  }

  /** Checks, on the listen's thread, that samples arrive as 0, 1, 2, ...; counts them. */
  static final class InOrder {
    final AtomicLong count = new AtomicLong();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

    void accept(long v) {
      long expected = count.get();
      if (v != expected && errors.size() < 10) {
        errors.add("sample #" + expected + " was " + v);
      }
      count.set(expected + 1); // written by the one listen thread only
    }
  }

  private static ReceivedStream receivedStream(Station s, String stream) {
    return s.receivedStreams().stream().filter(r -> r.stream().equals(stream)).findFirst().orElse(null);
  }

  private static List<Long> longs(List<JsonNode> nodes) {
    return nodes.stream().map(JsonNode::asLong).toList();
  }

  private static List<Long> range(long fromInclusive, long toInclusive) {
    return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
  }

  // ---------------------------------------------------------------- 1. order and completeness

  @Test
  @Timeout(40)
  void blockDeliversAMillionSamplesInOrderThroughAStation() {
    final int n = 1_000_000;
    Station t = station();
    InOrder got = new InOrder();
    t.onSamples("SEQ", Long.class, got::accept);
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ", StreamOptions.builder().overflow(Overflow.BLOCK).build());

    for (long i = 0; i < n; i++) {
      assertTrue(s.push(i));
    }

    Await.until("all " + n + " samples handled", Duration.ofSeconds(30), () -> got.count.get() >= n || !got.errors.isEmpty());
    assertEquals(List.of(), List.copyOf(got.errors), "samples in order");
    Await.equal("all samples counted as sent", (long) n, () -> s.stats().sent());
    StreamStats st = s.stats();
    assertEquals(new StreamStats(n, n, st.batches(), 0, 0, 0), st);
    ReceivedStream r = receivedStream(t, "seq");
    assertNotNull(r, "the Station lists the stream: " + t.receivedStreams());
    assertEquals(new ReceivedStream("rig_seq", "seq", "SEQ", n, st.batches(), 0), r);
    assertEquals(n, got.count.get(), "no sample handled twice");
    assertEquals(0, t.stats().handlerErrors());
    assertEquals(0, t.stats().malformed());
    assertEquals(0, rig.stats().dropped());
  }

  record Reading(long t, double v) {}

  record Labelled(long t, String subject) {}

  @Test
  void typedSamplesForwardedByAStationArriveExactlyAndInOrder() {
    final int n = 100_000;
    Station t = station();
    NetNode consumer = node("consumer", t);
    List<Reading> got = new CopyOnWriteArrayList<>();
    consumer.onSamples("READING", Reading.class, got::add);
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("r", "READING",
        StreamOptions.builder().to("consumer").batchSize(64).overflow(Overflow.BLOCK).subject("mouse_12").build());

    for (long i = 0; i < n; i++) {
      s.push(new Reading(i, i * 0.5));
    }

    Await.until("all " + n + " samples handled", Duration.ofSeconds(30), () -> got.size() >= n);
    assertEquals(n, got.size(), "no sample twice");
    for (int i = 0; i < n; i++) {
      assertEquals(new Reading(i, i * 0.5), got.get(i));
    }
    assertEquals(0, t.stats().malformed());
    assertEquals(0, consumer.stats().handlerErrors());
    assertEquals(n, consumer.receivedStreams().get(0).samples());
  }

  @Test
  void aStationMergesHeadersIntoTypedSamplesThatHaveSuchAField() {
    Station t = station();
    List<Labelled> labelled = new CopyOnWriteArrayList<>();
    List<Reading> readings = new CopyOnWriteArrayList<>();
    List<StreamBatch> batches = new CopyOnWriteArrayList<>();
    t.onSamples("LABELLED", Labelled.class, labelled::add);
    t.onSamples("READING", Reading.class, readings::add);
    t.onBatch("RAW", batches::add);
    NetNode rig = node("rig", t);
    StreamOptions options = StreamOptions.builder().batchSize(4).subject("mouse_12").pilot("rig").build();
    SampleStream a = rig.getStream("a", "LABELLED", options);
    SampleStream b = rig.getStream("b", "READING", options);
    SampleStream c = rig.getStream("c", "RAW", options);

    for (long i = 0; i < 4; i++) {
      a.push(new Labelled(i, "unset"));
      b.push(new Reading(i, 1.5));
      c.push(new Reading(i, 2.5));
    }

    Await.equal("labelled samples", 4, labelled::size);
    Await.equal("readings", 4, readings::size);
    Await.equal("one raw batch", 1, batches::size);
    assertEquals(List.of(new Labelled(0, "mouse_12"), new Labelled(1, "mouse_12"), new Labelled(2, "mouse_12"),
        new Labelled(3, "mouse_12")), labelled, "the batch's headers win, as in the tree path");
    assertEquals(List.of(new Reading(0, 1.5), new Reading(1, 1.5), new Reading(2, 1.5), new Reading(3, 1.5)), readings);
    StreamBatch batch = batches.get(0);
    assertEquals(4, batch.size());
    assertEquals(List.of(new Reading(0, 2.5), new Reading(1, 2.5), new Reading(2, 2.5), new Reading(3, 2.5)),
        batch.samples(Reading.class));
    JsonNode first = batch.sampleNodes().get(0);
    assertEquals("mouse_12", first.path("subject").asText(), first.toString());
    assertEquals("rig", first.path("pilot").asText(), first.toString());
    assertEquals(0, first.path("t").asLong());
    assertEquals(0, t.stats().handlerErrors());
  }

  // ---------------------------------------------------------------- 2. overflow policies

  @Test
  void dropOldestCountsExactlyWhatItDroppedAndTheRestArriveInOrder() throws Exception {
    final int capacity = 100;
    final int pushedWhileHeld = 1_000;
    Station t = station();
    List<StreamBatch> batches = new CopyOnWriteArrayList<>();
    t.onBatch("SEQ", batches::add);
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ",
        StreamOptions.builder().overflow(Overflow.DROP_OLDEST).capacity(capacity).build());

    Gate gate = gate();
    assertTrue(s.push(gate));
    gate.awaitHeld();
    for (long i = 1; i <= pushedWhileHeld; i++) {
      assertTrue(s.push(i), "DROP_OLDEST always accepts");
    }
    // The stream thread holds the gate sample; the queue kept the newest `capacity` samples.
    long dropped = pushedWhileHeld - capacity;
    assertEquals(new StreamStats(1 + pushedWhileHeld, 0, 0, dropped, 0, capacity), s.stats());

    gate.open();
    s.close();

    StreamStats after = s.stats();
    assertEquals(0, after.queued());
    assertEquals(after.pushed(), after.sent() + after.dropped() + after.queued(), "pushed == sent + dropped + queued: " + after);
    assertEquals(new StreamStats(1 + pushedWhileHeld, 1 + capacity, after.batches(), dropped, 0, 0), after);

    Await.equal("all sent samples received", 1L + capacity,
        () -> batches.stream().mapToLong(StreamBatch::size).sum());
    List<Long> received = batches.stream().flatMap(b -> longs(b.sampleNodes()).stream()).toList();
    List<Long> expected = new ArrayList<>();
    expected.add(-1L); // the gate
    expected.addAll(range(pushedWhileHeld - capacity + 1, pushedWhileHeld)); // 1..900 were the oldest: dropped
    assertEquals(expected, received);
    assertEquals(new ReceivedStream("rig_seq", "seq", "SEQ", 1 + capacity, after.batches(), 0), receivedStream(t, "seq"));
  }

  @Test
  void failRefusesEachPushWhenFullAndCountsIt() throws Exception {
    final int capacity = 100;
    final int attemptsWhileHeld = 150;
    Station t = station();
    List<StreamBatch> batches = new CopyOnWriteArrayList<>();
    t.onBatch("SEQ", batches::add);
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ",
        StreamOptions.builder().overflow(Overflow.FAIL).capacity(capacity).build());

    Gate gate = gate();
    assertTrue(s.push(gate));
    gate.awaitHeld();
    int attempts = 1;
    for (long i = 1; i <= attemptsWhileHeld; i++) {
      attempts++;
      assertEquals(i <= capacity, s.push(i), "push of " + i + " with " + capacity + " places");
    }
    StreamStats held = s.stats();
    assertEquals(new StreamStats(1 + capacity, 0, 0, 0, attemptsWhileHeld - capacity, capacity), held);
    assertEquals(attempts, held.pushed() + held.refused(), "pushed + refused == attempts");

    gate.open();
    s.close();

    StreamStats after = s.stats();
    assertEquals(new StreamStats(1 + capacity, 1 + capacity, after.batches(), 0, attemptsWhileHeld - capacity, 0), after);
    Await.equal("all accepted samples received", 1L + capacity,
        () -> batches.stream().mapToLong(StreamBatch::size).sum());
    List<Long> received = batches.stream().flatMap(b -> longs(b.sampleNodes()).stream()).toList();
    List<Long> expected = new ArrayList<>();
    expected.add(-1L);
    expected.addAll(range(1, capacity));
    assertEquals(expected, received, "the accepted samples, in order; the refused ones never sent");
  }

  @Test
  void blockHoldsAtMostCapacitySamplesAndMakesTheNextPushWait() throws Exception {
    final int capacity = 10;
    Station t = station();
    InOrder got = new InOrder();
    t.onSamples("SEQ", Long.class, v -> got.accept(v < 0 ? 0 : v)); // the gate is -1
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ",
        StreamOptions.builder().overflow(Overflow.BLOCK).capacity(capacity).build());

    Gate gate = gate();
    assertTrue(s.push(gate));
    gate.awaitHeld();
    for (long i = 1; i <= capacity; i++) {
      assertTrue(s.push(i));
    }
    assertEquals(capacity, s.stats().queued());
    Thread producer = new Thread(() -> s.push((long) capacity + 1), "test-producer");
    producer.start();
    Await.until("the extra push waits or returns",
        () -> producer.getState() == Thread.State.TIMED_WAITING || !producer.isAlive());
    boolean waited = producer.isAlive();
    int queued = s.stats().queued();

    gate.open();
    producer.join(WAIT.toMillis());
    s.close();
    Await.equal("all samples received", capacity + 2L, got.count::get);
    assertEquals(List.of(), List.copyOf(got.errors));
    assertEquals(capacity, queued, "a queue of capacity " + capacity + " held " + queued + " samples");
    assertTrue(waited, "the push into a full BLOCK queue returned without waiting");
  }

  /** A sample Jackson cannot write: a bean without properties. */
  static final class Opaque {}

  @Test
  void aSampleThatCannotBeEncodedIsCountedAndTheStreamGoesOn() {
    Station t = station();
    List<Long> got = new CopyOnWriteArrayList<>();
    t.onSamples("SEQ", Long.class, got::add);
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ", StreamOptions.builder().batchSize(1).overflow(Overflow.BLOCK).build());

    assertTrue(s.push(0L));
    Await.equal("the first sample", 1, got::size);
    assertTrue(s.push(new Opaque()));
    assertTrue(s.push(2L), "the stream still accepts samples after a bad one");
    Await.equal("the sample after the bad one", 2, got::size);

    assertEquals(List.of(0L, 2L), got);
    StreamStats st = s.stats();
    assertEquals(st.pushed(), st.sent() + st.dropped() + st.queued(), "every loss counted: " + st);
    assertEquals(1, st.dropped(), "the bad sample counted as dropped: " + st);
  }

  // ---------------------------------------------------------------- 3. delay bound, batch size 1

  @Test
  void maxDelayFlushesAPartialBatch() throws Exception {
    Station t = station();
    List<StreamBatch> batches = new CopyOnWriteArrayList<>();
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    t.onBatch("SEQ", b -> {
      arrivals.add(System.nanoTime());
      batches.add(b);
    });
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ",
        StreamOptions.builder().batchSize(1000).maxDelay(Duration.ofMillis(20)).overflow(Overflow.BLOCK).build());

    // Hold the stream thread so that the three samples are all queued before it takes the first.
    Gate gate = gate();
    assertTrue(s.push(gate));
    gate.awaitHeld();
    s.push(1L);
    s.push(2L);
    s.push(3L);
    long released = System.nanoTime();
    gate.open();

    Await.equal("the gate's batch and one partial batch", 2, batches::size);
    assertEquals(List.of(-1L), longs(batches.get(0).sampleNodes()));
    StreamBatch partial = batches.get(1);
    assertEquals(3, partial.size(), "one partial batch of 3, sent by the delay bound: " + partial);
    assertEquals(List.of(1L, 2L, 3L), longs(partial.sampleNodes()));
    assertEquals("seq_1", partial.id());
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(1) - released);
    assertTrue(waitedMillis >= 20, "the batch waited for more samples until the delay bound: " + waitedMillis + " ms");
    assertTrue(waitedMillis < 5_000, "the delay bound, not a full batch, sent it: " + waitedMillis + " ms");
    StreamStats st = s.stats();
    assertEquals(new StreamStats(4, 4, 2, 0, 0, 0), st);
  }

  @Test
  void batchSizeOneSendsPlainMessagesUnderTheStreamKey() {
    RawPeer upstream = track(RawPeer.router("T"));
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", upstream.port(), "T").build());
    SampleStream s = rig.getStream("lick", "CONTINUOUS",
        StreamOptions.builder().batchSize(1).subject("mouse_12").pilot("pilot_1").build());

    s.push(Map.of("t", 1));
    s.push(7);
    for (int n = 0; n < 2; n++) {
      List<byte[]> frames = upstream.receiveMessage(WAIT);
      assertEquals(List.of("rig", "T", "T"), Bodies.texts(frames.subList(0, 3)), "[identity, upstream, to, body]");
      assertEquals(4, frames.size());
      JsonNode body = Bodies.last(frames);
      assertEquals("lick_" + n, body.path("id").asText());
      assertEquals("T", body.path("to").asText());
      assertEquals("rig_lick", body.path("sender").asText());
      assertEquals("CONTINUOUS", body.path("key").asText(), "the stream key, not STREAM");
      assertTrue(body.path("flags").has("NOREPEAT"), body.toString());
      assertTrue(body.path("flags").has("MINPRINT"), body.toString());
      assertEquals("mouse_12", body.path("subject").asText());
      assertEquals("pilot_1", body.path("pilot").asText());
      assertTrue(body.path("continuous").isBoolean() && body.path("continuous").booleanValue(), body.toString());
      assertFalse(body.path("value").has("inner_key"), "not a batch: " + body);
      assertEquals(n == 0 ? JSON.valueToTree(Map.of("t", 1)) : JSON.valueToTree(7), body.get("value"));
    }
    assertEquals(new StreamStats(2, 2, 2, 0, 0, 0), s.stats());
  }

  @Test
  void nullSamplesAndAQueueThatWrapsAroundKeepTheirOrderOnTheWire() {
    RawPeer upstream = track(RawPeer.router("T"));
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", upstream.port(), "T").build());
    SampleStream s = rig.getStream("seq", "SEQ",
        StreamOptions.builder().batchSize(2).capacity(3).overflow(Overflow.BLOCK).build());
    List<JsonNode> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // far more than the queue holds: its ring wraps many times
      Integer sample = i % 5 == 0 ? null : i;
      assertTrue(s.push(sample));
      expected.add(sample == null ? JSON.getNodeFactory().nullNode() : JSON.getNodeFactory().numberNode(i));
    }
    s.close();

    List<JsonNode> got = new ArrayList<>();
    while (got.size() < expected.size()) {
      JsonNode body = Bodies.last(upstream.receiveMessage(WAIT));
      assertEquals("STREAM", body.path("key").asText(), body.toString());
      body.path("value").path("payload").forEach(got::add);
    }
    assertEquals(expected, got);
    assertEquals(40, s.stats().sent());
    assertEquals(0, s.stats().dropped());
  }

  // ---------------------------------------------------------------- 4. producers and streams

  record Tagged(int producer, long n) {}

  @Test
  void severalProducersIntoOneStreamKeepEachProducersOrder() throws Exception {
    final int producers = 4;
    final int each = 50_000;
    Station t = station();
    long[] next = new long[producers]; // touched by the one listen thread only
    AtomicLong total = new AtomicLong();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    t.onSamples("MULTI", Tagged.class, x -> {
      if (x.n() != next[x.producer()] && errors.size() < 10) {
        errors.add("producer " + x.producer() + ": expected " + next[x.producer()] + ", got " + x.n());
      }
      next[x.producer()] = x.n() + 1;
      total.incrementAndGet();
    });
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("multi", "MULTI",
        StreamOptions.builder().overflow(Overflow.BLOCK).capacity(1_000).build());

    List<Thread> threads = new ArrayList<>();
    ConcurrentLinkedQueue<Throwable> producerErrors = new ConcurrentLinkedQueue<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      Thread th = new Thread(() -> {
        try {
          for (long i = 0; i < each; i++) {
            if (!s.push(new Tagged(id, i))) {
              throw new AssertionError("push refused");
            }
          }
        } catch (Throwable e) {
          producerErrors.add(e);
        }
      }, "test-producer-" + p);
      threads.add(th);
    }
    threads.forEach(Thread::start);
    for (Thread th : threads) {
      th.join(WAIT.toMillis() * 2);
      assertFalse(th.isAlive(), th.getName() + " finished");
    }
    assertEquals(List.of(), List.copyOf(producerErrors));

    long n = (long) producers * each;
    Await.until("all samples handled", Duration.ofSeconds(20), () -> total.get() >= n);
    assertEquals(List.of(), List.copyOf(errors), "per-producer order");
    assertEquals(n, total.get());
    Await.equal("all sent", n, () -> s.stats().sent());
    StreamStats st = s.stats();
    assertEquals(new StreamStats(n, n, st.batches(), 0, 0, 0), st);
    assertEquals(new ReceivedStream("rig_multi", "multi", "MULTI", n, st.batches(), 0), receivedStream(t, "multi"));
  }

  @Test
  void severalStreamsFromOneNodeArriveUnderTheirKeysAndAreListedApart() {
    Map<String, Integer> counts = Map.of("a", 300, "b", 400, "c", 500);
    Station t = station();
    Map<String, InOrder> got = new HashMap<>();
    for (String id : counts.keySet()) {
      InOrder io = new InOrder();
      got.put(id, io);
      t.onSamples("K_" + id, Long.class, io::accept);
    }
    NetNode rig = node("rig", t);
    Map<String, SampleStream> streams = new HashMap<>();
    for (String id : counts.keySet()) {
      streams.put(id, rig.getStream(id, "K_" + id, StreamOptions.builder().overflow(Overflow.BLOCK).batchSize(32).build()));
    }
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    for (long i = 0; i < max; i++) { // interleaved pushes
      for (String id : counts.keySet()) {
        if (i < counts.get(id)) {
          streams.get(id).push(i);
        }
      }
    }

    for (String id : counts.keySet()) {
      long expected = counts.get(id);
      Await.equal("samples under K_" + id, expected, got.get(id).count::get);
      assertEquals(List.of(), List.copyOf(got.get(id).errors), "stream " + id);
      Await.equal("stream " + id + " sent", expected, () -> streams.get(id).stats().sent());
    }
    Map<String, ReceivedStream> listed = t.receivedStreams().stream()
        .collect(Collectors.toMap(ReceivedStream::stream, Function.identity()));
    assertEquals(counts.keySet(), listed.keySet(), "one entry per stream: " + t.receivedStreams());
    for (String id : counts.keySet()) {
      assertEquals(new ReceivedStream("rig_" + id, id, "K_" + id, counts.get(id), streams.get(id).stats().batches(), 0),
          listed.get(id));
    }
  }

  // ---------------------------------------------------------------- 5. idle cost

  @Test
  void anIdleStreamUsesNearlyNoCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    assumeTrue(mx.isThreadCpuTimeSupported(), "thread CPU time is not measurable on this JVM");
    if (!mx.isThreadCpuTimeEnabled()) {
      mx.setThreadCpuTimeEnabled(true);
    }
    Station t = station();
    InOrder got = new InOrder();
    t.onSamples("SEQ", Long.class, got::accept);
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("idle", "SEQ");
    for (long i = 0; i < 10; i++) {
      s.push(i);
    }
    Await.equal("the first samples arrive", 10L, got.count::get);

    Thread streamThread = liveThread("stationmq-node-rig-stream-idle");
    List<Thread> ioThreads = Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.getName().startsWith("stationmq-io-") && th.isAlive()).toList(); // the socket loops
    long streamBefore = mx.getThreadCpuTime(streamThread.getId());
    long ioBefore = ioThreads.stream().mapToLong(th -> mx.getThreadCpuTime(th.getId())).sum();
    long windowEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < windowEnd) {
      // The measurement window: the stream stays open and idle for 2 s (nothing to wait for).
      LockSupport.parkNanos(windowEnd - System.nanoTime());
    }
    long streamCpu = mx.getThreadCpuTime(streamThread.getId()) - streamBefore;
    long ioCpu = ioThreads.stream().mapToLong(th -> mx.getThreadCpuTime(th.getId())).sum() - ioBefore;

    assertTrue(streamThread.isAlive() && !ioThreads.isEmpty() && ioThreads.stream().allMatch(Thread::isAlive),
        "threads still running");
    assertTrue(streamCpu < TimeUnit.MILLISECONDS.toNanos(50), "idle stream thread used " + streamCpu / 1_000_000.0 + " ms CPU in 2 s");
    assertTrue(ioCpu < TimeUnit.MILLISECONDS.toNanos(50), "idle socket loops used " + ioCpu / 1_000_000.0 + " ms CPU in 2 s");
    assertEquals(10, s.stats().sent());
  }

  private static Thread liveThread(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(th -> th.getName().equals(name) && th.isAlive())
        .findFirst().orElseThrow(() -> new AssertionError("no thread named " + name + " among " + Threads.endpointThreads()));
  }

  // ---------------------------------------------------------------- 6. the Python wire format

  record Lick(double t, int v) {}

  @Test
  void aPythonUpstreamReceivesAndDecodesTheBatches() {
    RawPeer upstream = track(RawPeer.router("T"));
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", upstream.port(), "T").build());
    SampleStream s = rig.getStream("lick", "CONTINUOUS", StreamOptions.builder()
        .batchSize(3).maxDelay(Duration.ofSeconds(30)).subject("mouse_12").pilot("rig").build());

    List<List<Object>> sent = List.of(
        List.of(new Lick(0.001, 1), List.of(1, 2, 3), 4.5),
        List.of(new Lick(0.002, 2), "text", true));
    for (List<Object> batch : sent) {
      batch.forEach(s::push); // a full batch: sent without waiting for the 30 s delay bound
    }

    for (int n = 0; n < sent.size(); n++) {
      List<byte[]> frames = upstream.receiveMessage(WAIT);
      assertEquals(List.of("rig", "T", "T"), Bodies.texts(frames.subList(0, frames.size() - 1)),
          "[node identity, upstream, to, body] as a Python Station's ROUTER receives them");
      JsonNode body = Bodies.last(frames);
      assertEquals("STREAM", body.path("key").asText());
      assertEquals("T", body.path("to").asText());
      assertEquals("lick_" + n, body.path("id").asText());
      assertEquals("rig_lick", body.path("sender").asText());
      assertTrue(body.path("flags").has("NOREPEAT"), body.toString());
      assertTrue(body.path("flags").has("MINPRINT"), body.toString());
      assertTrue(body.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}"), body.toString());
      JsonNode value = body.path("value");
      assertEquals("CONTINUOUS", value.path("inner_key").asText());
      assertEquals("mouse_12", value.path("headers").path("subject").asText());
      assertEquals("rig", value.path("headers").path("pilot").asText());
      assertTrue(value.path("headers").path("continuous").booleanValue(), value.toString());
      assertEquals(JSON.valueToTree(sent.get(n)), value.path("payload"));
    }
    assertEquals(new StreamStats(6, 6, 2, 0, 0, 0), s.stats());
  }

  @Test
  void aPythonStreamBatchIsUnpackedPerItemWithHeadersMergedIntoObjects() throws Exception {
    byte[] golden = Files.readAllBytes(goldenBody("stream_batch.json"));
    Station t = station();
    List<Message> got = new CopyOnWriteArrayList<>();
    t.on("CONTINUOUS", got::add);
    RawPeer pythonStream = track(RawPeer.registeredDealer("pilot_1_lick", t.endpoint(), t));

    pythonStream.send("T", "T", golden);

    Await.equal("one listen call per payload item", 4, got::size);
    List<JsonNode> values = got.stream().map(Message::valueNode).toList();
    assertEquals(JSON.readTree("{\"t\": 0.001, \"v\": [0.1, 0.2, 0.3], \"subject\": \"mouse_12\", \"pilot\": \"pilot_1\", \"continuous\": true}"),
        values.get(0));
    assertEquals(JSON.readTree("{\"t\": 0.002, \"v\": [0.4, 0.5, 0.6], \"subject\": \"mouse_12\", \"pilot\": \"pilot_1\", \"continuous\": true}"),
        values.get(1));
    assertEquals(JSON.readTree("[1, 2, 3]"), values.get(2), "a list item is passed as it is");
    assertEquals(4.5, values.get(3).doubleValue(), 0.0, "a number item is passed as it is");
    for (Message m : got) {
      assertEquals("CONTINUOUS", m.key());
      assertEquals("pilot_1_lick", m.sender());
      assertEquals("lick_3", m.id());
    }
    assertEquals(List.of(new ReceivedStream("pilot_1_lick", "lick", "CONTINUOUS", 4, 1, 0)), t.receivedStreams());
    assertEquals(0, t.stats().confirmsSent(), "NOREPEAT: not confirmed");
    assertEquals(0, t.stats().malformed());
  }

  @Test
  void aPythonStreamBatchArrivesAsOneBatchWithHeaders() throws Exception {
    byte[] golden = Files.readAllBytes(goldenBody("stream_batch.json"));
    Station t = station();
    List<StreamBatch> got = new CopyOnWriteArrayList<>();
    t.onBatch("CONTINUOUS", got::add);
    RawPeer pythonStream = track(RawPeer.registeredDealer("pilot_1_lick", t.endpoint(), t));

    pythonStream.send("T", "T", golden);

    Await.equal("one batch", 1, got::size);
    StreamBatch b = got.get(0);
    assertEquals("pilot_1_lick", b.sender());
    assertEquals("lick_3", b.id());
    assertEquals("CONTINUOUS", b.key());
    assertEquals(Map.of("subject", "mouse_12", "pilot", "pilot_1", "continuous", true), b.headers());
    assertEquals(4, b.size());
    List<JsonNode> samples = b.sampleNodes();
    assertEquals("mouse_12", samples.get(0).path("subject").asText(), "headers merged into object items");
    assertEquals(0.002, samples.get(1).path("t").doubleValue(), 0.0);
    assertEquals(JSON.readTree("[1, 2, 3]"), samples.get(2));
    assertEquals(4.5, samples.get(3).doubleValue(), 0.0);
  }

  @Test
  void aBatchThatIsNotJsonIsCountedAsMalformedAndTheNextOneArrives() {
    Station t = station();
    List<Message> perItem = new CopyOnWriteArrayList<>();
    List<Reading> typed = new CopyOnWriteArrayList<>();
    t.on("ITEMS", perItem::add);
    t.onSamples("TYPED", Reading.class, typed::add);
    RawPeer peer = track(RawPeer.registeredDealer("pilot_1_x", t.endpoint(), t));
    String body = "{\"id\": \"x_%d\", \"to\": \"T\", \"sender\": \"pilot_1_x\", \"key\": \"STREAM\", "
        + "\"value\": {\"inner_key\": \"%s\", \"headers\": {}, \"payload\": [{\"t\": 1, \"v\": 2.5}%s]}, "
        + "\"flags\": {\"NOREPEAT\": true}}";

    peer.send("T", "T", String.format(body, 0, "ITEMS", ", {\"t\": }").getBytes(StandardCharsets.UTF_8));
    peer.send("T", "T", String.format(body, 1, "TYPED", ", {\"t\": }").getBytes(StandardCharsets.UTF_8));
    peer.send("T", "T", String.format(body, 2, "ITEMS", "").getBytes(StandardCharsets.UTF_8));
    peer.send("T", "T", String.format(body, 3, "TYPED", "").getBytes(StandardCharsets.UTF_8));

    Await.equal("the good per-item batch", 1, perItem::size);
    Await.equal("the good typed batch", List.of(new Reading(1, 2.5)), () -> List.copyOf(typed));
    assertEquals(2, t.stats().malformed(), "both batches that are not JSON, on arrival");
    assertEquals(0, t.stats().handlerErrors());
  }

  /** A golden body recorded from the Python toolkit (message module's test resources). */
  private static Path goldenBody(String name) {
    Path moduleDir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path root : List.of(moduleDir.resolveSibling("message").resolve("src/test/resources"),
        moduleDir.resolve("message/src/test/resources"))) {
      Path p = root.resolve("autopilot-wire/bodies").resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError("golden body " + name + " not found from " + moduleDir);
  }

  // ---------------------------------------------------------------- 7. close and END

  @Test
  void closeSendsWhatIsQueuedThenPushesThrow() throws Exception {
    Station t = station();
    InOrder got = new InOrder();
    t.onSamples("SEQ", Long.class, got::accept);
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ", StreamOptions.builder()
        .batchSize(100_000).maxDelay(Duration.ofHours(1)).overflow(Overflow.BLOCK).build());

    for (long i = 0; i < 100; i++) {
      assertTrue(s.push(i));
    }
    // Neither a full batch nor the delay bound: the stream thread holds them all.
    assertEquals(0, s.stats().sent());
    assertEquals(0, s.stats().batches());

    s.close();

    assertTrue(s.isClosed());
    assertEquals(new StreamStats(100, 100, 1, 0, 0, 0), s.stats(), "close sent the held samples as one batch");
    Threads.assertNoneLeft("stationmq-node-rig-stream-");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.push(100L));
    assertTrue(e.getMessage().contains("seq"), e.getMessage());
    assertEquals(1, s.stats().refused(), "a push after close is counted as refused");
    assertEquals(100, s.stats().pushed());
    s.close(); // idempotent

    Await.equal("all 100 received", 100L, got.count::get);
    assertEquals(List.of(), List.copyOf(got.errors));
    assertEquals(new ReceivedStream("rig_seq", "seq", "SEQ", 100, 1, 0), receivedStream(t, "seq"));
  }

  @Test
  void pushingEndClosesTheStream() {
    Station t = station();
    List<JsonNode> got = new CopyOnWriteArrayList<>();
    t.onBatch("SEQ", b -> got.addAll(b.sampleNodes()));
    NetNode rig = node("rig", t);
    SampleStream s = rig.getStream("seq", "SEQ", StreamOptions.builder()
        .batchSize(100_000).maxDelay(Duration.ofHours(1)).build());

    for (long i = 0; i < 10; i++) {
      s.push(i);
    }
    assertTrue(s.push("END"), "END is accepted");

    assertTrue(s.isClosed());
    Threads.assertNoneLeft("stationmq-node-rig-stream-");
    assertThrows(IllegalStateException.class, () -> s.push(10L));
    StreamStats st = s.stats();
    assertEquals(new StreamStats(10, 10, 1, 0, 1, 0), st, "END itself is not a sample");
    Await.equal("the samples before END", 10, got::size);
    assertEquals(range(0, 9), longs(got));
    Await.equal("the stream's batch counted", 1L, () -> receivedStream(t, "seq").batches());
    assertEquals(10, receivedStream(t, "seq").samples(), "END was not sent");
    assertFalse(rig.isClosed(), "END closes the stream, not the node");
  }

  // ---------------------------------------------------------------- 8. gaps

  @Test
  void aSkippedBatchNumberCountsAsAGap() {
    Station t = station();
    InOrder got = new InOrder();
    t.onSamples("CONTINUOUS", Long.class, got::accept);
    RawPeer pythonStream = track(RawPeer.registeredDealer("pilot_1_s", t.endpoint(), t));
    String flags = "{\"NOREPEAT\": true, \"MINPRINT\": true}";
    String[][] batches = {{"s_0", "[0, 1]"}, {"s_1", "[2, 3]"}, {"s_3", "[4, 5]"}};
    for (String[] b : batches) {
      String value = "{\"inner_key\": \"CONTINUOUS\", \"headers\": {\"subject\": \"m\", \"pilot\": \"pilot_1\", "
          + "\"continuous\": true}, \"payload\": " + b[1] + "}";
      pythonStream.send("T", "T", RawPeer.pythonBody(b[0], "T", "pilot_1_s", "STREAM", value, flags));
    }

    Await.equal("three batches received", 3L,
        () -> receivedStream(t, "s") == null ? 0L : receivedStream(t, "s").batches());
    assertEquals(new ReceivedStream("pilot_1_s", "s", "CONTINUOUS", 6, 3, 1), receivedStream(t, "s"));
    Await.equal("all samples handled", 6L, got.count::get);
    assertEquals(List.of(), List.copyOf(got.errors));
    assertNull(receivedStream(t, "s_3"), "the batch number is not part of the stream name");
  }
}
