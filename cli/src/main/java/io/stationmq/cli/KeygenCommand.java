package io.stationmq.cli;

import io.stationmq.netnode.CurveKeys;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stationmq keygen NAME}: writes a CURVE key pair as ZeroMQ certificates. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    header = "Writes a CurveZMQ key pair as ZeroMQ certificates.",
    description = "Writes a CurveZMQ key pair as ZeroMQ certificates: DIR/NAME.key (the public key: copy it "
        + "into a Station's allowed/ folder, or use it as upstream.key) and DIR/NAME.key_secret "
        + "(both keys: keep it private). The same format as curve_keygen, pyzmq's "
        + "zmq.auth.create_certificates and CZMQ's zcert.")
final class KeygenCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The file name stem, e.g. station or rig_1.")
  String name;

  @Option(names = "--dir", paramLabel = "D", defaultValue = ".", description = "The folder to write to (default: the current one).")
  Path dir;

  @Override
  public Integer call() {
    if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
      System.err.println("stationmq keygen: NAME must be a plain file name, got '" + name + "'");
      return 2;
    }
    CurveKeys keys = CurveKeys.generate();
    Path secret = keys.save(dir, name);
    System.out.println("public key " + keys.publicKey());
    System.out.println("wrote " + dir.resolve(name + ".key") + " and " + secret);
    return 0;
  }
}
