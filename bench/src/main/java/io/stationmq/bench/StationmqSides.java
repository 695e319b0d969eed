package io.stationmq.bench;

import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The stationmq side of each scenario: NetNodes and a Station on loopback with default
 * {@link io.stationmq.netnode.EndpointOptions}, built fresh for each run and closed after it.
 */
final class StationmqSides {
  static final String A = "node_a";
  static final String B = "node_b";
  static final String S = "S";

  /** How long a round trip may take before it counts as lost; a run gives up after {@link #MAX_LOST}. */
  static final int REPLY_TIMEOUT_SECONDS = 5;
  static final int MAX_LOST = 3;

  private StationmqSides() {}

  /**
   * {@code side}, then a check that every stationmq thread ended within a second of closing
   * (a leftover thread is listed as a problem of the run).
   */
  static Scenario.Side checked(Scenario.Side side) {
    return (settings, warmup) -> thenCheckThreads(side.run(settings, warmup));
  }

  /** Scenario 1: {@code A.send} to B's router, counted in B's listen. */
  static Sample direct(Settings s, boolean unusedWarmup) throws Exception {
    AtomicLong received = new AtomicLong();
    List<String> problems = new ArrayList<>();
    try (NetNode b = receiverWithRouter(received);
        NetNode a = nodeUnder(b.routerPort(), b.id(), () -> b.stats().received())) {
      return unconfirmed(s, a, received, problems, a, b);
    }
  }

  /** Scenario 2: {@code A.sendConfirmed} to B's router with a window, counted at completion. */
  static Sample directConfirmed(Settings s, boolean unusedWarmup) throws Exception {
    List<String> problems = new ArrayList<>();
    try (NetNode b = receiverWithRouter(new AtomicLong());
        NetNode a = nodeUnder(b.routerPort(), b.id(), () -> b.stats().received())) {
      return confirmed(s, a, problems, a, b);
    }
  }

  /** Scenario 3: A sends to B through Station S, unconfirmed. */
  static Sample viaStation(Settings s, boolean unusedWarmup) throws Exception {
    AtomicLong received = new AtomicLong();
    List<String> problems = new ArrayList<>();
    try (Station st = station();
        NetNode b = nodeUnder(st, NetNode.builder().id(B).listen(Payload.KEY, m -> received.incrementAndGet()));
        NetNode a = nodeUnder(st, NetNode.builder().id(A))) {
      return unconfirmed(s, a, received, problems, a, st, b);
    }
  }

  /** Scenario 4: A sends to B through Station S, confirmed with a window. */
  static Sample viaStationConfirmed(Settings s, boolean unusedWarmup) throws Exception {
    return viaStationConfirmed(s, EndpointOptions.defaults(), EndpointOptions.defaults());
  }

  /** Scenario 4 with A (the sender) and B (the receiver) built with the options given. */
  static Sample viaStationConfirmed(Settings s, EndpointOptions aOptions, EndpointOptions bOptions) throws Exception {
    List<String> problems = new ArrayList<>();
    try (Station st = station();
        NetNode b = nodeUnder(st, NetNode.builder().id(B).options(bOptions).listen(Payload.KEY, m -> { }));
        NetNode a = nodeUnder(st, NetNode.builder().id(A).options(aOptions))) {
      return confirmed(s, a, problems, a, st, b);
    }
  }

  /**
   * Scenario 5: A sends a request to B through S; B's listen replies to A; A's listen records
   * the round trip and lets the next request go. One request in flight, all unconfirmed. The
   * first {@link Settings#settleRoundTrips()} are not timed.
   */
  static Sample roundTrip(Settings s, boolean warmup) throws Exception {
    int settle = s.settleRoundTrips();
    int total = settle + s.roundTrips(warmup);
    long[] rtt = new long[total];
    AtomicInteger recorded = new AtomicInteger();
    AtomicLong sentAt = new AtomicLong();
    Semaphore replied = new Semaphore(0);
    List<String> problems = new ArrayList<>();
    try (Station st = station();
        NetNode b = nodeUnder(st, NetNode.builder().id(B));
        NetNode a = nodeUnder(st, NetNode.builder().id(A).listen(Payload.REPLY, m -> {
          long t = System.nanoTime() - sentAt.get();
          int i = recorded.get();
          if (i < total) {
            rtt[i] = t;
            recorded.set(i + 1); // one listen thread: messages of one sender and key run in order
          }
          replied.release();
        }))) {
      b.on(Payload.KEY, m -> b.send(m.sender(), Payload.REPLY, Payload.VALUE));
      int lost = 0;
      long cpu = 0;
      for (int i = 0; i < total; i++) {
        if (i == settle) {
          cpu = -Measure.processCpuNanos();
        }
        sentAt.set(System.nanoTime());
        a.send(a.message(B, Payload.KEY, Payload.VALUE).build());
        if (!replied.tryAcquire(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS) && ++lost >= MAX_LOST) {
          throw new IllegalStateException(lost + " round trips got no reply within " + REPLY_TIMEOUT_SECONDS
              + " s; stats: A " + a.stats() + ", S " + st.stats() + ", B " + b.stats());
        }
      }
      cpu += Measure.processCpuNanos();
      if (lost > 0) {
        problems.add(lost + " round trips got no reply within " + REPLY_TIMEOUT_SECONDS + " s");
      }
      checkStats(problems, a, st, b);
      int count = recorded.get();
      return Sample.of(Measure.percentilesMicros(rtt, settle, count), Measure.cpuMicrosPer(cpu, count - settle),
          problems);
    }
  }

