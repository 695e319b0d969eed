package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.ClockOffset;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.UpstreamState;
import io.stationmq.netnode.WallClock;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.StderrLines;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clock offsets over real sockets: a NetNode whose wall clock is 250 ms ahead and gains 100 ppm
 * estimates its offset to its Station, and the Station's directory shows it, both within the
 * stated uncertainty of the truth; an upstream that never answers {@code TIME} costs a bounded,
 * quiet retry and no CPU.
 */
@Timeout(60)
class ClockOffsetTest {
  private static final long SKEW_NANOS = 250_000_000L;
  private static final double DRIFT = 100e-6;
  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private <T extends AutoCloseable> T track(T c) {
    return closer.track(c);
  }

  /** The system clock, 250 ms ahead and gaining 100 us a second from {@code base}. */
  private record Skewed(long base) implements WallClock {
    @Override
    public long epochNanos() {
      long now = WallClock.system().epochNanos();
      return now + SKEW_NANOS + Math.round((now - base) * DRIFT);
    }

    /** The true offset (this clock minus the system's) at system time {@code t}. */
    long truth(Instant t) {
      long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
      return SKEW_NANOS + Math.round((nanos - base) * DRIFT);
    }
  }

  @Test
  void aSkewedDriftingNodeAndItsStationAgreeOnItsOffsetWithinTheUncertainty() throws Exception {
    Skewed clock = new Skewed(WallClock.system().epochNanos());
    Station station = track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    List<Instant[]> stamps = new ArrayList<>(); // {sender's timestamp converted, received}, on the Station's clock
    station.on("DATA", m -> {
      Instant received = Instant.now();
      Instant sent = m.timestamp().orElseThrow().atZone(ZoneId.systemDefault()).toInstant();
      synchronized (stamps) {
        stamps.add(new Instant[] {station.toLocalTime("rig", sent).orElseThrow(), received});
      }
    });
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", station.port(), "T")
        .options(EndpointOptions.builder().wallClock(clock).clockSyncInterval(Duration.ofMillis(500)).build())
        .build());
    Await.until("the burst of TIME exchanges", Duration.ofSeconds(10), () -> rig.clockOffset().samples() >= 8);
    Await.until("the Station's directory shows rig's offset", Duration.ofSeconds(10),
        () -> entry(station, "rig").clockOffset().isKnown());

    long worstNode = 0;
    long worstStation = 0;
    long widestNode = 0;
    long widestStation = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    int checks = 0;
    while (System.nanoTime() < deadline) {
      ClockOffset own = rig.clockOffset();
      Instant now = Instant.now();
      long truth = clock.truth(now);
      long error = Math.abs(own.offsetNanos() - truth);
      // The node's estimate holds at its own measuredAt; the truth moves 100 ns per ms meanwhile.
      assertTrue(error <= own.uncertaintyNanos() + 1_000, "node: " + own + " vs truth " + truth + " ns");
      ClockOffset seen = entry(station, "rig").clockOffset().at(now);
      long stationError = Math.abs(seen.offsetNanos() - truth);
      assertTrue(stationError <= seen.uncertaintyNanos() + 1_000, "station: " + seen + " vs truth " + truth + " ns");
      worstNode = Math.max(worstNode, error);
      worstStation = Math.max(worstStation, stationError);
      widestNode = Math.max(widestNode, own.uncertaintyNanos());
      widestStation = Math.max(widestStation, seen.uncertaintyNanos());
      checks++;
      rig.send("T", "DATA", checks);
      Await.until("the next check", Duration.ofSeconds(1), () -> System.nanoTime() > deadline - 1 || tick(100));
    }
    ClockOffset last = rig.clockOffset();
    System.out.printf("clock offset on loopback over %d checks: node error max %.1f us (uncertainty max %.1f us),"
        + " station error max %.1f us (uncertainty max %.1f us); last %s%n", checks, worstNode / 1e3,
        widestNode / 1e3, worstStation / 1e3, widestStation / 1e3, last);
    assertTrue(last.uncertaintyNanos() < 20_000_000L, "on loopback the bound is milliseconds at most: " + last);

