package io.stationmq.cli;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stationmq.metrics.PrometheusEndpoint;
import io.stationmq.metrics.StationmqMetrics;
import io.stationmq.netnode.Station;
import io.stationmq.station.StationMain;
import io.stationmq.web.RecentEvents;
import io.stationmq.web.WebView;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stationmq station}: runs a Station in the foreground. */
@Command(name = "station", mixinStandardHelpOptions = true, defaultValueProvider = ConfigFile.class,
    header = "Runs a Station in the foreground.",
    description = "Runs a Station until Ctrl-C, SIGTERM or a KILL message from an admin (--admin, connected "
        + "directly) or from its upstream. Prints 'listening on tcp://HOST:PORT as ID' when ready, "
        + "then on standard error what it exposes, then one line per node joining, leaving or "
        + "refused, and per change of its upstream. A bind that fails (an address this machine does "
        + "not have, a port in use) exits 1 with the reason. --config FILE reads any option from a "
        + "properties file (port=5560, admin=ops,backup, secure=true); the command line overrides it. "
        + "--metrics-port serves the Station's counters for Prometheus at http://ADDR:PORT/metrics; "
        + "--web-port serves a live view of the network below it at http://ADDR:PORT/ (and the same metrics at /metrics).",
    footerHeading = "%nSecurity:%n",
    footer = {"Without --secure a Station has no encryption or authentication: anyone who can reach its "
        + "port can connect under any id (an admin's too), send to it and through it to every peer, "
        + "and read its DIRECTORY and INFO. The default --bind * listens on every interface. To "
        + "restrict it: --bind 127.0.0.1 (or one trusted interface) and a firewall; --admin ID for "
        + "who may KILL it. Without --admin or --upstream nothing on the network can stop it, only "
        + "a signal.",
        "--secure --keys DIR turns CURVE on. It reads the Station's key pair from "
        + "DIR/station.key_secret (make it with 'stationmq keygen station --dir DIR'), the allowlist DIR/allowed/ (clients' "
        + "public NAME.key certificates, re-read on change), DIR/upstream.key with --upstream, and "
        + "admins' public certificates in DIR/admins/ (KILL by key)."})
