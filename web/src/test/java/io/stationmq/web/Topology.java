package io.stationmq.web;

import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small demo-like network on loopback with short heartbeats (100 ms, gone after 5 silent
 * intervals): Station {@code T} with node {@code desk} and child Station {@code rig_1}, which has
 * controllers {@code ctrl_a} and {@code ctrl_b}; {@code ctrl_a} streams samples to {@code T}.
 */
final class Topology implements AutoCloseable {
  static final Duration HEARTBEAT = Duration.ofMillis(100);
  static final int TOLERANCE = 5;

  final RecentEvents events = RecentEvents.create();
  final Station terminal;
  final Station rig;
  final NetNode desk;
  final NetNode ctrlA;
  final NetNode ctrlB;
  private final List<AutoCloseable> open = new ArrayList<>();

  Topology() {
    EndpointOptions options = EndpointOptions.builder().workers(2).heartbeatInterval(HEARTBEAT)
        .livenessTolerance(TOLERANCE).build();
    terminal = track(Station.builder().id("T").bindAddress("127.0.0.1")
        .options(options.toBuilder().listener(events).build()).listen("DATA", m -> { }).build());
    terminal.onBatch("SENSOR", batch -> { });
    rig = track(Station.builder().id("rig_1").bindAddress("127.0.0.1").options(options)
        .upstream("127.0.0.1", terminal.port(), "T").build());
    desk = track(NetNode.builder().id("desk").upstream("127.0.0.1", terminal.port(), "T").options(options).build());
    ctrlA = track(NetNode.builder().id("ctrl_a").upstream("127.0.0.1", rig.port(), "rig_1").options(options).build());
    ctrlB = track(NetNode.builder().id("ctrl_b").upstream("127.0.0.1", rig.port(), "rig_1").options(options).build());
    Await.registered(terminal, "rig_1");
    Await.registered(terminal, "desk");
    Await.registered(rig, "ctrl_a");
    Await.registered(rig, "ctrl_b");
  }

  /** Streams {@code samples} samples from {@code ctrl_a} to {@code T}. */
  void stream(int samples) {
    try (var s = ctrlA.getStream("sensor", "SENSOR", StreamOptions.builder().to("T").build())) {
      for (int i = 0; i < samples; i++) {
        s.push(i);
      }
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  @Override
  public void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