    Await.until("DATA arrived", () -> {
      synchronized (stamps) {
        return stamps.size() >= 3;
      }
    });
    synchronized (stamps) {
      for (Instant[] s : stamps) {
        // Unconverted, the timestamp would be 250 ms after the arrival; converted, it may be
        // after it by no more than the uncertainty (and the microsecond the timestamp drops).
        long lag = Duration.between(s[0], s[1]).toNanos();
        assertTrue(lag >= -last.uncertaintyNanos() - 5_000_000,
            "converted, a timestamp must not be after its arrival: " + s[0] + " vs " + s[1]);
      }
    }
  }

  @Test
  void aChildStationMeasuresItsClockAgainstItsParent() {
    Skewed clock = new Skewed(WallClock.system().epochNanos());
    Station parent = track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    Station child = track(Station.builder().id("S").bindAddress("127.0.0.1").upstream("127.0.0.1", parent.port(), "T")
        .options(EndpointOptions.builder().wallClock(clock).build()).build());
    Await.until("the child's burst", Duration.ofSeconds(10), () -> child.clockOffset().samples() >= 8);
    ClockOffset own = child.clockOffset();
    long truth = clock.truth(Instant.now());
    assertTrue(Math.abs(own.offsetNanos() - truth) <= own.uncertaintyNanos() + 1_000, own + " vs " + truth);
    Await.until("the parent's directory shows the child's offset", Duration.ofSeconds(10),
        () -> entry(parent, "S").clockOffset().isKnown());
    ClockOffset seen = entry(parent, "S").clockOffset().at(Instant.now());
    long truthNow = clock.truth(Instant.now());
    assertTrue(Math.abs(seen.offsetNanos() - truthNow) <= seen.uncertaintyNanos() + 1_000, seen + " vs " + truthNow);
    assertFalse(parent.clockOffset().isKnown(), "a Station without an upstream measures nothing");
  }

  private long lastTick = System.nanoTime();

  /** True once {@code millis} passed since it last returned true: a deadline-bounded pace. */
  private boolean tick(long millis) {
    if (System.nanoTime() - lastTick >= millis * 1_000_000L) {
      lastTick = System.nanoTime();
      return true;
    }
    return false;
  }

  private static DirectoryEntry entry(Station s, String id) {
    return s.directory().stream().filter(e -> e.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + s.id() + "'s directory"));
  }

  @Test
  void aPythonUpstreamIsNeverAskedTheTime() throws Exception {
    RawPeer python = track(RawPeer.router("P"));
    NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", python.port(), "P")
        .options(EndpointOptions.builder().clockSyncInterval(Duration.ofMillis(200)).build()).build());
    Played played = play(python, false, Duration.ofSeconds(4));
    assertEquals(UpstreamState.LEGACY, rig.upstreamState());
    assertEquals(0, played.timeRequests, "a Python station never gets a TIME request");
    assertFalse(rig.clockOffset().isKnown());
  }

  @Test
  void anUpstreamThatNeverAnswersTimeCostsABoundedQuietRetryAndNoCpu() throws Exception {
    RawPeer old = track(RawPeer.router("T"));
    try (StderrLines log = StderrLines.install()) {
      NetNode rig = track(NetNode.builder().id("rig").upstream("127.0.0.1", old.port(), "T").build());
      Played played = play(old, true, Duration.ofSeconds(2)); // connected, first exchange started, classes loaded
      Map<String, Long> before = cpuNanos();
      long start = System.nanoTime();
      played.timeRequests += play(old, true, Duration.ofSeconds(8)).timeRequests;
      double share = (sum(cpuNanos()) - sum(before)) / (double) (System.nanoTime() - start);
      System.out.printf("an upstream that never answers TIME: %d TIME requests in 10 s, CPU over the last 8 s %.3f%% of a"
          + " core%n", played.timeRequests, 100 * share);
      assertEquals(UpstreamState.CONNECTED, rig.upstreamState());
      assertTrue(played.timeRequests >= 1, "it was asked");
      // One at connect (timing out after 2 s), one 4 s later, the next 8 s after that: a backoff.
      assertTrue(played.timeRequests <= 3, "a bounded retry: " + played.timeRequests);
      assertTrue(share < 0.02, String.format("used %.2f%% of a core", 100 * share));
      assertEquals(0, rig.stats().malformed());
      assertEquals(0, log.linesContaining("WARN") + log.linesContaining("ERROR"), "quiet");
      assertFalse(rig.clockOffset().isKnown());
    }
  }

  private static final class Played {
    int timeRequests;
  }

  /**
   * Plays an upstream on {@code peer} for {@code window}: echoes pings; with {@code hello},
   * answers HELLO and heartbeats as a stationmq Station would and confirms requests, but never
   * answers one; counts TIME requests (not their repeats: confirmed, they are not repeated).
   */
  private static Played play(RawPeer peer, boolean hello, Duration window) {
    Played played = new Played();
    long deadline = System.nanoTime() + window.toNanos();
    long n = 0;
    while (System.nanoTime() < deadline) {
      List<byte[]> frames = peer.receive(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      if (frames == null) {
        continue;
      }
      byte[] body = frames.get(frames.size() - 1);
      if (body.length == 0) {
        peer.send(frames.toArray()); // a connection ping: echoed, as every station does
        continue;
      }
      Message m = MessageCodec.decode(body);
      String from = RawPeer.text(frames.get(0));
      boolean time = m.key().equals("SMQ_REQUEST") && "TIME".equals(m.extraText("request").orElse(null));
      if (time) {
        played.timeRequests++;
      }
      if (!hello) {
        continue;
      }
      Map<String, Object> v = new LinkedHashMap<>();
      String key;
      if (time) { // confirmed, as a Python station confirms a key it has no listen for, and never answered
        peer.send(from, MessageCodec.encode(Message.builder().id("T_c_" + n++).to(from).sender("T").key("CONFIRM")
            .value(m.id()).flag(Flags.NOREPEAT).build()));
        continue;
      } else if (m.key().equals("SMQ_HELLO")) {
        key = "SMQ_HELLO_REPLY";
        v.put("ok", true);
        v.put("id", "T");
        v.put("protocol", 1);
        v.put("software", "stationmq 0.0.9");
        v.put("boot", "b1");
      } else if (m.key().equals("SMQ_HEARTBEAT")) {
        key = "SMQ_HEARTBEAT_ACK";
        JsonNode seq = m.valueNode().path("seq");
        v.put("seq", seq.asLong());
        v.put("boot", "b1");
      } else {
        continue;
      }
      Message reply = Message.builder().id("T_live_" + n++).to(from).sender("T").key(key).value(v)
          .flag(Flags.NOREPEAT).build();
      peer.send(from, MessageCodec.encode(reply));
    }
    return played;
  }

  private static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  /** CPU time of every stationmq thread. */
  private static Map<String, Long> cpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> cpu = new LinkedHashMap<>();
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("stationmq-")) {
        long c = mx.getThreadCpuTime(info.getThreadId());
        if (c >= 0) {
          cpu.put(info.getThreadName() + "#" + info.getThreadId(), c);
        }
      }
    }
    return cpu;
  }

}
