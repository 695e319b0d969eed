package io.stationmq.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.PeerStatus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * An endpoint's counters ({@link Endpoint#stats()}) and directory ({@link Endpoint#directory()})
 * as Micrometer meters, so that any Micrometer registry (Prometheus, JMX, ...) shows them.
 *
 * <p>Naming: each component of {@link EndpointStats} becomes {@code stationmq.NAME}, NAME being
 * the component's name with its words split by dots ({@code confirmsSent} becomes {@code
 * stationmq.confirms.sent}, which Prometheus shows as {@code stationmq_confirms_sent_total}).
 * Every component is a {@link FunctionCounter} (monotonic, counted since the endpoint started)
 * except {@code inFlight}, a {@link Gauge}. Every meter carries the tag {@code endpoint=ID}.
 * From the directory (a Station's peers): the gauge {@code stationmq.peers} per {@code status}
 * ({@code alive}, {@code suspect}, {@code dead}, {@code unknown}), and {@code
 * stationmq.peer.rtt} in seconds per {@code peer} that has a measured round trip, refreshed by
 * {@link #refresh()} (the {@link PrometheusEndpoint} calls it before each scrape).
 *
 * <p>Thread-safe. The meters read the endpoint when the registry asks; one snapshot of the
 * counters and one of the directory serve all meters of one read (a snapshot is reused for
 * {@value #SNAPSHOT_MILLIS} ms). After the endpoint closes they keep its last values; {@link
 * #unbind()} removes them. Binding the same endpoint id twice to one registry gives the first
 * binding's meters (Micrometer's rule for equal names and tags).
 */
public final class StationmqMetrics implements MeterBinder {
  /** How long one snapshot of the counters or directory serves the meters, in milliseconds. */
  static final long SNAPSHOT_MILLIS = 100;

  /** The components of {@link EndpointStats} that are gauges; all others are counters. */
  static final Set<String> GAUGES = Set.of("inFlight");

  private final Endpoint endpoint;
  private final Snapshot<EndpointStats> stats;
  private final Snapshot<List<DirectoryEntry>> directory;
  private final List<Meter> meters = new ArrayList<>();
  private final List<MeterRegistry> registries = new ArrayList<>();
  private final List<MultiGauge> rtts = new ArrayList<>();

  private StationmqMetrics(Endpoint endpoint) {
    this.endpoint = endpoint;
    this.stats = new Snapshot<>(endpoint::stats, SNAPSHOT_MILLIS);
    this.directory = new Snapshot<>(endpoint::directory, SNAPSHOT_MILLIS);
  }

  /** A binder for {@code endpoint}, to bind with {@link #bindTo(MeterRegistry)}. */
  public static StationmqMetrics of(Endpoint endpoint) {
    if (endpoint == null) {
      throw new IllegalArgumentException("endpoint is null");
    }
    return new StationmqMetrics(endpoint);
  }

  /** Binds {@code endpoint}'s meters to {@code registry}; returns the binder (for {@link #unbind()}). */
  public static StationmqMetrics bind(Endpoint endpoint, MeterRegistry registry) {
    StationmqMetrics metrics = of(endpoint);
    metrics.bindTo(registry);
    return metrics;
  }

  /** The Micrometer name of an {@link EndpointStats} component: {@code confirmsSent} to {@code stationmq.confirms.sent}. */
  public static String meterName(String component) {
    return "stationmq." + component.replaceAll("([a-z0-9])([A-Z])", "$1.$2").toLowerCase(Locale.ROOT);
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Tags tags = Tags.of("endpoint", endpoint.id());
    for (RecordComponent c : EndpointStats.class.getRecordComponents()) {
      ToDoubleFunction<Snapshot<EndpointStats>> read = s -> value(c, s.get());
      String name = meterName(c.getName());
      if (GAUGES.contains(c.getName())) {
        meters.add(Gauge.builder(name, stats, read).tags(tags).strongReference(true)
            .description("EndpointStats." + c.getName() + " (a gauge)").register(registry));
      } else {
        meters.add(FunctionCounter.builder(name, stats, read).tags(tags)
            .description("EndpointStats." + c.getName() + " (since the endpoint started)").register(registry));
      }
    }
    for (PeerStatus status : PeerStatus.values()) {
      meters.add(Gauge.builder("stationmq.peers", directory, d -> d.get().stream().filter(e -> e.status() == status).count())
          .tags(tags.and("status", status.name().toLowerCase(Locale.ROOT))).strongReference(true)
          .description("Peers in the endpoint's directory with this status").register(registry));
    }
    rtts.add(MultiGauge.builder("stationmq.peer.rtt").tags(tags).baseUnit("seconds")
        .description("A peer's last measured round trip to the endpoint").register(registry));
    registries.add(registry);
    refresh();
  }

  /**
   * Brings {@code stationmq.peer.rtt} up to date with the directory: a gauge per peer with a
   * measured round trip, none for peers gone since. Cheap (one directory snapshot).
   */
  public synchronized void refresh() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (DirectoryEntry e : directory.get()) {
      if (e.rttMicros() >= 0) {
        rows.add(MultiGauge.Row.of(Tags.of("peer", e.id()), e.rttMicros() / 1e6));
      }
    }
    for (MultiGauge rtt : rtts) {
      rtt.register(rows, true);
    }
  }

  /** Removes this binder's meters from every registry they were bound to. Idempotent. */
  public synchronized void unbind() {
    for (MultiGauge rtt : rtts) {
      rtt.register(List.of(), true);
    }
    for (MeterRegistry registry : registries) {
      meters.forEach(registry::remove);
    }
    meters.clear();
    rtts.clear();
    registries.clear();
  }

  private static double value(RecordComponent c, EndpointStats s) {
    try {
      return ((Number) c.getAccessor().invoke(s)).doubleValue();
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read EndpointStats." + c.getName(), e);
    }
  }
}
