package io.stationmq.bench;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Request/reply through one Station: requests per second with a window of 256 in flight, and
 * the round trip (p50/p99) of one request at a time, beside raw JeroMQ request/reply over the
 * same path in the same run (DEALER -> ROUTER forwarding by frame -> DEALER that decodes the
 * request and encodes a reply; the requester decodes the reply and correlates it by id). Each
 * raw peer has its own context and I/O thread, as in {@link BenchMain}.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.stationmq.bench.RequestBench [--quick]</pre>
 */
public final class RequestBench {
  private static final int WINDOW = 256;
  private static final Duration WARM_UP = Duration.ofSeconds(20);
  private static final Map<String, Object> ARGS = Map.of("trial_num", 3, "correct", true, "rt", 0.4213);

  private RequestBench() {}

  /** Runs throughput and latency, stationmq and raw alternately; prints medians and ratios. */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int runs = quick ? 2 : 5;
    int count = quick ? 10_000 : 40_000;
    int trips = quick ? 2_000 : 10_000;
    System.out.printf("request/reply through one Station, %d runs each (median), %d cores, Java %s%n", runs,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    double[][] ours = new double[runs][];
    double[][] raw = new double[runs][];
    // Warm-up by time, as JMH does: both sides run at full size, alternately, at least twice
    // and until WARM_UP has passed, so neither is measured while the JIT still compiles it.
    // Two runs were not enough: stationmq's larger code was still being compiled (and
    // deoptimized) into its fifth run of 40,000 requests, at a third of its later rate.
    long warmUntil = System.nanoTime() + (quick ? 0 : WARM_UP.toNanos());
    for (int w = 0; w < 2 || System.nanoTime() < warmUntil; w++) {
      stationmq(count, trips);
      raw(count, trips);
    }
    for (int r = 0; r < runs; r++) {
      ours[r] = stationmq(count, trips);
      raw[r] = raw(count, trips);
    }
    String[] names = {"requests/s (window 256)", "round trip p50 (us)", "round trip p99 (us)"};
    for (int k = 0; k < 3; k++) {
      double o = median(ours, k);
      double w = median(raw, k);
      System.out.printf("%-26s stationmq %,10.0f   raw JeroMQ %,10.0f   ratio %.2f%n", names[k], o, w, o / w);
    }
  }

  private static double median(double[][] runs, int k) {
    double[] v = new double[runs.length];
    for (int i = 0; i < runs.length; i++) {
      v[i] = runs[i][k];
    }
    Arrays.sort(v);
    return v[v.length / 2];
  }

  /** {requests/s, p50 us, p99 us} for stationmq. */
  private static double[] stationmq(int count, int trips) throws Exception {
    try (Station t = Station.builder().id("T").bindAddress("127.0.0.1").build();
        NetNode server = NetNode.builder().id("server").upstream("127.0.0.1", t.port(), "T").build();
        NetNode client = NetNode.builder().id("client").upstream("127.0.0.1", t.port(), "T").build()) {
      server.provide("ECHO", req -> req.value(Map.class));
      Measure.awaitFinished(() -> t.directory().size() >= 2);
      Semaphore window = new Semaphore(WINDOW);
      AtomicLong done = new AtomicLong();
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        window.acquire();
        client.request("server", "ECHO", ARGS, Duration.ofSeconds(30)).whenComplete((m, e) -> {
          done.incrementAndGet();
          window.release();
        });
      }
      Measure.awaitFinished(() -> done.get() >= count);
      double rate = count * 1e9 / (System.nanoTime() - start);
      long[] rtt = new long[trips];
      for (int i = 0; i < trips; i++) {
        long t0 = System.nanoTime();
        client.request("server", "ECHO", ARGS, Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
        rtt[i] = (System.nanoTime() - t0) / 1_000;
      }
      Arrays.sort(rtt);
      return new double[] {rate, rtt[trips / 2], rtt[(int) (trips * 0.99)]};
    }
  }

