package io.stationmq.cli;

import io.stationmq.station.StationMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stationmq station}: runs a Station in the foreground. */
@Command(name = "station", mixinStandardHelpOptions = true,
    header = "Runs a Station in the foreground.",
    description = "Runs a Station until Ctrl-C, SIGTERM or a KILL message from an admin (--admin, connected "
        + "directly) or from its upstream. Prints 'listening on tcp://HOST:PORT as ID' when ready, "
        + "then on standard error what it exposes, then one line per node joining, leaving or "
        + "refused, and per change of its upstream. A bind that fails (an address this machine does "
        + "not have, a port in use) exits 1 with the reason.",
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

  @Option(names = "--admin", paramLabel = "ID",
      description = "An id allowed to KILL this Station when connected to it directly (repeatable).")
  List<String> admins = new ArrayList<>();

  @Option(names = "--secure", description = "CURVE: encrypt, and admit only the keys in DIR/allowed (needs --keys).")
  boolean secure;

  @Option(names = "--keys", paramLabel = "DIR", description = "The keys folder for --secure (see below).")
  String keys;

  @Override
  public Integer call() throws InterruptedException {
    Check.range(spec, "--port", port, 0, 65535);
    List<String> argv = new ArrayList<>(List.of("--id", id, "--port", Long.toString(port), "--bind", bind));
    if (upstream != null) {
      argv.addAll(List.of("--upstream", upstream));
    }
    if (upstreamId != null) {
      argv.addAll(List.of("--upstream-id", upstreamId));
    }
    for (String admin : admins) {
      argv.addAll(List.of("--admin", admin));
    }
    if (secure) {
      argv.add("--secure");
    }
    if (keys != null) {
      argv.addAll(List.of("--keys", keys));
    }
    return StationMain.run(argv.toArray(new String[0]), System.out, System.err);
  }
}
