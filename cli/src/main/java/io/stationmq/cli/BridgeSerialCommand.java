package io.stationmq.cli;

import io.stationmq.bridge.Checksum;
import io.stationmq.bridge.FrameCodec;
import io.stationmq.bridge.Framing;
import io.stationmq.bridge.SerialBridge;
import io.stationmq.netnode.NetNode;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code stationmq bridge serial}: a {@link SerialBridge} in front of a short-lived NetNode. */
@Command(name = "serial", mixinStandardHelpOptions = true,
    header = "Forwards each checked frame read from a serial device as one sample.",
    description = "Opens --device at --baud (8N1, no flow control) and reads frames: COBS (each frame ends "
        + "with 0x00) or SLIP (RFC 1055), the payload followed by its CRC, most significant byte first. Each "
        + "good frame is forwarded as {sensor, captured, value}: value is the payload as JSON if it is JSON, "
        + "else {\"base64\": ...}. Bad frames are counted as malformed. Exits 1 if the device goes away.")
final class BridgeSerialCommand extends NetworkCommand {
  @Mixin
  NodeId nodeId;

  @Mixin
  BridgeSettings settings;

  @Option(names = "--device", required = true, paramLabel = "PATH", description = "The serial device, e.g. /dev/ttyUSB0.")
  String device;

  @Option(names = "--baud", paramLabel = "RATE", defaultValue = "115200", description = "The baud rate (default: 115200).")
  int baud;

  @Option(names = "--framing", paramLabel = "SCHEME", defaultValue = "cobs", description = "cobs (default) or slip.")
  String framing;

  @Option(names = "--crc", paramLabel = "CHECK", defaultValue = "crc16",
      description = "crc16 (CRC-16/CCITT-FALSE, default), crc32 or none.")
  String crc;

  @Option(names = "--max-frame", paramLabel = "BYTES", defaultValue = "4096",
      description = "The longest payload accepted (default: 4096).")
  int maxFrame;

  private FrameCodec codec;

  @Override
  String nodeId() {
    return nodeId.orDefault();
  }

  @Override
  void validate() {
    Check.range(spec, "--baud", baud, 1, 10_000_000);
    Check.range(spec, "--max-frame", maxFrame, 1, 16 << 20);
    settings.validate(spec);
    Framing f = switch (framing.toLowerCase(Locale.ROOT)) {
      case "cobs" -> Framing.COBS;
      case "slip" -> Framing.SLIP;
      default -> throw new ParameterException(spec.commandLine(), "--framing must be cobs or slip, got " + framing);
    };
    Checksum c = switch (crc.toLowerCase(Locale.ROOT)) {
      case "crc16" -> Checksum.CRC16_CCITT;
      case "crc32" -> Checksum.CRC32;
      case "none" -> Checksum.NONE;
      default -> throw new ParameterException(spec.commandLine(), "--crc must be crc16, crc32 or none, got " + crc);
    };
    codec = FrameCodec.of(f, c, maxFrame);
  }

  @Override
  boolean runsUntilStopped() {
    return true;
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    SerialBridge bridge = BridgeSettings.start(settings.configure(SerialBridge.builder(), node).device(device).baud(baud)
        .codec(codec)::start);
    return settings.runUntilStopped(this, bridge, "bridging serial " + device + " at " + baud + " baud (" + codec
        + ")" + settings.describe(node));
  }
}
