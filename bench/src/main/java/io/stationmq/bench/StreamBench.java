package io.stationmq.bench;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.NdArray;
import io.stationmq.message.StreamCodec;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.Station;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Stream throughput: samples per second from a NetNode stream through a Station to a typed
 * listen, beside raw JeroMQ doing the same work in the same run (the producer encodes the
 * same STREAM batches as JSON with {@link StreamCodec#encodeBatch}, as a stream does, a ROUTER
 * forwards them by frame, the receiver decodes each batch's samples to the same record with
 * {@link StreamCodec#decodeSamples}, as a typed listen does). Two payloads: a small sample (a
 * timestamp and three doubles) in batches of 64, and a float64 array of 1,000 elements in
 * batches of 8.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.stationmq.bench.StreamBench [--quick] [--runs R] [--only small|array]</pre>
 */
public final class StreamBench {
  /** The small sample. */
  public record Small(long t, double ch0, double ch1, double ch2) {}

  /** The array sample. */
  public record Frame(long t, NdArray data) {}

  private StreamBench() {}

  /** Runs both payloads, stationmq and raw alternately, and prints medians and ratios. */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int at = List.of(args).indexOf("--runs");
    int runs = at >= 0 ? Integer.parseInt(args[at + 1]) : quick ? 2 : 5;
    long smallCount = quick ? 300_000 : 1_000_000;
    long arrayCount = quick ? 5_000 : 20_000;
    double[] values = new Random(42).doubles(1_000).toArray();
    NdArray array = NdArray.of(values);
    System.out.printf("stream throughput, %d runs each (median, min-max), %d cores, Java %s%n", runs,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    int from = List.of(args).indexOf("--only");
    List<String> only = from >= 0 ? List.of(args[from + 1]) : List.of("small", "array");
    if (only.contains("small")) {
      report("small sample, batch 64", runs, smallCount, 64, i -> new Small(i, 0.1, 0.2, 0.3), Small.class);
    }
    if (only.contains("array")) {
      report("float64[1000], batch 8", runs, arrayCount, 8, i -> new Frame(i, array), Frame.class);
    }
  }

  interface Maker {
    Object make(long i);
  }

  /** One run: samples per second at the receiver, process CPU µs and bytes allocated per sample. */
  record Run(double rate, double cpuMicros, double bytes) {}

  /** Process CPU time and the threads' allocations from its start; read before the side closes. */
  private static final class Probe {
    private final Map<Long, Long> allocated = Measure.allocatedBytes();
    private final long cpu = Measure.processCpuNanos();
    private final long start = System.nanoTime();

    Run finish(long count) {
      double rate = count * 1e9 / (System.nanoTime() - start);
      long bytes = Measure.allocatedSince(allocated);
      return new Run(rate, Measure.cpuMicrosPer(Measure.processCpuNanos() - cpu, count),
          bytes < 0 ? Double.NaN : (double) bytes / count);
    }
  }

  private static void report(String name, int runs, long count, int batch, Maker maker, Class<?> type) throws Exception {
    stationmq(count / 4, batch, maker, type); // warm-up
    raw(count / 4, batch, maker, type);
    Run[] ours = new Run[runs];
    Run[] raw = new Run[runs];
    for (int r = 0; r < runs; r++) {
      ours[r] = stationmq(count, batch, maker, type);
      raw[r] = raw(count, batch, maker, type);
      System.err.printf("%s run %d: stationmq %,.0f/s, raw %,.0f/s%n", name, r, ours[r].rate(), raw[r].rate());
    }
    double[] o = sorted(ours, Run::rate);
    double[] w = sorted(raw, Run::rate);
    System.out.printf("%-24s stationmq %,10.0f samples/s (%,.0f-%,.0f)   raw JeroMQ %,10.0f (%,.0f-%,.0f)   ratio %.2f%n",
        name, o[runs / 2], o[0], o[runs - 1], w[runs / 2], w[0], w[runs - 1], o[runs / 2] / w[runs / 2]);
    System.out.printf("%-24s per sample: stationmq CPU %.2f µs, %,.0f B allocated   raw CPU %.2f µs, %,.0f B allocated%n",
        "", sorted(ours, Run::cpuMicros)[runs / 2], sorted(ours, Run::bytes)[runs / 2],
        sorted(raw, Run::cpuMicros)[runs / 2], sorted(raw, Run::bytes)[runs / 2]);
  }

  private static double[] sorted(Run[] runs, java.util.function.ToDoubleFunction<Run> figure) {
    double[] v = Arrays.stream(runs).mapToDouble(figure).toArray();
    Arrays.sort(v);
    return v;
  }

  /** NetNode stream -> Station -> Station's typed sample listen; samples/s at the listen. */
  private static Run stationmq(long count, int batch, Maker maker, Class<?> type) throws Exception {
    AtomicLong got = new AtomicLong();
    try (Station t = Station.builder().id("T").bindAddress("127.0.0.1").build()) {
      t.onSamples("SENSOR", type, s -> got.incrementAndGet());
      try (NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", t.port(), "T").build()) {
        Measure.awaitFinished(() -> t.directory().stream().anyMatch(e -> e.id().equals("rig")));
        SampleStream s = rig.getStream("sensor", "SENSOR",
            StreamOptions.builder().batchSize(batch).overflow(Overflow.BLOCK).capacity(20_000).build());
        Probe probe = new Probe();
        for (long i = 0; i < count; i++) {
          s.push(maker.make(i));
        }
        Measure.awaitFinished(() -> got.get() >= count);
        return probe.finish(count);
      }
    }
  }

  /** The same batches by hand: DEALER -> ROUTER forwarding by frame -> DEALER decoding. */
  private static Run raw(long count, int batch, Maker maker, Class<?> type) throws Exception {
    try (ZContext ctx = new ZContext(1)) {
      ZMQ.Socket router = RawNet.blockingSocket(ctx, SocketType.ROUTER, "T", 1_000);
      router.setRouterMandatory(true);
      int port = router.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket sink = RawNet.blockingSocket(ctx, SocketType.DEALER, "sink", 1_000);
      sink.connect("tcp://127.0.0.1:" + port);
      ZMQ.Socket source = RawNet.blockingSocket(ctx, SocketType.DEALER, "rig", 1_000);
      source.connect("tcp://127.0.0.1:" + port);
      sink.send(new byte[0]); // registers "sink" at the router
      AtomicLong got = new AtomicLong();
      AtomicBoolean sinkKnown = new AtomicBoolean();
      Thread forwarder = new Thread(() -> relay(router, sinkKnown), "raw-forwarder");
      Thread receiver = new Thread(() -> {
        try {
          while (got.get() < count) {
            byte[] body = sink.recv(0);
            got.addAndGet(StreamCodec.decodeSamples(body, type).size());
          }
        } catch (org.zeromq.ZMQException | java.nio.channels.ClosedSelectorException stopped) {
          // the context closed at the end of the run
        }
      }, "raw-receiver");
      forwarder.setDaemon(true);
      receiver.setDaemon(true);
      forwarder.start();
      receiver.start();
      // Until the router has the sink's identity, a send to it fails (ROUTER_MANDATORY) and would
      // end the forwarder: the run would wait for samples that never come.
      Measure.awaitFinished(sinkKnown::get);
      Probe probe = new Probe();
      long n = 0;
      Map<String, Object> headers = new LinkedHashMap<>();
      headers.put("subject", null);
      headers.put("pilot", null);
      headers.put("continuous", true);
      for (long i = 0; i < count; i += batch) {
        List<Object> samples = new ArrayList<>(batch);
        for (long j = i; j < Math.min(count, i + batch); j++) {
          samples.add(maker.make(j));
        }
        Message m = Message.builder().id("sensor_" + n++).to("T").sender("rig_sensor").key("STREAM")
            .flag(Flags.NOREPEAT).flag(Flags.MINPRINT).build();
        source.send("T".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
        source.send("T".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
        source.send(StreamCodec.encodeBatch(m, "SENSOR", headers, samples), 0);
      }
      Measure.awaitFinished(() -> got.get() >= count);
      return probe.finish(count);
    }
  }

  /** Forwards every body to "sink" by frame, without decoding, until the context closes. */
  private static void relay(ZMQ.Socket router, AtomicBoolean sinkKnown) {
    try {
      while (true) {
        router.recv(0);
        List<byte[]> frames = new ArrayList<>();
        while (router.hasReceiveMore()) {
          frames.add(router.recv(0));
        }
        if (frames.get(frames.size() - 1).length == 0) {
          sinkKnown.set(true); // the sink's registration ping
          continue;
        }
        router.send("sink".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
        router.send(frames.get(frames.size() - 1), 0);
      }
    } catch (org.zeromq.ZMQException | java.nio.channels.ClosedSelectorException stopped) {
      // the context closed at the end of the run
    }
  }
}
