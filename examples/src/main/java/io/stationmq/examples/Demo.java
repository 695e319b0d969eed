package io.stationmq.examples;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.Station;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The demo a new user runs first: a real rig topology on loopback, in one process.
 *
 * <p>A terminal Station ({@code T}), two rig Stations whose pushers connect to it, and behind
 * each rig a few hardware-controller NetNodes. Every controller streams simulated sensor
 * samples (a timestamp and three channels) up to the terminal through its rig; the terminal
 * sends confirmed commands ({@code START}, {@code PARAM}, {@code STOP}) to each controller
 * along a multihop path {@code [rig, controller]}, and the controller answers each with a
 * confirmed {@code STATE}. A status line shows the traffic while it runs; at the end a
 * summary says what was sent, received and lost. {@link Report#ok()} is true only when
 * nothing was lost.
 *
 * <p>Run it with {@code ./stationmq demo}. Not thread-safe; one run at a time.
 */
public final class Demo {
  /** Settings of one run. */
  public record Settings(Duration duration, int nodesPerRig, int rateHz) {
    /** Validates the settings. */
    public Settings {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive");
      }
      if (nodesPerRig < 1 || nodesPerRig > 50) {
        throw new IllegalArgumentException("nodes per rig must be 1..50, got " + nodesPerRig);
      }
      if (rateHz < 1 || rateHz > 100_000) {
        throw new IllegalArgumentException("rate must be 1..100000 Hz, got " + rateHz);
      }
    }
  }

  /** What one run did. */
  public record Report(long samplesSent, long samplesReceived, long samplesDropped, long commandsSent,
      long commandsConfirmed, long commandsFailed, long statesReceived, long repeats, long p50Micros, long p99Micros) {
    /** True when every sample arrived and every command was confirmed and answered. */
    public boolean ok() {
      return samplesDropped == 0 && samplesReceived == samplesSent && commandsFailed == 0
          && commandsConfirmed == commandsSent && statesReceived == commandsSent;
    }
  }

  /** One sensor sample. */
  public record Sample(long t, double ch0, double ch1, double ch2) {}

  private static final String[] RIGS = {"rig_1", "rig_2"};
  private static final long STATUS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long COMMAND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** How many of the latest command round trips the status line summarises. */
  private static final int RECENT = 200;

  private final Settings settings;
  private final PrintStream out;
  private final boolean live;
  private final EndpointListener terminalListener;
  private final Function<Station, ? extends AutoCloseable> beside;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> states = new ConcurrentHashMap<>();
  private final Map<String, SampleStream> streams = new LinkedHashMap<>();
  private final Map<String, String> rigOf = new LinkedHashMap<>();
  private final List<NetNode> controllers = new ArrayList<>();
  private final Map<String, NetNode> controllerById = new ConcurrentHashMap<>();
  /** Commands sent; each one's future adds to confirmed or failed (counts only: a long run keeps no futures). */
  private final AtomicLong commandsSent = new AtomicLong();
  private final LatencyRecorder latency = new LatencyRecorder();
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private Station terminal;

  private Demo(Settings settings, PrintStream out, boolean live, EndpointListener terminalListener,
      Function<Station, ? extends AutoCloseable> beside) {
    this.settings = settings;
    this.out = out;
    this.live = live;
    this.terminalListener = terminalListener;
    this.beside = beside;
  }

  /** Runs the demo, printing status and the summary to {@code out}; {@code live} redraws one status line. */
  public static Report run(Settings settings, PrintStream out, boolean live) {
    return run(settings, out, live, EndpointListener.NONE, terminal -> () -> { });
  }

  /**
   * Like {@link #run(Settings, PrintStream, boolean)}, with {@code terminalListener} as the
   * terminal Station's listener, and {@code beside} started with the terminal once every
   * endpoint is up (the command line's web view) and closed before them.
   */
  public static Report run(Settings settings, PrintStream out, boolean live, EndpointListener terminalListener,
      Function<Station, ? extends AutoCloseable> beside) {
    Demo demo = new Demo(settings, out, live, terminalListener, beside);
    try {
      return demo.runTopology();
    } finally {
      demo.closeAll();
    }
  }

  private Report runTopology() {
    EndpointOptions options = EndpointOptions.builder().workers(2).build();
    terminal = track(Station.builder().id("T").bindAddress("127.0.0.1")
        .options(options.toBuilder().listener(terminalListener).build()).build());
    terminal.onBatch("SENSOR", batch -> received.computeIfAbsent(String.valueOf(batch.headers().get("pilot")),
        k -> new LongAdder()).add(batch.size()));
    terminal.on("STATE", m -> states.computeIfAbsent(m.sender(), k -> new LongAdder()).increment());
    for (String rig : RIGS) {
      Station r = track(Station.builder().id(rig).bindAddress("127.0.0.1").options(options)
          .upstream("127.0.0.1", terminal.port(), "T").build());
      awaitRegistered(terminal, rig);
      for (int i = 0; i < settings.nodesPerRig(); i++) {
        startController(r, rig + "_ctrl_" + i, options);
      }
    }
    track(beside.apply(terminal));
    out.printf("stationmq demo: terminal T on %s, rigs %s, %d controllers streaming %d Hz each, for %d s%n",
        terminal.endpoint(), String.join(" and ", RIGS), controllers.size(), settings.rateHz(), settings.duration().toSeconds());
    controllers.forEach(c -> command(c, "START"));
    produceAndCommand();
    controllers.forEach(c -> command(c, "STOP"));
    streams.values().forEach(SampleStream::close);
    awaitQuiet();
    return summarize();
  }

  private void startController(Station rig, String id, EndpointOptions options) {
    NetNode c = track(NetNode.builder().id(id).upstream("127.0.0.1", rig.port(), rig.id()).options(options)
        .listen("START", m -> reply(m.sender(), id, "RUNNING"))
        .listen("PARAM", m -> reply(m.sender(), id, "PARAM " + m.value(Map.class)))
        .listen("STOP", m -> reply(m.sender(), id, "STOPPED"))
        .build());
    awaitRegistered(rig, id);
    controllers.add(c);
    controllerById.put(id, c);
    rigOf.put(id, rig.id());
    streams.put(id, c.getStream("sensor", "SENSOR",
        StreamOptions.builder().to("T").pilot(id).subject("demo").overflow(Overflow.BLOCK).build()));
  }

  private void reply(String to, String controller, String state) {
    controllerById.get(controller).sendConfirmed(to, "STATE", state);
  }

  private void command(NetNode controller, String key) {
    Object value = key.equals("PARAM") ? Map.of("reward_ms", 20 + commandsSent.get() % 10) : null;
    CompletableFuture<DeliveryReceipt> f = terminal.sendConfirmed(
        terminal.message(controller.id(), key, value).path(rigOf.get(controller.id()), controller.id()).build());
    f.whenComplete((receipt, error) -> {
      if (error == null) {
        confirmed.incrementAndGet();
        latency.record(receipt.roundTrip().toNanos() / 1_000);
      } else {
        failed.incrementAndGet();
        out.println("\ncommand " + key + " to " + controller.id() + " failed: " + error.getMessage());
      }
    });
    commandsSent.incrementAndGet();
  }

  /** Pushes samples at the configured rate, sends PARAM commands, and prints status, until the duration is over. */
  private void produceAndCommand() {
    long start = System.nanoTime();
    long end = start + settings.duration().toNanos();
    long pushed = 0;
    long nextStatus = start + STATUS_NANOS;
    long nextCommand = start + COMMAND_NANOS;
    long lastStatusReceived = 0;
    long lastStatusTime = start;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      long due = (now - start) * settings.rateHz() / 1_000_000_000L;
      for (; pushed < due; pushed++) {
        for (SampleStream s : streams.values()) {
          s.push(new Sample(pushed, Math.sin(pushed / 100.0), Math.cos(pushed / 100.0), pushed % 7));
        }
      }
      if (now >= nextCommand) {
        controllers.forEach(c -> command(c, "PARAM"));
        nextCommand += COMMAND_NANOS;
      }
      if (now >= nextStatus) {
        long total = totalReceived();
        double rate = (total - lastStatusReceived) * 1e9 / (now - lastStatusTime);
        printStatus((now - start) / 1e9, rate);
        lastStatusReceived = total;
        lastStatusTime = now;
        nextStatus += live ? STATUS_NANOS : 4 * STATUS_NANOS;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // pacing of the simulated sensors
    }
    if (live) {
      out.println();
    }
  }

  private void printStatus(double elapsed, double samplesPerSecond) {
    String line = String.format("t=%4.1fs  samples/s=%8.0f  received=%9d  commands confirmed=%5d  repeats=%3d  rtt (last %d) p50=%5dus p99=%6dus",
        elapsed, samplesPerSecond, totalReceived(), confirmed.get(), repeats(), RECENT,
        latency.percentileOfLast(50, RECENT), latency.percentileOfLast(99, RECENT));
    if (live) {
      out.print("\r" + line);
      out.flush();
    } else {
      out.println(line);
    }
  }

  /** Waits (bounded) for the last samples, commands and states to arrive. */
  private void awaitQuiet() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      boolean commandsDone = confirmed.get() + failed.get() >= commandsSent.get();
      boolean samplesIn = totalReceived() >= totalSent();
      boolean statesIn = totalStates() >= commandsSent.get();
      if (commandsDone && samplesIn && statesIn) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private Report summarize() {
    long dropped = streams.values().stream().mapToLong(s -> s.stats().dropped()).sum();
    Report r = new Report(totalSent(), totalReceived(), dropped, commandsSent.get(), confirmed.get(), failed.get(),
        totalStates(), repeats(), latency.percentile(50), latency.percentile(99));
    out.println();
    out.printf("%-14s %10s %10s %8s %8s%n", "controller", "sent", "received", "lost", "states");
    for (Map.Entry<String, SampleStream> e : streams.entrySet()) {
      long sent = e.getValue().stats().sent();
      long got = count(received, e.getKey());
      out.printf("%-14s %10d %10d %8d %8d%n", e.getKey(), sent, got, sent - got, count(states, e.getKey()));
    }
    out.printf("%nsamples: %d sent, %d received, %d dropped%n", r.samplesSent(), r.samplesReceived(), r.samplesDropped());
    out.printf("commands: %d sent, %d confirmed, %d failed; %d STATE replies; %d repeats%n",
        r.commandsSent(), r.commandsConfirmed(), r.commandsFailed(), r.statesReceived(), r.repeats());
    out.printf("command round trip (terminal -> rig -> controller -> confirmation): p50 %d us, p99 %d us%n",
        r.p50Micros(), r.p99Micros());
    int half = latency.size() / 2;
    if (half >= 100) { // the first half includes start-up: connections and the JIT warming up
      out.printf("  over the second half of the run (%d commands): p50 %d us, p99 %d us%n", half,
          latency.percentileOfLast(50, half), latency.percentileOfLast(99, half));
    }
    out.println(r.ok() ? "result: OK, nothing lost" : "result: FAILED, something was lost (see above)");
    return r;
  }

  private long totalSent() {
    return streams.values().stream().mapToLong(s -> s.stats().sent()).sum();
  }

  private long totalReceived() {
    return received.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private long totalStates() {
    return states.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private long repeats() {
    long sum = terminal.stats().repeated();
    for (NetNode c : controllers) {
      EndpointStats s = c.stats();
      sum += s.repeated();
    }
    return sum;
  }

  private static long count(Map<String, LongAdder> counts, String key) {
    LongAdder a = counts.get(key);
    return a == null ? 0 : a.sum();
  }

  private static void awaitRegistered(Station station, String id) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (station.directory().stream().noneMatch(e -> e.id().equals(id))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("an endpoint did not connect to " + station.id() + " within 10 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  private void closeAll() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        out.println("closing: " + e.getMessage());
      }
    }
  }

  /** Round-trip times in microseconds, in the order recorded; percentiles over all or the latest. Thread-safe. */
  /** The latest {@link #KEPT} round trips (a ring: a run of any length costs the same memory). */
  private static final class LatencyRecorder {
    static final int KEPT = 100_000;
    private final long[] ring = new long[KEPT];
    private long recorded;

    synchronized void record(long micros) {
      ring[(int) (recorded++ % KEPT)] = micros;
    }

    /** The percentile over every kept round trip (the whole run, up to the latest {@link #KEPT}). */
    synchronized long percentile(int p) {
      return percentileOfLast(p, KEPT);
    }

    /** The percentile over the latest {@code count} values (all of them if fewer). */
    synchronized long percentileOfLast(int p, int count) {
      int n = Math.min(count, size());
      if (n == 0) {
        return 0;
      }
      long[] sorted = new long[n];
      for (int i = 0; i < n; i++) {
        sorted[i] = ring[(int) ((recorded - n + i) % KEPT)];
      }
      java.util.Arrays.sort(sorted);
      return sorted[Math.min(n - 1, Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1))];
    }

    /** Round trips kept: all of them, up to {@link #KEPT}. */
    synchronized int size() {
      return (int) Math.min(recorded, KEPT);
    }
  }
}
