package io.stationmq.cli;

import io.stationmq.bridge.UdpBridge;
import io.stationmq.netnode.NetNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stationmq bridge udp}: a {@link UdpBridge} in front of a short-lived NetNode. */
@Command(name = "udp", mixinStandardHelpOptions = true,
    header = "Forwards each UDP datagram received on --port as one sample.",
    description = "Binds UDP --bind:--port (IPv4 or IPv6; port 0 picks one, printed) and forwards each "
        + "datagram as {sensor, captured, from, value}: value is the datagram as JSON if it is JSON, else "
        + "{\"base64\": ...}. A datagram longer than --max-datagram is counted as malformed.")
final class BridgeUdpCommand extends NetworkCommand {
  @Mixin
  NodeId nodeId;

  @Mixin
  BridgeSettings settings;

  @Option(names = "--port", required = true, paramLabel = "PORT", description = "The UDP port to bind (0: any free one).")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
      description = "The address to bind: 0.0.0.0 (default), :: for IPv6 too, or one address.")
  String bind;

  @Option(names = "--max-datagram", paramLabel = "BYTES", defaultValue = "65507",
      description = "The longest datagram accepted (default: 65507).")
  int maxDatagram;

  @Override
  String nodeId() {
    return nodeId.orDefault();
  }

  @Override
  void validate() {
    Check.range(spec, "--port", port, 0, 65_535);
    Check.range(spec, "--max-datagram", maxDatagram, 1, 65_507);
    settings.validate(spec);
  }

  @Override
  boolean runsUntilStopped() {
    return true;
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    UdpBridge bridge = BridgeSettings.start(settings.configure(UdpBridge.builder(), node).bindAddress(bind).port(port)
        .maxDatagramSize(maxDatagram)::start);
    return settings.runUntilStopped(this, bridge, "bridging udp " + bridge.localAddress().getAddress().getHostAddress()
        + ":" + bridge.port() + settings.describe(node));
  }
}
