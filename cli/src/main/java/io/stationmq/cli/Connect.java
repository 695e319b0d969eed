package io.stationmq.cli;

import io.stationmq.netnode.DiscoveryOptions;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.UpstreamRefusedException;
import io.stationmq.netnode.UpstreamState;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every command that connects a short-lived NetNode shares, and the connecting:
 * a command fails with a clear reason (exit 6) when nothing answers at {@code --connect}, the
 * Station there has another id, or it refuses the node.
 */
final class Connect {
  @Option(names = "--connect", paramLabel = "HOST:PORT", description = "The Station (or node ROUTER) to connect to.")
  String connect;

  @Option(names = "--upstream-id", paramLabel = "ID",
      description = "The id of the Station at --connect (required with it), or the one to --discover.")
  String upstreamId;

  @Option(names = "--discover", paramLabel = "NETWORK",
      description = "Instead of --connect: find the Station by its beacon on the LAN network NETWORK (the first that "
          + "announces, or --upstream-id's).")
  String discover;

  @Option(names = "--discovery-port", paramLabel = "PORT", defaultValue = "5571",
      description = "The UDP port of discovery beacons (default: 5571).")
  long discoveryPort;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "3",
      description = "How long to wait for the Station to answer (default: 3).")
  double connectTimeout;

  /**
   * Builds the node {@code id} with {@code customize} applied and waits until its upstream
   * answers.
   *
   * @throws ParameterException when {@code --connect} or {@code --connect-timeout} is malformed
   * @throws CliException (exit 6) when it does not connect, (exit 1) when it cannot start
   */
  NetNode open(CommandSpec spec, String id, Consumer<NetNode.Builder> customize) throws InterruptedException {
    Check.seconds(spec, "--connect-timeout", connectTimeout);
    if ((connect == null) == (discover == null)) {
      throw new ParameterException(spec.commandLine(), "give either --connect HOST:PORT with --upstream-id ID, or "
          + "--discover NETWORK");
    }
    if (discover != null) {
      return discovered(spec, id, customize);
    }
    if (upstreamId == null) {
      throw new ParameterException(spec.commandLine(), "--connect needs --upstream-id ID");
    }
    int colon = connect.lastIndexOf(':');
    int port = -1;
    try {
      port = Integer.parseInt(connect.substring(colon + 1));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      // reported below
    }
    if (colon <= 0 || port < 1 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--connect must be HOST:PORT (port 1..65535), got " + connect);
    }
    NetNode node = build(NetNode.builder().id(id).upstream(connect.substring(0, colon), port, upstreamId), customize);
    try {
      if (!node.awaitConnected(Duration.ofMillis((long) (connectTimeout * 1000)))) {
        throw new CliException(Main.NOT_CONNECTED, "nothing answers at " + connect + " within "
            + Check.format(connectTimeout) + " s (is a Station running there? --connect-timeout waits longer)");
      }
    } catch (UpstreamRefusedException e) {
      node.close();
      throw new CliException(Main.NOT_CONNECTED, e.state() == UpstreamState.WRONG_ID
          ? "the Station at " + connect + " is '" + e.actualId() + "', not '" + upstreamId + "': use --upstream-id "
              + e.actualId()
          : "the Station '" + upstreamId + "' at " + connect + " refused this node: " + e.getMessage());
    } catch (CliException | InterruptedException e) {
      node.close();
      throw e;
    }
    return node;
  }

  /** As {@link #open}, finding the Station by its beacon; {@link #connect} and {@link #upstreamId} then say what was found. */
  private NetNode discovered(CommandSpec spec, String id, Consumer<NetNode.Builder> customize)
      throws InterruptedException {
    Check.range(spec, "--discovery-port", discoveryPort, 1, 65535);
    Duration wait = Duration.ofMillis(Math.max(1, (long) (connectTimeout * 1000)));
    NetNode.Builder b = NetNode.builder().id(id)
        .discovery(DiscoveryOptions.builder().port((int) discoveryPort).firstBeaconWait(wait).build());
    if (upstreamId == null) {
      b.discover(discover);
    } else {
      b.discover(discover, upstreamId);
    }
    NetNode node = build(b, customize);
    upstreamId = node.upstreamId();
    connect = "(found on network '" + discover + "')";
    try {
      if (!node.awaitConnected(wait)) {
        throw new CliException(Main.NOT_CONNECTED, "no Station '" + upstreamId + "' answered on network '" + discover
            + "' within " + Check.format(connectTimeout) + " s (is it announcing? is UDP port " + discoveryPort
            + " open? --connect-timeout waits longer)");
      }
    } catch (UpstreamRefusedException e) {
      node.close();
      throw new CliException(Main.NOT_CONNECTED, "the Station '" + upstreamId + "' refused this node: " + e.getMessage());
    } catch (CliException | InterruptedException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private static NetNode build(NetNode.Builder b, Consumer<NetNode.Builder> customize) {
    b.options(EndpointOptions.builder().workers(1).linger(Duration.ofSeconds(1)).build());
    customize.accept(b);
    try {
      return b.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new CliException(Main.FAILURE, e.getMessage());
    }
  }
}
