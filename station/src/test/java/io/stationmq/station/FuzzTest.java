package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.StderrLines;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.Threads;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes a live Station and a live NetNode's router port over real sockets: raw DEALERs send
 * seeded malformed input ({@link FuzzInputs}) while real NetNodes send confirmed messages
 * through the same endpoint. The endpoint must not crash (its threads live, it answers raw
 * pings and {@code PING} requests at every checkpoint), not hang (every send is taken within
 * 10 s), lose no confirmed message (every future succeeds, every message is handled exactly
 * once), keep its heap and its log bounded, and count the malformed input it was sent.
 *
 * <p>The normal run sends {@value #FAST_INPUTS} inputs per endpoint; the {@code slow} ones
 * {@value #SLOW_INPUTS} per endpoint (run them with {@code mvn -B verify -pl station -am
 * -Dgroups=slow -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false}). The seed is
 * printed; {@code -Dstationmq.fuzz.seed=N} runs another, {@code -Dstationmq.fuzz.inputs=N}
 * changes the normal run's count. A failure names the seed and the input.
 */
class FuzzTest {
  static final long DEFAULT_SEED = 0x5EED_F022L;
  static final long SEED = Long.getLong("stationmq.fuzz.seed", DEFAULT_SEED);
  static final int FAST_INPUTS = 25_000;
  static final int SLOW_INPUTS = 1_000_000;
  static final int FAST_CONNECTIONS = 3_000;
  static final int SLOW_CONNECTIONS = 30_000;
  private static final int CHECK_EVERY = 5_000;
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** The heap may grow by this much over a run: the endpoints' bounded tables (de-duplication, replies, streams, routes). */
  private static final long HEAP_BOUND = 96L << 20;
  /** Log lines allowed per 10 s of fuzzing, for all endpoints together (every repeated warning is rate limited). */
  private static final int LOG_LINES_PER_10S = 400;
  private static final int VALID_WINDOW = 64;
  /** The valid traffic's ttl: repeats have to outlast a loaded 2-core machine, not a fuzzer. */
  private static final int VALID_TTL = 8;

  private static final EndpointOptions OPTIONS = EndpointOptions.builder().maxMessageBytes(FuzzInputs.MAX_BYTES).build();

