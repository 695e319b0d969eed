package io.stationmq.cli;

import io.stationmq.examples.Demo;
import io.stationmq.web.RecentEvents;
import io.stationmq.web.WebView;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stationmq demo}: the rig topology demo on loopback. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    header = "Runs a rig topology on loopback and checks that nothing is lost.",
    description = "Runs a rig topology on loopback: a terminal Station, two rig Stations under it, and "
        + "hardware-controller NetNodes streaming sensor samples up while the terminal sends them "
        + "confirmed commands. Exit 0 only when nothing was lost. --web-port serves a live view of it "
        + "at http://127.0.0.1:PORT/ while it runs (with --duration 600 to look at it for a while).")
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10", description = "How long to run, 1..86400 (default: 10).")
  long duration;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "2", description = "Controllers per rig, 1..50 (default: 2).")
  long nodes;

  @Option(names = "--rate", paramLabel = "HZ", defaultValue = "1000",
      description = "Samples per second per controller, 1..100000 (default: 1000).")
  long rate;

  @Option(names = "--web-port", paramLabel = "PORT",
      description = "Serve a live view of the demo's network at http://ADDR:PORT/ while it runs (0: any free port).")
  Long webPort;

  @Option(names = "--web-address", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "The address for --web-port (default 127.0.0.1; the view has no authentication).")
  String webAddress;

  @Override
  public Integer call() {
    Check.range(spec, "--duration", duration, 1, (long) Check.MAX_SECONDS);
    Check.range(spec, "--nodes", nodes, 1, 50);
    Check.range(spec, "--rate", rate, 1, 100_000);
    if (webPort != null) {
      Check.range(spec, "--web-port", webPort, 0, 65535);
    }
    Demo.Settings settings = new Demo.Settings(Duration.ofSeconds(duration), (int) nodes, (int) rate);
    boolean live = System.console() != null;
    Demo.Report report;
    if (webPort == null) {
      report = Demo.run(settings, System.out, live);
    } else {
      RecentEvents events = RecentEvents.create();
      report = Demo.run(settings, System.out, live, events, terminal -> {
        WebView web = WebView.builder(terminal).bind(webAddress, webPort.intValue()).events(events).start();
        System.out.println("stationmq demo: web view at " + web.url());
        return web;
      });
    }
    return report.ok() ? 0 : Main.FAILURE;
  }
}