  /** {requests/s, p50 us, p99 us} for raw JeroMQ doing the same exchange by hand. */
  private static double[] raw(int count, int trips) throws Exception {
    // One context (one I/O thread) per peer, as each stationmq endpoint has its own and as
    // separate processes would: a shared context would carry every hop on one I/O thread.
    try (ZContext stationCtx = new ZContext(1); ZContext serverCtx = new ZContext(1); ZContext clientCtx = new ZContext(1)) {
      ZMQ.Socket router = RawNet.blockingSocket(stationCtx, SocketType.ROUTER, "T", 10_000);
      router.setRouterMandatory(true);
      int port = router.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket server = RawNet.blockingSocket(serverCtx, SocketType.DEALER, "server", 10_000);
      server.connect("tcp://127.0.0.1:" + port);
      ZMQ.Socket client = RawNet.blockingSocket(clientCtx, SocketType.DEALER, "client", 10_000);
      client.connect("tcp://127.0.0.1:" + port);
      server.send(new byte[0]);
      client.send(new byte[0]);
      // Each thread polls with a short timeout and ends on its own before the contexts close:
      // closing a context under a thread blocked in recv can leave JeroMQ's reaper spinning.
      router.setReceiveTimeOut(100);
      server.setReceiveTimeOut(100);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger pings = new AtomicInteger();
      Thread forwarder = new Thread(() -> relay(router, stop, pings), "raw-forwarder");
      Thread responder = new Thread(() -> respond(server, stop), "raw-responder");
      forwarder.setDaemon(true);
      responder.setDaemon(true);
      forwarder.start();
      responder.start();
      client.setReceiveTimeOut(10_000); // a lost reply fails the run instead of hanging it
      reply(client); // the ping echo
      // Both peers' pings seen: the forwarder knows the server, so the first request is not
      // refused as addressed to an unknown peer (ROUTER_MANDATORY), which once ended the run.
      Measure.awaitFinished(() -> pings.get() >= 2);
      Map<String, CompletableFuture<Message>> pending = new java.util.concurrent.ConcurrentHashMap<>();
      long n = 0;
      long start = System.nanoTime();
      int inFlight = 0;
      int received = 0;
      while (received < count) {
        while (inFlight < WINDOW && n < count) {
          sendRequest(client, "client_" + n++);
          inFlight++;
        }
        Message reply = MessageCodec.decode(reply(client));
        pending.remove(reply.extra("reply_to", String.class).orElse(""));
        inFlight--;
        received++;
      }
      double rate = count * 1e9 / (System.nanoTime() - start);
      long[] rtt = new long[trips];
      for (int i = 0; i < trips; i++) {
        long t0 = System.nanoTime();
        sendRequest(client, "client_" + n++);
        MessageCodec.decode(reply(client));
        rtt[i] = (System.nanoTime() - t0) / 1_000;
      }
      Arrays.sort(rtt);
      stop.set(true);
      forwarder.join(5_000);
      responder.join(5_000);
      return new double[] {rate, rtt[trips / 2], rtt[(int) (trips * 0.99)]};
    }
  }

  /** The next frame for the raw client; fails when none comes within its receive timeout. */
  private static byte[] reply(ZMQ.Socket client) {
    byte[] body = client.recv(0);
    if (body == null) {
      throw new IllegalStateException("raw side: nothing came back within 10 s");
    }
    return body;
  }

  private static void sendRequest(ZMQ.Socket client, String id) {
    Message m = Message.builder().id(id).to("server").sender("client").key("SMQ_REQUEST").value(ARGS)
        .extra("request", "ECHO").build();
    client.send("T".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
    client.send("server".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
    client.send(MessageCodec.encode(m), 0);
  }

  /** Decodes each request and answers it with an encoded reply, as a responder does. */
  private static void respond(ZMQ.Socket server, AtomicBoolean stop) {
    try {
      long n = 0;
      while (!stop.get()) {
        byte[] body = server.recv(0);
        if (body == null || body.length == 0) {
          continue;
        }
        Message req = MessageCodec.decode(body);
        Message reply = Message.builder().id("server_" + n++).to(req.sender()).sender("server").key("SMQ_REPLY")
            .value(req.value(Map.class)).extra("reply_to", req.id()).extra("ok", true).build();
        server.send("T".getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
        server.send(req.sender().getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE);
        server.send(MessageCodec.encode(reply), 0);
      }
    } catch (org.zeromq.ZMQException | java.nio.channels.ClosedSelectorException stopped) {
      // the context closed at the end of the run
    }
  }

  /** Forwards [from, addressed, to, body] to "to" as [to, body], without decoding; echoes pings. */
  private static void relay(ZMQ.Socket router, AtomicBoolean stop, AtomicInteger pings) {
    try {
      while (!stop.get()) {
        byte[] from = router.recv(0);
        if (from == null) {
          continue; // the receive timeout: look at stop
        }
        byte[][] frames = new byte[3][];
        int k = 0;
        while (router.hasReceiveMore()) {
          byte[] f = router.recv(0);
          if (k < 3) {
            frames[k] = f;
          }
          k++;
        }
        if (k == 1 && frames[0].length == 0) {
          router.send(from, ZMQ.SNDMORE);
          router.send(new byte[0], 0);
          pings.incrementAndGet();
          continue;
        }
        router.send(frames[1], ZMQ.SNDMORE);
        router.send(frames[2], 0);
      }
    } catch (org.zeromq.ZMQException | java.nio.channels.ClosedSelectorException e) {
      if (!stop.get()) { // not the end of the run: say why the client will wait in vain
        System.err.println("raw forwarder failed: " + e);
      }
    }
  }
}
