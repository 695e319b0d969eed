package io.stationmq.examples;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.Station;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A hardware controller: a {@link NetNode} under its rig's Station. It reports STATE {@code
 * READY} to the terminal, obeys {@code START}, {@code STOP} and {@code PARAM} ({@code {"gain": x}}),
 * and while started samples a simulated sensor at a fixed rate into a {@link SampleStream}, which
 * sends the samples to the terminal, through the rig, in {@code STREAM} batches under key {@code SENSOR}.
 *
 * <p>Run: {@code java -cp cli/target/stationmq.jar io.stationmq.examples.HardwareController [rigPort [seconds]]}
 * (the jar {@code ./stationmq} builds),
 * for 3 s under rig {@code rig_1} and terminal {@code T}. Without a port it starts a terminal and a
 * rig of its own, and the terminal sets the gain and starts it once it is READY.
 */
public final class HardwareController {
  private HardwareController() {}

  /** A reading: a timestamp (seconds since the epoch, as Python's {@code time.time()}) and three channels. */
  public record Sample(double timestamp, double ch0, double ch1, double ch2) {}

  /** What a run did: samples pushed, and the commands received in order. */
  public record Result(long pushed, List<String> commands) {}

  /** Runs controller {@code id} under {@code rigId} for {@code duration}, sampling at {@code rateHz} when started. */
  public static Result run(String id, String rigHost, int rigPort, String rigId, String terminalId, int rateHz,
      Duration duration) throws Exception {
    AtomicBoolean started = new AtomicBoolean();
    AtomicReference<Double> gain = new AtomicReference<>(1.0);
    List<String> commands = new CopyOnWriteArrayList<>();
    try (NetNode node = NetNode.builder().id(id).upstream(rigHost, rigPort, rigId)
        .listen("START", m -> { commands.add("START"); started.set(true); })
        .listen("STOP", m -> { commands.add("STOP"); started.set(false); })
        .listen("PARAM", m -> commands.add(
            "PARAM gain=" + gain.updateAndGet(g -> m.valueNode().path("gain").asDouble(g))))
        .build()) {
      SampleStream sensor = node.getStream("sensor", "SENSOR",
          StreamOptions.builder().to(terminalId).pilot(rigId).batchSize(25).maxDelay(Duration.ofMillis(50)).build());
      node.sendConfirmed(terminalId, "STATE", "READY").get(10, TimeUnit.SECONDS);
      long period = TimeUnit.SECONDS.toNanos(1) / rateHz;
      long end = System.nanoTime() + duration.toNanos();
      long pushed = 0;
      for (long next = System.nanoTime() + period; next < end; next += period) {
        LockSupport.parkNanos(next - System.nanoTime()); // a fixed rate: wait for each sampling deadline
        if (started.get()) {
          double t = System.currentTimeMillis() / 1000.0;
          double g = gain.get();
          sensor.push(new Sample(t, g * Math.sin(t), g * Math.cos(t), g * ThreadLocalRandom.current().nextGaussian()));
          pushed++;
        }
      }
      sensor.close(); // sends what is still queued
      return new Result(pushed, List.copyOf(commands));
    }
  }

  public static void main(String[] args) throws Exception {
    Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3);
    if (args.length > 0) {
      System.out.println(run("ctrl_1", "127.0.0.1", Integer.parseInt(args[0]), "rig_1", "T", 200, duration));
      return;
    }
    TerminalAgent.Inbox inbox = new TerminalAgent.Inbox();
    try (Station terminal = TerminalAgent.start("T", "127.0.0.1", 0, inbox);
         Station rig = RigAgent.start("rig_1", "127.0.0.1", 0, "127.0.0.1", terminal.port(), "T")) {
      terminal.on("STATE", m -> { // a controller is READY: set its gain and start it, along a path through its rig
        terminal.sendConfirmed(
            terminal.message(m.sender(), "PARAM", Map.of("gain", 2.0)).path("rig_1", m.sender()).build());
        terminal.sendConfirmed(terminal.message(m.sender(), "START", null).path("rig_1", m.sender()).build());
      });
      System.out.println(run("ctrl_1", "127.0.0.1", rig.port(), "rig_1", "T", 200, duration));
      System.out.println("samples received by T so far: " + inbox.samples().get());
    }
  }
}
