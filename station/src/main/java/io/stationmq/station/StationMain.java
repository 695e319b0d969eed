package io.stationmq.station;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one Station as its own process until SIGTERM, SIGINT or a {@code KILL} message from an
 * admin or its upstream, then closes it cleanly and exits 0.
 *
 * <pre>
 * java io.stationmq.station.StationMain --id T --port 5560 [--bind ADDR]
 *      [--upstream HOST:PORT --upstream-id ID] [--admin ID ...]
 * </pre>
 *
 * <p>Prints {@code listening on tcp://HOST:PORT as ID} on standard output once it listens,
 * so scripts can wait for it, and on standard error what the unsecured Station exposes and
 * how to restrict it ({@link #exposure}). Exits 2 with a one-line reason on bad arguments, 1
 * when the Station cannot start.
 */
public final class StationMain {
  private StationMain() {}

  /** Parsed command-line arguments. */
  record Args(String id, int port, String bind, String upstreamHost, int upstreamPort, String upstreamId,
      List<String> admins) {
    static Args parse(String[] argv) {
      String id = null;
      String bind = "*";
      String upstream = null;
      String upstreamId = null;
      int port = 0;
      List<String> admins = new ArrayList<>();
      List<String> a = new ArrayList<>(List.of(argv));
      for (int i = 0; i < a.size(); i++) {
        String flag = a.get(i);
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
          default -> throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException("--id is required");
      }
      if ((upstream == null) != (upstreamId == null)) {
        throw new IllegalArgumentException("--upstream and --upstream-id go together");
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
      return new Args(id, port, bind, host, upstreamPort, upstreamId, List.copyOf(admins));
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
      if (upstreamId != null) {
        b.upstream(upstreamHost, upstreamPort, upstreamId);
      }
      return b;
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
    return "stationmq station: not secured (no CURVE yet). Anyone who can reach\n"
        + "  " + where + "\n"
        + "  can connect under any id (an admin's too), send to this Station and through\n"
        + "  it to every peer, and read its DIRECTORY and INFO.\n"
        + "  " + kill + "\n"
        + "  To restrict it: --bind 127.0.0.1 (or one trusted interface) and a firewall;\n"
        + "  --admin ID (repeatable) for who may stop it.\n";
  }

  /** Runs until the Station closes; returns the exit code (0, or 2 for bad arguments, 1 when it cannot start). */
  public static int run(String[] argv, PrintStream out, PrintStream err) throws InterruptedException {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("stationmq station: " + e.getMessage());
      err.println("usage: --id ID --port PORT [--bind ADDR] [--upstream HOST:PORT --upstream-id ID] [--admin ID ...]");
      return 2;
    }
    Station station;
    try {
      station = args.toBuilder().build();
    } catch (RuntimeException e) {
      err.println("stationmq station: " + e.getMessage());
      return 1;
    }
    // On SIGTERM/SIGINT: close cleanly, then end with status 0 (the JVM would report 143/130).
    Thread hook = new Thread(() -> {
      station.close();
      Runtime.getRuntime().halt(0);
    }, "stationmq-station-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    String host = args.bind().equals("*") ? "0.0.0.0" : args.bind();
    out.println("listening on tcp://" + host + ":" + station.port() + " as " + station.id());
    out.flush();
    err.print(exposure(args.bind(), station.port(), args.admins(), args.upstreamId()));
    err.flush();
    station.awaitClosed();
    station.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // SIGTERM/SIGINT: the hook is already running the close.
    }
    return 0;
  }
}
