package io.stationmq.bench;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.MessageIds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The raw JeroMQ side of each scenario: the same paths, frames and per-message JSON work
 * ({@link Payload#body} to encode, {@link MessageCodec#decode} at every receiver) with
 * nothing else: no queues between threads, no repeats, no de-duplication. Each peer has its
 * own context (own I/O thread), as each stationmq endpoint has.
 */
final class RawSides {
  private static final String A = StationmqSides.A;
  private static final String B = StationmqSides.B;
  private static final String S = StationmqSides.S;
  private static final byte[] A_ID = Payload.frame(A);
  private static final byte[] B_ID = Payload.frame(B);
  private static final byte[] S_ID = Payload.frame(S);

  private RawSides() {}

  /** Scenario 1: DEALER sends {@code [B, B, body]} to a ROUTER that decodes every body. */
  static Sample direct(Settings s, boolean unusedWarmup) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    AtomicLong received = new AtomicLong();
    try (Loop.Group loops = new Loop.Group()) {
      loops.add(Loop.start("bench-raw-receiver", loop -> {
        try (ZContext context = new ZContext(1)) {
          ZMQ.Socket router = RawNet.socket(context, SocketType.ROUTER, B);
          port.complete(RawNet.bind(router));
          while (loop.running()) {
            List<byte[]> frames = RawNet.receive(router, 0);
            if (frames == null) {
              continue;
            }
            if (RawNet.isPing(frames)) {
              RawNet.send(router, frames);
              continue;
            }
            MessageCodec.decode(RawNet.body(frames));
            received.incrementAndGet();
          }
        }
      }));
      awaitReady(loops.add(unconfirmedSender(s, port, received, B_ID)));
      return Sample.of(Measure.rate(received::get, s), List.of());
    }
  }

  /**
   * Scenario 2: DEALER sends, ROUTER decodes and replies a CONFIRM ({@code [A, A, ack]}, as a
   * NetNode's router does), DEALER decodes the ack; a window of messages in flight.
   */
  static Sample directConfirmed(Settings s, boolean unusedWarmup) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    AtomicLong completed = new AtomicLong();
    AtomicLong lost = new AtomicLong();
    try (Loop.Group loops = new Loop.Group()) {
      loops.add(Loop.start("bench-raw-receiver", loop -> {
        MessageIds ids = new MessageIds(B);
        try (ZContext context = new ZContext(1)) {
          ZMQ.Socket router = RawNet.socket(context, SocketType.ROUTER, B);
          port.complete(RawNet.bind(router));
          while (loop.running()) {
            List<byte[]> frames = RawNet.receive(router, 0);
            if (frames == null) {
              continue;
            }
            if (RawNet.isPing(frames)) {
              RawNet.send(router, frames);
              continue;
            }
            Message m = MessageCodec.decode(RawNet.body(frames));
            byte[] ack = Payload.confirmOf(m, ids, B);
            if (!RawNet.trySend(router, frames.get(0), frames.get(0), ack)) {
              lost.incrementAndGet();
            }
          }
        }
      }));
      awaitReady(loops.add(confirmedSender(s, port, completed, B_ID)));
      Measure.Rate rate = Measure.rate(completed::get, s);
      return Sample.of(rate, lostProblems(lost));
    }
  }

  /** Scenario 3: DEALER to a forwarding ROUTER to a DEALER that decodes every body. */
  static Sample viaStation(Settings s, boolean unusedWarmup) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    CompletableFuture<Void> bReady = new CompletableFuture<>();
    AtomicLong received = new AtomicLong();
    AtomicLong lost = new AtomicLong();
    try (Loop.Group loops = new Loop.Group()) {
      loops.add(RawNet.forwarder(S, port, lost));
      loops.add(Loop.start("bench-raw-receiver", loop -> {
        try (ZContext context = new ZContext(1)) {
          ZMQ.Socket dealer = RawNet.socket(context, SocketType.DEALER, B);
          RawNet.connect(dealer, port);
          RawNet.ping(dealer);
          bReady.complete(null);
          while (loop.running()) {
            List<byte[]> frames = RawNet.receive(dealer, 0);
            if (frames != null) {
              MessageCodec.decode(RawNet.body(frames));
              received.incrementAndGet();
            }
          }
        }
      }));
      bReady.get(15, TimeUnit.SECONDS);
      awaitReady(loops.add(unconfirmedSender(s, port, received, S_ID)));
      return Sample.of(Measure.rate(received::get, s), lostProblems(lost));
    }
  }

  /**
   * Scenario 4: DEALER to a forwarding ROUTER to a DEALER that decodes and replies an encoded
   * CONFIRM back through the forwarder; the sender decodes the ack; a window in flight.
   */
  static Sample viaStationConfirmed(Settings s, boolean unusedWarmup) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    CompletableFuture<Void> bReady = new CompletableFuture<>();
    AtomicLong completed = new AtomicLong();
    AtomicLong lost = new AtomicLong();
    try (Loop.Group loops = new Loop.Group()) {
      loops.add(RawNet.forwarder(S, port, lost));
      loops.add(replier(port, bReady, false));
      bReady.get(15, TimeUnit.SECONDS);
      awaitReady(loops.add(confirmedSender(s, port, completed, S_ID)));
      return Sample.of(Measure.rate(completed::get, s), lostProblems(lost));
    }
  }

  /**
   * Scenario 5: A sends a request through the forwarder to B, B decodes it and replies an
   * encoded message with the same value, A decodes the reply; one request in flight. A runs on
   * the calling thread, which owns A's socket. The first {@link Settings#settleRoundTrips()}
   * are not timed.
   */
  static Sample roundTrip(Settings s, boolean warmup) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    CompletableFuture<Void> bReady = new CompletableFuture<>();
    AtomicLong lost = new AtomicLong();
    int settle = s.settleRoundTrips();
    int total = settle + s.roundTrips(warmup);
    long[] rtt = new long[total];
    int count = 0;
    int timeouts = 0;
    long cpu = 0;
    try (Loop.Group loops = new Loop.Group(); ZContext context = new ZContext(1)) {
      loops.add(RawNet.forwarder(S, port, lost));
      loops.add(replier(port, bReady, true));
      bReady.get(15, TimeUnit.SECONDS);
      ZMQ.Socket dealer = RawNet.socket(context, SocketType.DEALER, A);
      RawNet.connect(dealer, port);
      RawNet.ping(dealer);
      MessageIds ids = new MessageIds(A);
      for (int i = 0; i < total; i++) {
        if (i == settle) {
          cpu = -Measure.processCpuNanos();
        }
        long t0 = System.nanoTime();
        RawNet.send(dealer, S_ID, B_ID, Payload.body(ids, A, B, Payload.KEY, true));
        List<byte[]> reply = receiveWithin(dealer, TimeUnit.SECONDS.toMillis(StationmqSides.REPLY_TIMEOUT_SECONDS));
        if (reply == null) {
          if (++timeouts >= StationmqSides.MAX_LOST) {
            throw new IllegalStateException(timeouts + " round trips got no reply");
          }
          continue;
        }
        MessageCodec.decode(RawNet.body(reply));
        rtt[count++] = System.nanoTime() - t0;
      }
      cpu += Measure.processCpuNanos();
    }
    List<String> problems = new ArrayList<>(lostProblems(lost));
    if (timeouts > 0) {
      problems.add(timeouts + " round trips got no reply within " + StationmqSides.REPLY_TIMEOUT_SECONDS + " s");
    }
    int timed = Math.min(count, total - settle);
    return Sample.of(Measure.percentilesMicros(rtt, count - timed, count), Measure.cpuMicrosPer(cpu, timed), problems);
  }

  // ------------------------------------------------------------------ shared parts

  /**
   * A DEALER (identity A) sending {@code [first, B, body]} as fast as the window of
   * unreceived messages allows; {@code first} is B itself (direct) or the Station.
   */
  private static Loop unconfirmedSender(Settings s, CompletableFuture<Integer> port, AtomicLong received,
      byte[] first) {
    return Loop.start("bench-raw-sender", loop -> {
      MessageIds ids = new MessageIds(A);
      try (ZContext context = new ZContext(1)) {
        ZMQ.Socket dealer = RawNet.socket(context, SocketType.DEALER, A);
        RawNet.connect(dealer, port);
        RawNet.ping(dealer);
        loop.ready();
        long sent = 0;
        while (loop.awaitCredit(sent, received::get, s.unconfirmedWindow())) {
          if (RawNet.send(dealer, first, B_ID, Payload.body(ids, A, B, Payload.KEY, true))) {
            sent++;
          }
        }
      }
    });
  }

  /**
   * A DEALER (identity A) keeping up to the window of messages in flight: sends while there
   * is room, else waits for acks and decodes every one; counts them in {@code completed}.
   */
  private static Loop confirmedSender(Settings s, CompletableFuture<Integer> port, AtomicLong completed,
      byte[] first) {
    return Loop.start("bench-raw-sender", loop -> {
      MessageIds ids = new MessageIds(A);
      try (ZContext context = new ZContext(1)) {
        ZMQ.Socket dealer = RawNet.socket(context, SocketType.DEALER, A);
        RawNet.connect(dealer, port);
        RawNet.ping(dealer);
        loop.ready();
        int inFlight = 0;
        while (loop.running()) {
          if (inFlight < s.confirmWindow()) {
            if (RawNet.send(dealer, first, B_ID, Payload.body(ids, A, B, Payload.KEY, false))) {
              inFlight++;
            }
            continue;
          }
          // The window is full: wait for one ack, then take every ack already there.
          int flags = 0;
          List<byte[]> ack;
          while ((ack = RawNet.receive(dealer, flags)) != null) {
            Message confirm = MessageCodec.decode(RawNet.body(ack));
            if (confirm.key().equals("CONFIRM")) {
              inFlight--;
              completed.incrementAndGet();
            }
            flags = ZMQ.DONTWAIT;
          }
        }
      }
    });
  }

  /**
   * A DEALER (identity B) under the forwarder that decodes each message and replies to its
   * sender through the forwarder: a CONFIRM, or ({@code echo}) a message with the same value.
   */
  private static Loop replier(CompletableFuture<Integer> port, CompletableFuture<Void> ready, boolean echo) {
    return Loop.start("bench-raw-receiver", loop -> {
      MessageIds ids = new MessageIds(B);
      try (ZContext context = new ZContext(1)) {
        ZMQ.Socket dealer = RawNet.socket(context, SocketType.DEALER, B);
        RawNet.connect(dealer, port);
        RawNet.ping(dealer);
        ready.complete(null);
        while (loop.running()) {
          List<byte[]> frames = RawNet.receive(dealer, 0);
          if (frames == null) {
            continue;
          }
          Message m = MessageCodec.decode(RawNet.body(frames));
          byte[] reply = echo
              ? Payload.body(ids, B, m.sender(), Payload.REPLY, true)
              : Payload.confirmOf(m, ids, B);
          RawNet.send(dealer, S_ID, Payload.frame(m.sender()), reply);
        }
      }
    });
  }

  /** Waits until a sender has connected and its ping came back, so the run measures sending only. */
  private static void awaitReady(Loop sender) throws Exception {
    sender.awaitReady(15, TimeUnit.SECONDS);
  }

  /** Receives waiting up to {@code millis} (in receive-timeout steps); null when nothing came. */
  private static List<byte[]> receiveWithin(ZMQ.Socket socket, long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    do {
      List<byte[]> frames = RawNet.receive(socket, 0);
      if (frames != null) {
        return frames;
      }
    } while (System.nanoTime() < deadline);
    return null;
  }

  private static List<String> lostProblems(AtomicLong lost) {
    return lost.get() == 0 ? List.of() : List.of(lost.get() + " messages could not be forwarded or replied");
  }
}