  private final Closer open = new Closer();

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    open.closeAllAndCheckThreads();
  }

  private <T extends AutoCloseable> T track(T c) {
    return open.track(c);
  }

  @Test
  @Timeout(120)
  void stationSurvivesFuzzedInput() throws Exception {
    fuzzStation(Integer.getInteger("stationmq.fuzz.inputs", FAST_INPUTS));
  }

  @Test
  @Timeout(120)
  void nodeRouterSurvivesFuzzedInput() throws Exception {
    fuzzNodeRouter(Integer.getInteger("stationmq.fuzz.inputs", FAST_INPUTS));
  }

  @Test
  @Tag("slow")
  @Timeout(3600)
  void stationSurvivesAMillionFuzzedInputs() throws Exception {
    fuzzStation(SLOW_INPUTS);
  }

  @Test
  @Tag("slow")
  @Timeout(3600)
  void nodeRouterSurvivesAMillionFuzzedInputs() throws Exception {
    fuzzNodeRouter(SLOW_INPUTS);
  }

  @Test
  @Timeout(120)
  void stationAndNodeRouterSurviveFuzzedZmtpConnections() throws Exception {
    fuzzZmtp(Integer.getInteger("stationmq.fuzz.connections", FAST_CONNECTIONS));
  }

  @Test
  @Tag("slow")
  @Timeout(3600)
  void stationAndNodeRouterSurviveManyFuzzedZmtpConnections() throws Exception {
    fuzzZmtp(SLOW_CONNECTIONS);
  }

  // ---------------------------------------------------------------- set-ups

  private void fuzzStation(int inputs) throws Exception {
    Handled handled = new Handled();
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(OPTIONS)
        .listen(FuzzInputs.VALID_KEY, m -> handled.add(m)).build());
    NetNode a = track(NetNode.builder().id("good_a").upstream("127.0.0.1", s.port(), s.id()).options(OPTIONS).build());
    NetNode b = track(NetNode.builder().id("good_b").upstream("127.0.0.1", s.port(), s.id()).options(OPTIONS)
        .listen(FuzzInputs.VALID_KEY, m -> handled.add(m)).build());
    Await.registered(s, a.id());
    Await.registered(s, b.id());
    Target t = new Target("station", s, "stationmq-station-S-", "tcp://127.0.0.1:" + s.port(), true,
        List.of("good_b", "good_a", "fz_1"), a, List.of(s.id(), b.id()));
    run(t, inputs, handled);
  }

  private void fuzzNodeRouter(int inputs) throws Exception {
    Handled handled = new Handled();
    NetNode srv = track(NetNode.builder().id("srv").routerPort(0).routerAddress("127.0.0.1").options(OPTIONS)
        .listen(FuzzInputs.VALID_KEY, m -> handled.add(m)).build());
    NetNode cli = track(NetNode.builder().id("cli").upstream("127.0.0.1", srv.routerPort(), srv.id()).options(OPTIONS)
        .build());
    Await.registered(srv, cli.id());
    Target t = new Target("node router", srv, "stationmq-node-srv-", "tcp://127.0.0.1:" + srv.routerPort(), false,
        List.of("cli", "fz_1"), cli, List.of(srv.id()));
    run(t, inputs, handled);
  }

  /**
   * The endpoint under fuzz: {@code threadPrefix} names its threads; {@code sender} sends the
   * valid traffic to {@code validTo} through it.
   */
  private record Target(String name, Endpoint endpoint, String threadPrefix, String address, boolean station,
      List<String> peers, Endpoint sender, List<String> validTo) {}

  /** Counts how often each valid message was handled. */
  private static final class Handled {
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    void add(Message m) {
      counts.computeIfAbsent(m.id(), k -> new AtomicInteger()).incrementAndGet();
    }
  }

  // ---------------------------------------------------------------- the run

  private void run(Target t, int inputs, Handled handled) throws Exception {
    FuzzInputs gen = new FuzzInputs(SEED, t.endpoint().id(), t.peers(), t.station());
    String[] ids = {"fz_0", "fz_1"};
    RawPeer[] raw = new RawPeer[ids.length];
    for (int i = 0; i < ids.length; i++) {
      raw[i] = track(RawPeer.registeredDealer(ids[i], t.address(), t.endpoint()).sendTimeout(WAIT));
    }
    String where = t.name() + ", seed=" + SEED + " (-Dstationmq.fuzz.seed=" + SEED + ")";
    System.out.println("FuzzTest " + t.name() + ": " + inputs + " inputs, seed=" + SEED);

    ValidTraffic valid = new ValidTraffic(t.sender(), t.validTo());
    long heapBefore = usedHeapAfterGc();
    EndpointStats before = t.endpoint().stats();
    Map<FuzzInputs.Expect, Long> expected = new EnumMap<>(FuzzInputs.Expect.class);
    for (FuzzInputs.Expect e : FuzzInputs.Expect.values()) {
      expected.put(e, 0L);
    }
    long bytes = 0;
    long pings = 0;
    long answers = 0;
    long start = System.nanoTime();
    long lines;
    Map<String, String> logSummary;
    try (StderrLines log = StderrLines.install()) {
      valid.start();
      for (int i = 0; i < inputs; i++) {
        FuzzInputs.Input in = gen.input(i);
        int p = i % raw.length;
        expected.merge(gen.expect(ids[p], in.frames()), 1L, Long::sum);
        bytes += in.bytes();
        if (!raw[p].trySend(in.frames())) {
          throw new AssertionError("the endpoint took nothing for " + WAIT + " (hang?) at " + in.describe() + "; " + where);
        }
        answers += drain(raw[p]);
        if ((i + 1) % CHECK_EVERY == 0 || i == inputs - 1) {
          try {
            pings += checkpoint(t, raw, i);
          } catch (AssertionError | Exception e) {
            throw new AssertionError("checkpoint after input #" + i + " failed (inputs since #" + (i + 1 - CHECK_EVERY)
                + "; the last: " + in.describe() + "); " + where + ": " + e, e);
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      valid.stop();
      valid.awaitAll(where);
      Await.until("every valid message handled", Duration.ofSeconds(30),
          () -> handled.counts.size() >= valid.sent.size());
      lines = log.lines();
      logSummary = log.summary();

      // Counters account for the bad input: every input was read, and the malformed ones counted.
      long lo = expected.get(FuzzInputs.Expect.MALFORMED);
      long hi = lo + expected.get(FuzzInputs.Expect.EITHER);
      Await.until("malformed counted (at least " + lo + ")", WAIT,
          () -> t.endpoint().stats().malformed() - before.malformed() >= lo);
      EndpointStats after = t.endpoint().stats();
      List<String> wrong = exactlyOnce(valid, handled);
      int validSent = valid.sent.size();
      int validHandled = handled.counts.size();
      valid.forget();
      handled.counts.clear();
      long heapAfter = usedHeapAfterGc(); // the endpoints still open; the test's own records released

      System.out.printf("FuzzTest %s: seed=%d inputs=%,d (%,d bytes) in %.1f s = %,.0f inputs/s; expected malformed "
              + "%,d..%,d, counted %,d; oversize %,d, received %,d, forwarded %,d, unreachable %,d, unknownKeys %,d, "
              + "refused %,d, handlerErrors %,d, duplicates %,d, dropped %,d; raw pings %,d, messages back to the raw "
              + "peers %,d; valid confirmed %,d sent, %,d handled, 0 lost; heap %,d KiB before, %,d KiB after "
              + "(bound +%,d KiB); log %,d lines = %.2f per 1,000 inputs%n",
          t.name(), SEED, inputs, bytes, seconds, inputs / seconds, lo, hi, after.malformed() - before.malformed(),
          after.oversize() - before.oversize(), after.received() - before.received(),
          after.forwarded() - before.forwarded(), after.unreachable() - before.unreachable(),
          after.unknownKeys() - before.unknownKeys(), after.refused() - before.refused(),
          after.handlerErrors() - before.handlerErrors(), after.duplicates() - before.duplicates(),
          after.dropped() - before.dropped(), pings, answers, validSent, validHandled,
          heapBefore >> 10, heapAfter >> 10, HEAP_BOUND >> 10, lines, lines * 1000.0 / inputs);
      logSummary.entrySet().stream().limit(8).forEach(e -> System.out.println("  log: " + e.getKey() + ": " + e.getValue()));

      assertTrue(wrong.isEmpty(), "valid messages not handled exactly once: " + wrong + "; " + where);
      assertEquals(validSent, validHandled, "handled messages that were never sent; " + where);
      assertTrue(validSent > 0, "no valid traffic; " + where);

      long malformed = after.malformed() - before.malformed();
      assertTrue(malformed >= lo && malformed <= hi,
          "malformed counted " + malformed + ", expected " + lo + ".." + hi + "; " + where);
      assertTrue(after.received() - before.received() >= inputs + pings,
          "received " + (after.received() - before.received()) + " of " + (inputs + pings) + " inputs; " + where);
      assertTrue(after.oversize() - before.oversize() > 0 || inputs < 20_000, "no oversize input counted; " + where);
      assertTrue(heapAfter - heapBefore <= HEAP_BOUND, "heap grew from " + (heapBefore >> 10) + " KiB to "
          + (heapAfter >> 10) + " KiB, more than " + (HEAP_BOUND >> 10) + " KiB; " + where);
      long allowed = 100 + LOG_LINES_PER_10S * (long) Math.ceil(seconds / 10);
      assertTrue(lines <= allowed, "logged " + lines + " lines for " + inputs + " inputs in " + Math.round(seconds)
          + " s, more than " + allowed + "; " + logSummary + "; " + where);
    } finally {
      valid.stop();
    }
  }

  // ---------------------------------------------------------------- ZMTP level

  /**
   * Hand-made TCP connections to a Station and a node's router port, alternately, that send
   * random bytes instead of a greeting, a mutated greeting, or a real ZMTP 3.0 handshake
   * followed by random bytes, random frames or a malformed READY, and close or reset. Valid
   * confirmed traffic runs through both endpoints meanwhile.
   */
  private void fuzzZmtp(int connections) throws Exception {
    Handled handled = new Handled();
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(OPTIONS)
        .listen(FuzzInputs.VALID_KEY, m -> handled.add(m)).build());
    NetNode a = track(NetNode.builder().id("good_a").upstream("127.0.0.1", s.port(), s.id()).options(OPTIONS).build());
    NetNode b = track(NetNode.builder().id("good_b").upstream("127.0.0.1", s.port(), s.id()).options(OPTIONS)
        .listen(FuzzInputs.VALID_KEY, m -> handled.add(m)).build());
    NetNode srv = track(NetNode.builder().id("srv").routerPort(0).routerAddress("127.0.0.1").options(OPTIONS)
        .listen(FuzzInputs.VALID_KEY, m -> handled.add(m)).build());
    NetNode cli = track(NetNode.builder().id("cli").upstream("127.0.0.1", srv.routerPort(), srv.id()).options(OPTIONS)
        .build());
    Await.registered(s, a.id());
    Await.registered(s, b.id());
    Await.registered(srv, cli.id());
    String where = "ZMTP, seed=" + SEED + " (-Dstationmq.fuzz.seed=" + SEED + ")";
    System.out.println("FuzzTest ZMTP: " + connections + " connections, seed=" + SEED);

    ValidTraffic viaStation = new ValidTraffic(a, List.of(s.id(), b.id()));
    ValidTraffic viaRouter = new ValidTraffic(cli, List.of(srv.id()));
    long heapBefore = usedHeapAfterGc();
    long[] byMode = new long[ZmtpFuzz.MODES];
    long unanswered = 0;
    long start = System.nanoTime();
    try (StderrLines log = StderrLines.install()) {
      viaStation.start();
      viaRouter.start();
      for (int i = 0; i < connections; i++) {
        int port = i % 2 == 0 ? s.port() : srv.routerPort();
        ZmtpFuzz.Result r = ZmtpFuzz.connect(SEED, i, port);
        byMode[r.mode()]++;
        if (!r.answered()) {
          unanswered++;
        }
        if ((i + 1) % 1_000 == 0 || i == connections - 1) {
          try {
            zmtpCheckpoint(s, a, "stationmq-io-0");
            zmtpCheckpoint(srv, cli, "stationmq-io-0");
          } catch (AssertionError | Exception e) {
            throw new AssertionError("checkpoint after connection #" + i + " failed; " + where + ": " + e, e);
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      viaStation.stop();
      viaRouter.stop();
      viaStation.awaitAll(where);
      viaRouter.awaitAll(where);
      int sent = viaStation.sent.size() + viaRouter.sent.size();
      Await.until("every valid message handled", Duration.ofSeconds(30), () -> handled.counts.size() >= sent);
      List<String> wrong = new ArrayList<>(exactlyOnce(viaStation, handled));
      wrong.addAll(exactlyOnce(viaRouter, handled));
      int validHandled = handled.counts.size();
      viaStation.forget();
      viaRouter.forget();
      handled.counts.clear();
      long heapAfter = usedHeapAfterGc(); // the endpoints still open; the test's own records released
      long lines = log.lines();
      System.out.printf("FuzzTest ZMTP: seed=%d connections=%,d in %.1f s = %,.0f/s, by mode %s, handshake not "
              + "answered %,d; station malformed %,d, node malformed %,d; valid confirmed %,d sent, %,d handled, 0 lost; "
              + "heap %,d KiB before, %,d KiB after; log %,d lines%n",
          SEED, connections, seconds, connections / seconds, Arrays.toString(byMode), unanswered,
          s.stats().malformed(), srv.stats().malformed(), sent, validHandled, heapBefore >> 10,
          heapAfter >> 10, lines);
      log.summary().entrySet().stream().limit(6).forEach(e -> System.out.println("  log: " + e.getKey() + ": " + e.getValue()));
      assertTrue(wrong.isEmpty(), "valid messages not handled exactly once: " + wrong + "; " + where);
      assertEquals(sent, validHandled, "handled messages that were never sent; " + where);
      assertTrue(heapAfter - heapBefore <= HEAP_BOUND, "heap grew from " + (heapBefore >> 10) + " KiB to "
          + (heapAfter >> 10) + " KiB; " + where);
      long allowed = 100 + LOG_LINES_PER_10S * (long) Math.ceil(seconds / 10);
      assertTrue(lines <= allowed, "logged " + lines + " lines, more than " + allowed + "; " + log.summary() + "; " + where);
    } finally {
      viaStation.stop();
      viaRouter.stop();
    }
  }

  private static void zmtpCheckpoint(Endpoint target, Endpoint asker, String ioThread) throws Exception {
    assertTrue(Threads.endpointThreads().contains(ioThread), ioThread + " is gone: " + Threads.endpointThreads());
    Message reply = asker.request(target.id(), "PING", null, WAIT).get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
    assertEquals(target.id(), reply.value(Map.class).get("id"));
  }

  /** The valid messages not handled exactly once (at most 20), with how often they were. */
  private static List<String> exactlyOnce(ValidTraffic valid, Handled handled) {
    List<String> wrong = new ArrayList<>();
    for (String id : valid.sent) {
      AtomicInteger n = handled.counts.get(id);
      if ((n == null || n.get() != 1) && wrong.size() < 20) {
        wrong.add(id + " x" + (n == null ? 0 : n.get()));
      }
    }
    return wrong;
  }

  /** Takes what the endpoint sent back to a raw peer (echoes, confirmations, notices); returns how many. */
  private static int drain(RawPeer p) {
    int n = 0;
    while (n < 256 && p.receiveNow() != null) {
      n++;
    }
    return n;
  }

  /**
   * The endpoint is alive: its socket thread runs, every raw peer gets its ping echoed (so all
   * it sent before was read), and it answers a {@code PING} request. Returns the pings sent.
   */
  private static int checkpoint(Target t, RawPeer[] raw, int index) throws Exception {
    assertTrue(Threads.endpointThreads().contains("stationmq-io-0"),
        "the socket loop stationmq-io-0 is gone: " + Threads.endpointThreads());
    for (RawPeer p : raw) {
      byte[] marker = FuzzInputs.utf8("checkpoint_" + index);
      if (!p.trySend(List.of(marker, new byte[0]))) {
        throw new AssertionError("the checkpoint ping was not taken within " + WAIT);
      }
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no echo of the checkpoint ping within " + WAIT);
        }
        List<byte[]> f = p.receive(Duration.ofNanos(Math.max(1_000_000, left)));
        if (f != null && f.size() == 2 && Arrays.equals(f.get(0), marker) && f.get(1).length == 0) {
          break;
        }
      }
    }
    Message reply = t.sender().request(t.endpoint().id(), "PING", null, WAIT).get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
    assertEquals(t.endpoint().id(), reply.value(Map.class).get("id"));
    return raw.length;
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Confirmed messages from a real node through the fuzzed endpoint, at most {@value #VALID_WINDOW} in flight. */
  private static final class ValidTraffic {
    final Endpoint sender;
    final List<String> to;
    final ConcurrentLinkedQueue<String> sent = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final Semaphore window = new Semaphore(VALID_WINDOW);
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final Thread thread;

    ValidTraffic(Endpoint sender, List<String> to) {
      this.sender = sender;
      this.to = to;
      this.thread = new Thread(this::pump, "fuzz-valid-traffic");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void pump() {
      try {
        for (int seq = 0; running.get(); seq++) {
          if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            continue;
          }
          Message m = sender.message(to.get(seq % to.size()), FuzzInputs.VALID_KEY, seq).ttl(VALID_TTL).build();
          sent.add(m.id());
          CompletableFuture<DeliveryReceipt> f = sender.sendConfirmed(m);
          f.whenComplete((r, e) -> {
            if (e != null) {
              failures.add(m.id() + ": " + e);
            }
            window.release();
          });
        }
      } catch (Throwable e) {
        failure.set(e);
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(WAIT.toMillis());
    }

    /** Every future succeeded. */
    void awaitAll(String where) throws InterruptedException {
      if (failure.get() != null) {
        throw new AssertionError("valid traffic failed: " + failure.get() + "; " + where, failure.get());
      }
      // Every future has settled once the whole window is free again.
      if (!window.tryAcquire(VALID_WINDOW, 60, TimeUnit.SECONDS)) {
        throw new AssertionError((VALID_WINDOW - window.availablePermits()) + " valid confirmed messages not settled "
            + "within 60 s; " + where);
      }
      window.release(VALID_WINDOW);
      List<String> failed = new ArrayList<>(failures);
      assertTrue(failed.isEmpty(), failed.size() + " of " + sent.size() + " valid confirmed messages failed: "
          + failed.subList(0, Math.min(5, failed.size())) + "; " + where);
    }

    /** Forgets what was sent (once checked), so the heap measures the endpoints. */
    void forget() {
      sent.clear();
    }
  }
}
