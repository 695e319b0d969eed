package io.stationmq.bench;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.TopicMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Topic fan-out: one publisher, 10 subscribers, through a Station, beside raw JeroMQ PUB/SUB
 * doing the same fan-out with the same codec in the same run (the publisher encodes each
 * message once as the same JSON body, a PUB socket sends it, 10 SUB sockets decode it). The
 * figure is messages published per second, each received by all 10 subscribers.
 *
 * <p>The sides differ in what they promise: a stationmq subscription ({@link TopicMode#EVERY})
 * has every message confirmed per subscriber, in order, and a publisher held back by a window
 * when a subscriber is slow; raw PUB/SUB confirms nothing and drops at its high-water mark
 * (set unbounded here so that it loses nothing, at the price of unbounded memory).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.stationmq.bench.TopicBench [--quick]</pre>
 */
public final class TopicBench {
  private static final int SUBSCRIBERS = 10;

  private TopicBench() {}

  /** Runs both sides alternately and prints medians and the ratio. */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int runs = quick ? 2 : 5;
    int count = quick ? 5_000 : 20_000;
    System.out.printf("topic fan-out to %d subscribers, %d runs each (median, min-max), %d cores, Java %s%n",
        SUBSCRIBERS, runs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    stationmq(count / 4); // warm-up
    raw(count / 4);
    double[] ours = new double[runs];
    double[] raw = new double[runs];
    for (int r = 0; r < runs; r++) {
      ours[r] = stationmq(count);
      raw[r] = raw(count);
    }
    Arrays.sort(ours);
    Arrays.sort(raw);
    double o = ours[runs / 2];
    double w = raw[runs / 2];
    System.out.printf("%-28s stationmq %,9.0f msgs/s (%,.0f-%,.0f)   raw PUB/SUB %,9.0f (%,.0f-%,.0f)   ratio %.2f%n",
        "publish, 10 subscribers", o, ours[0], ours[runs - 1], w, raw[0], raw[runs - 1], o / w);
  }

  private static Map<String, Object> value(long i) {
    return Map.of("t", i, "ch0", 0.1, "ch1", 0.2);
  }

  /** Publisher node -> Station -> 10 subscriber nodes (EVERY); messages/s until all 10 have all. */
  private static double stationmq(int count) throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    AtomicLong got = new AtomicLong();
    try (Station t = Station.builder().id("T").bindAddress("127.0.0.1").build()) {
      for (int i = 0; i < SUBSCRIBERS; i++) {
        NetNode sub = NetNode.builder().id("sub" + i).upstream("127.0.0.1", t.port(), "T").build();
        open.add(sub);
        sub.topics().subscribe("bench", m -> {
          m.value(Map.class);
          got.incrementAndGet();
        });
      }
      NetNode pub = NetNode.builder().id("pub").upstream("127.0.0.1", t.port(), "T").build();
      open.add(pub);
      Measure.awaitFinished(() -> t.topics().subscribers("bench") == SUBSCRIBERS);
      long start = System.nanoTime();
      for (long i = 0; i < count; i++) {
        pub.topics().publish("bench", value(i));
      }
      Measure.awaitFinished(() -> got.get() >= (long) count * SUBSCRIBERS);
      return count * 1e9 / (System.nanoTime() - start);
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  /** The same by hand: PUB -> 10 SUB sockets, each on its own thread, decoding every body. */
  private static double raw(int count) throws Exception {
    try (ZContext ctx = new ZContext(1)) {
      ZMQ.Socket pub = RawNet.blockingSocket(ctx, SocketType.PUB, "pub", 0);
      int port = pub.bindToRandomPort("tcp://127.0.0.1");
      AtomicLong got = new AtomicLong();
      AtomicLong ready = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < SUBSCRIBERS; i++) {
        ZMQ.Socket sub = RawNet.blockingSocket(ctx, SocketType.SUB, "sub" + i, 0);
        sub.subscribe("bench".getBytes(StandardCharsets.UTF_8));
        sub.connect("tcp://127.0.0.1:" + port);
        Thread th = new Thread(() -> {
          try {
            boolean first = true;
            while (true) {
              sub.recv(0); // the topic frame
              Message m = MessageCodec.decode(sub.recv(0));
              if (m.key().equals("hello")) {
                if (first) {
                  ready.incrementAndGet();
                  first = false;
                }
                continue;
              }
              m.value(Map.class);
              got.incrementAndGet();
            }
          } catch (org.zeromq.ZMQException | java.nio.channels.ClosedSelectorException stopped) {
            // the context closed at the end of the run, this thread blocked in recv
          }
        }, "raw-sub-" + i);
        th.setDaemon(true);
        threads.add(th);
        th.start();
      }
      // PUB/SUB has no handshake: say hello until every subscriber hears it (a late joiner misses messages).
      byte[] hello = MessageCodec.encode(Message.builder().id("pub_h").to("bench").sender("pub").key("hello").build());
      while (ready.get() < SUBSCRIBERS) {
        pub.send("bench".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
        pub.send(hello, 0);
        Thread.sleep(5);
      }
      long start = System.nanoTime();
      for (long i = 0; i < count; i++) {
        Message m = Message.builder().id("pub_" + i).to("bench").sender("pub").key("bench").value(value(i)).build();
        pub.send("bench".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
        pub.send(MessageCodec.encode(m), 0);
      }
      Measure.awaitFinished(() -> got.get() >= (long) count * SUBSCRIBERS);
      return count * 1e9 / (System.nanoTime() - start);
    }
  }
}
