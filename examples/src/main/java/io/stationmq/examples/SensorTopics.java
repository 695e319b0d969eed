package io.stationmq.examples;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Topics across a Station tree: a thermometer under rig {@code rig_t} declares and publishes
 * {@code rig_t.temp}; a logger directly under the terminal takes every value, a display takes
 * only the newest ({@code subscribeLatest}), and two workers share {@code rig_t.jobs} as a
 * group; then the terminal broadcasts {@code STOPALL} to every node below it.
 *
 * <p>Run: {@code java -cp cli/target/stationmq.jar io.stationmq.examples.SensorTopics} (it starts a
 * {@link TerminalAgent} {@code T} of its own on loopback: the broadcast needs the terminal's
 * Station object).
 */
public final class SensorTopics {
  private SensorTopics() {}

  /** What each subscriber got. */
  public record Result(List<Double> logged, List<Double> displayed, Map<String, List<Integer>> jobs,
      List<String> stopped) {}

  /** Builds the rig, the nodes and the subscriptions below terminal {@code terminal}, publishes, broadcasts. */
  public static Result run(Station terminal, int values, Duration timeout) throws Exception {
    List<Double> logged = new CopyOnWriteArrayList<>();
    List<Double> displayed = new CopyOnWriteArrayList<>();
    Map<String, List<Integer>> jobs = Map.of("worker_1", new CopyOnWriteArrayList<>(), "worker_2",
        new CopyOnWriteArrayList<>());
    List<String> stopped = new CopyOnWriteArrayList<>();
    try (Station rig = RigAgent.start("rig_t", "127.0.0.1", 0, "127.0.0.1", terminal.port(), terminal.id());
         NetNode thermo = node("thermo", rig.port(), "rig_t", stopped);
         NetNode logger = node("logger", terminal.port(), terminal.id(), stopped);
         NetNode display = node("display", rig.port(), "rig_t", stopped);
         NetNode worker1 = node("worker_1", terminal.port(), terminal.id(), stopped);
         NetNode worker2 = node("worker_2", rig.port(), "rig_t", stopped)) {
      thermo.topics().declare("rig_t.temp", "float", "bath temperature, degrees C");
      logger.topics().subscribe("rig_t.*", m -> logged.add(m.value(Double.class)));
      display.topics().subscribeLatest("rig_t.temp", m -> displayed.add(m.value(Double.class)));
      for (NetNode w : List.of(worker1, worker2)) {
        w.topics().subscribe("rig_t.jobs", "workers", m -> jobs.get(w.id()).add(m.value(Integer.class)));
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (terminal.topics().subscribers("rig_t.temp") < 1 || terminal.topics().subscribers("rig_t.jobs") < 3) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("subscriptions did not reach the terminal within " + timeout);
        }
        Thread.sleep(10); // subscriptions travel up in the background
      }
      for (int i = 0; i < values; i++) {
        thermo.topics().publish("rig_t.temp", 36.0 + i / 10.0);
        thermo.topics().publish("rig_t.jobs", i).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      terminal.broadcast("STOPALL", "end of session");
      double newest = 36.0 + (values - 1) / 10.0;
      while ((logged.size() < 2 * values || stopped.size() < 5 || displayed.isEmpty()
          || displayed.get(displayed.size() - 1) != newest) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      System.out.printf("logged %d values, display showed %d, jobs %s, STOPALL heard by %s%n", logged.size(),
          displayed.size(), Map.of("worker_1", jobs.get("worker_1").size(), "worker_2", jobs.get("worker_2").size()),
          stopped);
      return new Result(logged, displayed, jobs, stopped);
    }
  }

  private static NetNode node(String id, int port, String upstreamId, List<String> stopped) {
    return NetNode.builder().id(id).upstream("127.0.0.1", port, upstreamId).listen("STOPALL", m -> stopped.add(id))
        .build();
  }

  public static void main(String[] args) throws Exception {
    try (Station terminal = TerminalAgent.start("T", "127.0.0.1", 0, new TerminalAgent.Inbox())) {
      run(terminal, 20, Duration.ofSeconds(10));
    }
  }
}
