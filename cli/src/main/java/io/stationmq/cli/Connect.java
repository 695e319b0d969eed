package io.stationmq.cli;

import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options every command that connects a short-lived NetNode shares. */
final class Connect {
  @Option(names = "--connect", required = true, paramLabel = "HOST:PORT", description = "the Station (or node ROUTER) to connect to")
  String connect;

  @Option(names = "--upstream-id", required = true, paramLabel = "ID", description = "the id of the Station at --connect")
  String upstreamId;

  NetNode.Builder node(picocli.CommandLine.Model.CommandSpec spec, String id) {
    int colon = connect.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(connect.substring(colon + 1));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new ParameterException(spec.commandLine(), "--connect must be HOST:PORT, got " + connect);
    }
    if (colon <= 0 || port < 1 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--connect must be HOST:PORT, got " + connect);
    }
    return NetNode.builder().id(id).upstream(connect.substring(0, colon), port, upstreamId)
        .options(EndpointOptions.builder().workers(1).linger(Duration.ofSeconds(1)).build());
  }
}
