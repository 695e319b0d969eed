package io.stationmq.cli;

import io.stationmq.station.StationMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stationmq station}: runs a Station in the foreground. */
@Command(name = "station", mixinStandardHelpOptions = true,
    description = {"Runs a Station in the foreground until Ctrl-C, SIGTERM or a KILL message.",
        "Prints 'listening on tcp://HOST:PORT as ID' when ready."})
final class StationCommand implements Callable<Integer> {
  @Option(names = "--id", required = true, description = "the Station's id")
  String id;

  @Option(names = "--port", required = true, description = "port to listen on (0: any free port)")
  int port;

  @Option(names = "--bind", defaultValue = "*", description = "address to bind (default: all interfaces)")
  String bind;

  @Option(names = "--upstream", paramLabel = "HOST:PORT", description = "a parent Station to connect a pusher to")
  String upstream;

  @Option(names = "--upstream-id", paramLabel = "ID", description = "the parent Station's id")
  String upstreamId;

  @Override
  public Integer call() throws InterruptedException {
    List<String> argv = new ArrayList<>(List.of("--id", id, "--port", Integer.toString(port), "--bind", bind));
    if (upstream != null) {
      argv.addAll(List.of("--upstream", upstream));
    }
    if (upstreamId != null) {
      argv.addAll(List.of("--upstream-id", upstreamId));
    }
    return StationMain.run(argv.toArray(new String[0]), System.out, System.err);
  }
}