final class StationCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--id", required = true, paramLabel = "ID", description = "The Station's id.")
  String id;

  @Option(names = "--port", required = true, paramLabel = "PORT", description = "The port to listen on, 0..65535 (0: any free port).")
  long port;

  @Option(names = "--bind", defaultValue = "*", paramLabel = "ADDR",
      description = "The address to bind (default: all interfaces; 127.0.0.1 keeps it to this machine).")
  String bind;

  @Option(names = "--upstream", paramLabel = "HOST:PORT", description = "A parent Station to connect a pusher to (it may KILL this one).")
  String upstream;

  @Option(names = "--upstream-id", paramLabel = "ID", description = "The parent Station's id.")
  String upstreamId;

  @Option(names = "--discover", paramLabel = "NETWORK",
      description = "Find the parent Station by its beacon on the LAN network NETWORK (with --upstream-id: that "
          + "Station; without: the first that announces). With --upstream too, that address is tried after the beacons.")
  String discover;

  @Option(names = "--announce", paramLabel = "NETWORK",
      description = "Announce this Station on the LAN network NETWORK: a UDP broadcast beacon every second, so nodes "
          + "started with --discover NETWORK find it.")
  String announce;

  @Option(names = "--discovery-port", paramLabel = "PORT", defaultValue = "5571",
      description = "The UDP port of discovery beacons (default: 5571).")
  long discoveryPort;

  @Option(names = "--admin", paramLabel = "ID", split = ",",
      description = "An id allowed to KILL this Station when connected to it directly (repeatable, or comma-separated).")
  List<String> admins = new ArrayList<>();

  @Option(names = "--secure", description = "CURVE: encrypt, and admit only the keys in DIR/allowed (needs --keys).")
  boolean secure;

  @Option(names = "--keys", paramLabel = "DIR", description = "The keys folder for --secure (see below).")
  String keys;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Read options from a properties file: one KEY=VALUE per line, KEY an option without its dashes "
          + "(id=T, port=5560, admin=ops,backup, secure=true, metrics-port=9464). The command line overrides it.")
  String config;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve the Station's counters (and the JVM's) for Prometheus at http://ADDR:PORT/metrics (0: any free port).")
  Long metricsPort;

  @Option(names = "--metrics-address", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "The address for --metrics-port (default 127.0.0.1: the counters show who talks to whom, "
          + "and the endpoint has no authentication; 0.0.0.0 for every interface).")
  String metricsAddress;

  @Option(names = "--web-port", paramLabel = "PORT",
      description = "Serve a live view of the network below the Station at http://ADDR:PORT/ (0: any free port), "
          + "with its data at /api/tree and /events and the --metrics-port counters at /metrics.")
  Long webPort;

  @Option(names = "--web-address", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "The address for --web-port (default 127.0.0.1: the view shows the network and has no "
          + "authentication; 0.0.0.0 for every interface).")
  String webAddress;

  @Override
  public Integer call() throws InterruptedException {
    Check.range(spec, "--port", port, 0, 65535);
    if (metricsPort != null) {
      Check.range(spec, "--metrics-port", metricsPort, 0, 65535);
    }
    if (webPort != null) {
      Check.range(spec, "--web-port", webPort, 0, 65535);
    }
    List<String> argv = new ArrayList<>(List.of("--id", id, "--port", Long.toString(port), "--bind", bind));
    if (upstream != null) {
      argv.addAll(List.of("--upstream", upstream));
    }
    if (upstreamId != null) {
      argv.addAll(List.of("--upstream-id", upstreamId));
    }
    if (discover != null) {
      argv.addAll(List.of("--discover", discover));
    }
    if (announce != null) {
      argv.addAll(List.of("--announce", announce));
    }
    Check.range(spec, "--discovery-port", discoveryPort, 1, 65535);
    argv.addAll(List.of("--discovery-port", Long.toString(discoveryPort)));
    for (String admin : admins) {
      argv.addAll(List.of("--admin", admin));
    }
    if (secure) {
      argv.add("--secure");
    }
    if (keys != null) {
      argv.addAll(List.of("--keys", keys));
    }
    if (metricsPort == null && webPort == null) {
      return StationMain.run(argv.toArray(new String[0]), System.out, System.err);
    }
    RecentEvents events = RecentEvents.create();
    return StationMain.run(argv.toArray(new String[0]), System.out, System.err, List.of(events),
        station -> serve(station, events, System.err));
  }

  /**
   * The Station's and the JVM's meters, served for Prometheus with --metrics-port, and the web
   * view with --web-port (which serves the same registry at /metrics); closing stops serving.
   */
  private AutoCloseable serve(Station station, RecentEvents events, PrintStream err) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    StationmqMetrics metrics = StationmqMetrics.bind(station, registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    List<AutoCloseable> open = new ArrayList<>();
    AutoCloseable all = () -> {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
      metrics.unbind();
      registry.close();
    };
    try {
      if (metricsPort != null) {
        PrometheusEndpoint endpoint = PrometheusEndpoint.builder(registry).address(metricsAddress)
            .port(metricsPort.intValue()).beforeScrape(metrics::refresh).start();
        open.add(endpoint);
        err.println("stationmq station: metrics at " + endpoint.url());
      }
      if (webPort != null) {
        WebView web = WebView.builder(station).bind(webAddress, webPort.intValue()).events(events).metrics(() -> {
          metrics.refresh();
          return registry.scrape();
        }).start();
        open.add(web);
        err.println("stationmq station: web view at " + web.url() + " (metrics at " + web.url() + "metrics)");
      }
    } catch (RuntimeException e) {
      try {
        all.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return all;
  }
}
