package io.stationmq.station;

import io.stationmq.netnode.CurveKeys;
import io.stationmq.netnode.CurveSecurity;
import io.stationmq.netnode.DiscoveryOptions;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.EndpointOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs one Station as its own process until SIGTERM, SIGINT or a {@code KILL} message from an
 * admin or its upstream, then closes it cleanly and exits 0.
 *
 * <pre>
 * java io.stationmq.station.StationMain --id T --port 5560 [--bind ADDR]
 *      [--upstream HOST:PORT --upstream-id ID] [--discover NETWORK [--upstream-id ID]]
 *      [--announce NETWORK] [--discovery-port PORT] [--admin ID ...] [--secure --keys DIR]
 * </pre>
 *
 * <p>{@code --announce NETWORK} sends this Station's beacon on the LAN; {@code --discover
 * NETWORK} finds the parent by its beacon (with {@code --upstream} too, that address is tried
 * after the beacons); see README, Discovery.
 *
 * <p>Prints {@code listening on tcp://HOST:PORT as ID} on standard output once it listens,
 * so scripts can wait for it, and on standard error what the unsecured Station exposes and
 * how to restrict it ({@link #exposure}). Then, on standard output, one line per peer joining,
 * leaving or refused, and per change of its upstream ({@link StationEvents}). Exits 2 with a one-line reason on bad arguments, 1
 * when the Station cannot start.
 */
public final class StationMain {
  private StationMain() {}

  /** Parsed command-line arguments. */
  record Args(String id, int port, String bind, String upstreamHost, int upstreamPort, String upstreamId,
      List<String> admins, boolean secure, String keys, String announce, String discover, int discoveryPort) {
    static Args parse(String[] argv) {
      String id = null;
      String bind = "*";
      String upstream = null;
      String upstreamId = null;
      int port = 0;
      List<String> admins = new ArrayList<>();
      boolean secure = false;
      String keys = null;
      String announce = null;
      String discover = null;
      int discoveryPort = DiscoveryOptions.DEFAULT_PORT;
      List<String> a = new ArrayList<>(List.of(argv));
      for (int i = 0; i < a.size(); i++) {
        String flag = a.get(i);
        if (flag.equals("--secure")) {
          secure = true;
          continue;
        }
        if (i + 1 >= a.size()) {
          throw new IllegalArgumentException("missing value after " + flag);
        }
        String value = a.get(++i);
        switch (flag) {
          case "--id" -> id = value;
          case "--port" -> port = parsePort(value, "--port");
          case "--bind" -> bind = value;
          case "--upstream" -> upstream = value;
          case "--upstream-id" -> upstreamId = value;
          case "--admin" -> admins.add(requireId(value));
          case "--keys" -> keys = value;
          case "--announce" -> announce = value;
          case "--discover" -> discover = value;
          case "--discovery-port" -> discoveryPort = parsePort(value, "--discovery-port");
          default -> throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException("--id is required");
      }
      if (upstream != null && upstreamId == null) {
        throw new IllegalArgumentException("--upstream and --upstream-id go together");
      }
      if (upstreamId != null && upstream == null && discover == null) {
        throw new IllegalArgumentException("--upstream-id goes with --upstream or --discover");
      }
      if (discoveryPort == 0) {
        throw new IllegalArgumentException("--discovery-port must be 1..65535");
      }
      String host = null;
      int upstreamPort = -1;
      if (upstream != null) {
        int colon = upstream.lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("--upstream must be HOST:PORT, got " + upstream);
        }
        host = upstream.substring(0, colon);
        upstreamPort = parsePort(upstream.substring(colon + 1), "--upstream");
      }
      if (secure != (keys != null)) {
        throw new IllegalArgumentException("--secure and --keys DIR go together");
      }
      return new Args(id, port, bind, host, upstreamPort, upstreamId, List.copyOf(admins), secure, keys, announce,
          discover, discoveryPort);
    }

    private static String requireId(String value) {
      if (value.isEmpty()) {
        throw new IllegalArgumentException("--admin needs a non-empty id");
      }
      return value;
    }

    private static int parsePort(String s, String flag) {
      try {
        int p = Integer.parseInt(s);
        if (p < 0 || p > 65535) {
          throw new NumberFormatException();
        }
        return p;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " must be a port number 0..65535, got " + s);
      }
    }

    Station.Builder toBuilder() {
      Station.Builder b = Station.builder().id(id).port(port).bindAddress(bind).admins(admins);
      DiscoveryOptions discovery = DiscoveryOptions.builder().port(discoveryPort).build();
      if (discover != null) {
        b.discovery(discovery);
        if (upstreamId == null) {
          b.discover(discover);
        } else {
          b.discover(discover, upstreamId);
        }
        if (upstreamHost != null) {
          b.upstreams(List.of(upstreamHost + ":" + upstreamPort), upstreamId);
        }
      } else if (upstreamId != null) {
        b.upstream(upstreamHost, upstreamPort, upstreamId);
      }
      if (announce != null) {
        b.announce(announce, discovery);
      }
      if (secure) {
        b.security(security(Path.of(keys), id, upstreamId != null || discover != null));
      }
      return b;
    }

    /**
     * CURVE from a keys folder: the Station's key pair {@code station.key_secret} (or {@code
     * ID.key_secret}), the allowlist {@code allowed/}, the upstream's public certificate {@code
     * upstream.key} (with an upstream) and admins' public certificates in {@code admins/}.
     */
    static CurveSecurity security(Path dir, String id, boolean withUpstream) {
      Path own = dir.resolve("station.key_secret");
      if (!Files.exists(own)) {
        own = dir.resolve(id + ".key_secret");
      }
      if (!Files.exists(own)) {
        throw new IllegalArgumentException("no key pair in " + dir + ": make one with 'stationmq keygen station --dir "
            + dir + "'");
      }
      CurveSecurity.Builder b = CurveSecurity.builder(CurveKeys.load(own)).allowed(dir.resolve("allowed"));
      if (withUpstream) {
        Path up = dir.resolve("upstream.key");
        if (!Files.exists(up)) {
          throw new IllegalArgumentException("with --upstream, --keys needs the upstream's public certificate " + up);
        }
        b.upstreamKey(CurveKeys.loadPublic(up));
      }
      Path admins = dir.resolve("admins");
      if (Files.isDirectory(admins)) {
        try (Stream<Path> files = Files.list(admins)) {
          b.adminKeys(files.filter(f -> f.getFileName().toString().endsWith(".key"))
              .map(f -> CurveKeys.loadPublic(f).publicKey()).toList());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list " + admins, e);
        }
      }
      return b.build();
    }
  }

  /** Entry point; see the class description. */
  public static void main(String[] argv) throws InterruptedException {
    System.exit(run(argv, System.out, System.err));
  }

  /**
   * What an unsecured Station exposes and how to restrict it, as printed at start (several
   * lines, each ending in a newline).
   */
  static String exposure(String bind, int port, List<String> admins, String upstreamId) {
    boolean everywhere = bind.equals("*") || bind.equals("0.0.0.0");
    String where = everywhere ? "port " + port + " on any interface of this machine" : bind + ":" + port;
    List<String> stoppers = new ArrayList<>();
    if (!admins.isEmpty()) {
      stoppers.add("admin " + String.join(", ", admins) + " (connected directly)");
    }
    if (upstreamId != null) {
      stoppers.add("upstream " + upstreamId);
    }
    String kill = stoppers.isEmpty() ? "KILL is refused from everyone (no --admin, no upstream);\n  only a signal stops it."
        : "KILL is honoured only from " + String.join(" and ", stoppers) + ".";
    return "stationmq station: not secured (no --secure). Anyone who can reach\n"
        + "  " + where + "\n"
        + "  can connect under any id (an admin's too), send to this Station and through\n"
        + "  it to every peer, and read its DIRECTORY and INFO.\n"
        + "  " + kill + "\n"
        + "  To restrict it: --bind 127.0.0.1 (or one trusted interface) and a firewall;\n"
        + "  --admin ID (repeatable) for who may stop it; --secure --keys DIR for CURVE.\n";
  }

  /** What a secured Station admits, as printed at start. */
  static String secureExposure(String bind, int port, CurveSecurity security, List<String> admins, String upstreamId) {
    boolean everywhere = bind.equals("*") || bind.equals("0.0.0.0");
    String where = everywhere ? "port " + port + " on any interface of this machine" : bind + ":" + port;
    String adminsBy = !security.adminKeys().isEmpty() ? security.adminKeys().size() + " admin key(s) in admins/"
        : admins.isEmpty() ? "no admin" : "admin " + String.join(", ", admins) + " (each bound to the key it first used)";
    return "stationmq station: secured with CURVE, public key " + security.keys().publicKey() + "\n"
        + "  " + where + " admits only the keys in " + security.allowed() + "\n"
        + "  (re-read when it changes); everything is encrypted; an id stays with the key\n"
        + "  that first used it. KILL is honoured from " + adminsBy
        + (upstreamId == null ? "" : " and upstream " + upstreamId) + ".\n";
  }

  /** Runs until the Station closes; returns the exit code (0, or 2 for bad arguments, 1 when it cannot start). */
  public static int run(String[] argv, PrintStream out, PrintStream err) throws InterruptedException {
    return run(argv, out, err, station -> () -> { });
  }

  /**
   * Like {@link #run(String[], PrintStream, PrintStream)}, with {@code beside} started once the
   * Station listens (before its {@code listening on} line) and closed before the Station (the
   * command line's metrics endpoint). When {@code beside} throws, the Station is closed and the
   * exit code is 1, with the exception's message on {@code err}.
   */
  public static int run(String[] argv, PrintStream out, PrintStream err,
      Function<Station, ? extends AutoCloseable> beside) throws InterruptedException {
    return run(argv, out, err, List.of(), beside);
  }

  /**
   * Like {@link #run(String[], PrintStream, PrintStream, Function)}, with {@code listeners} told
   * the Station's events too (the command line's web view keeps its recent warnings), after the
   * lines this prints.
   */
  public static int run(String[] argv, PrintStream out, PrintStream err, List<EndpointListener> listeners,
      Function<Station, ? extends AutoCloseable> beside) throws InterruptedException {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("stationmq station: " + e.getMessage());
      err.println("usage: --id ID --port PORT [--bind ADDR] [--upstream HOST:PORT --upstream-id ID]"
          + " [--discover NETWORK [--upstream-id ID]] [--announce NETWORK] [--discovery-port PORT] [--admin ID ...]"
          + " [--secure --keys DIR]");
      return 2;
    }
    StationEvents events = new StationEvents(out, "stationmq-station-" + args.id() + "-events");
    Station station;
    try {
      station = args.toBuilder().options(EndpointOptions.builder().listener(ListenerFanOut.of(events, listeners)).build())
          .build();
    } catch (RuntimeException e) {
      events.close();
      err.println("stationmq station: " + e.getMessage());
      return 1;
    }
    AutoCloseable extra;
    try {
      extra = beside.apply(station);
    } catch (RuntimeException e) {
      station.close();
      events.close();
      err.println("stationmq station: " + e.getMessage());
      return 1;
    }
    // On SIGTERM/SIGINT: close cleanly, then end with status 0 (the JVM would report 143/130).
    Thread hook = new Thread(() -> {
      closeQuietly(extra, err);
      station.close();
      events.close();
      Runtime.getRuntime().halt(0);
    }, "stationmq-station-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    String host = args.bind().equals("*") ? "0.0.0.0" : args.bind();
    out.println("listening on tcp://" + host + ":" + station.port() + " as " + station.id());
    out.flush();
    if (args.announce() != null) {
      err.println("stationmq station: announcing itself on network '" + args.announce() + "' (UDP broadcast to port "
          + args.discoveryPort() + " every second)");
    }
    err.print(args.secure()
        ? secureExposure(args.bind(), station.port(), Args.security(Path.of(args.keys()), args.id(),
            station.upstreamId() != null), args.admins(), station.upstreamId())
        : exposure(args.bind(), station.port(), args.admins(), station.upstreamId()));
    err.flush();
    station.awaitClosed();
    closeQuietly(extra, err);
    station.close();
    events.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // SIGTERM/SIGINT: the hook is already running the close.
    }
    return 0;
  }

  private static void closeQuietly(AutoCloseable c, PrintStream err) {
    try {
      c.close();
    } catch (Exception e) {
      err.println("stationmq station: closing: " + e.getMessage());
    }
  }
}