  // ------------------------------------------------------------------ shared parts

  private static Sample unconfirmed(Settings s, NetNode a, AtomicLong received, List<String> problems,
      Endpoint... all) throws Exception {
    Measure.Rate rate;
    try (Loop.Group loops = new Loop.Group()) {
      loops.add(Loop.start("bench-stationmq-sender", loop -> {
        long sent = 0;
        while (loop.awaitCredit(sent, received::get, s.unconfirmedWindow())) {
          a.send(a.message(B, Payload.KEY, Payload.VALUE).build());
          sent++;
        }
      }));
      rate = Measure.rate(received::get, s);
    }
    checkStats(problems, all);
    return Sample.of(rate, problems);
  }

  private static Sample confirmed(Settings s, NetNode a, List<String> problems,
      Endpoint... all) throws Exception {
    Semaphore window = new Semaphore(s.confirmWindow());
    AtomicLong completed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Measure.Rate rate;
    try (Loop.Group loops = new Loop.Group()) {
      loops.add(Loop.start("bench-stationmq-sender", loop -> {
        while (loop.running()) {
          if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            continue;
          }
          a.sendConfirmed(a.message(B, Payload.KEY, Payload.VALUE).build()).whenComplete((r, e) -> {
            (e == null ? completed : failed).incrementAndGet();
            window.release();
          });
        }
      }));
      rate = Measure.rate(completed::get, s);
    }
    if (failed.get() > 0) {
      problems.add(failed.get() + " confirmed sends failed");
    }
    checkStats(problems, all);
    return Sample.of(rate, problems);
  }

  private static NetNode receiverWithRouter(AtomicLong received) {
    return NetNode.builder().id(B).routerPort(0).routerAddress("127.0.0.1")
        .listen(Payload.KEY, m -> received.incrementAndGet()).build();
  }

  private static Station station() {
    return Station.builder().id(S).bindAddress("127.0.0.1").build();
  }

  /** Builds a node under {@code upstream} and waits until its ping reached it. */
  private static NetNode nodeUnder(Station upstream, NetNode.Builder builder) throws InterruptedException {
    builder.upstream("127.0.0.1", upstream.port(), upstream.id());
    NetNode n = builder.build();
    Measure.await(n.id() + " listed at " + upstream.id(),
        () -> upstream.directory().stream().anyMatch(e -> e.id().equals(n.id())));
    return n;
  }

  /** Builds node A connected to a node's router and waits until its ping reached it. */
  private static NetNode nodeUnder(int port, String upstreamId, LongSupplier upstreamReceived)
      throws InterruptedException {
    long before = upstreamReceived.getAsLong();
    NetNode n = NetNode.builder().id(A).upstream("127.0.0.1", port, upstreamId).build();
    Measure.await(A + "'s ping at " + upstreamId, () -> upstreamReceived.getAsLong() > before);
    return n;
  }

  /** Notes counters that should have stayed at zero. */
  private static void checkStats(List<String> problems, Endpoint... endpoints) {
    for (Endpoint e : endpoints) {
      EndpointStats st = e.stats();
      long bad = st.dropped() + st.unreachable() + st.malformed() + st.handlerErrors() + st.ttlExpired();
      if (bad > 0 || st.repeated() > 0) {
        problems.add(e.id() + ": dropped " + st.dropped() + ", unreachable " + st.unreachable()
            + ", malformed " + st.malformed() + ", handlerErrors " + st.handlerErrors()
            + ", ttlExpired " + st.ttlExpired() + ", repeated " + st.repeated() + ", duplicates " + st.duplicates());
      }
    }
  }

  /** Adds a problem to a sample when stationmq threads are still alive a second after everything closed. */
  private static Sample thenCheckThreads(Sample sample) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (true) {
      List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
          .map(Thread::getName).filter(n -> n.startsWith("stationmq-")).sorted().toList();
      if (left.isEmpty()) {
        return sample;
      }
      if (System.nanoTime() > deadline) {
        return sample.withProblem("threads left 1 s after close: " + left);
      }
      Thread.sleep(20);
    }
  }
}
