package io.stationmq.cli;

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
  @Option(names = "--connect", required = true, paramLabel = "HOST:PORT", description = "The Station (or node ROUTER) to connect to.")
  String connect;

  @Option(names = "--upstream-id", required = true, paramLabel = "ID", description = "The id of the Station at --connect.")
  String upstreamId;

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
    NetNode.Builder b = NetNode.builder().id(id).upstream(connect.substring(0, colon), port, upstreamId)
        .options(EndpointOptions.builder().workers(1).linger(Duration.ofSeconds(1)).build());
    customize.accept(b);
    NetNode node;
    try {
      node = b.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new CliException(Main.FAILURE, e.getMessage());
    }
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
}
