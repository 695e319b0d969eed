package io.stationmq.cli;

import io.stationmq.netnode.NetNode;
import io.stationmq.transfer.TransferException;
import io.stationmq.transfer.TransferHandle;
import io.stationmq.transfer.TransferReceipt;
import io.stationmq.transfer.TransferSource;
import io.stationmq.transfer.Transfers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code stationmq send-file}: sends one file in chunks, with progress, to a node running {@code receive-files}. */
@Command(name = "send-file", mixinStandardHelpOptions = true,
    header = "Sends a file in confirmed chunks, its SHA-256 checked by the receiver.",
    description = "Sends FILE to --to (a node running receive-files, or any endpoint with a Transfers), "
        + "printing progress on standard error once a second and the receipt on standard output. A "
        + "transfer interrupted by a reconnect resumes by itself; one whose sender was stopped resumes "
        + "when sent again with the same --transfer-id. Exit 0, 1 (refused or failed), 4 (the receiver "
        + "stayed unreachable), 5 (timed out).")
final class SendFileCommand extends NetworkCommand {
  @Mixin
  NodeId nodeId;

  @Option(names = "--to", required = true, paramLabel = "NODE", description = "The receiving node's id.")
  String to;

  @Option(names = "--name", paramLabel = "NAME", description = "The name the receiver sees (default: the file's name).")
  String name;

  @Option(names = "--transfer-id", paramLabel = "ID",
      description = "The transfer's id; the same id resumes an earlier transfer (default: the file's name, size and "
          + "modification time).")
  String transferId;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3600",
      description = "How long to wait for the whole transfer (default: 3600).")
  double timeout;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to send.")
  Path file;

  @Override
  String nodeId() {
    return nodeId.orDefault();
  }

  @Override
  void validate() {
    Check.seconds(spec, "--timeout", timeout);
    if (!Files.isRegularFile(file)) {
      throw new ParameterException(spec.commandLine(), "FILE must be a readable file, got " + file);
    }
  }

  @Override
  int run(NetNode node) throws Exception {
    String as = name != null ? name : file.getFileName().toString();
    String id = transferId != null ? transferId
        : as + "-" + Files.size(file) + "-" + Files.getLastModifiedTime(file).toMillis();
    try (Transfers transfers = Transfers.on(node)) {
      TransferHandle h = transfers.send(to, TransferSource.of(file), as, id);
      long deadline = System.nanoTime() + (long) (timeout * 1e9);
      while (true) {
        try {
          TransferReceipt r = h.done().get(1, TimeUnit.SECONDS);
          out().printf("sent %s (%d bytes) to %s: sha256 %s, %.1f MB/s, %d resume(s)%n", r.name(), r.size(), r.to(),
              r.sha256(), r.megabytesPerSecond(), r.resumes());
          return 0;
        } catch (TimeoutException e) {
          if (System.nanoTime() - deadline > 0) {
            h.cancel();
            throw new CliException(Main.TIMED_OUT, "'" + as + "' not sent to '" + to + "' within "
                + Check.format(timeout) + " s");
          }
          err().printf("%s: %d of %d bytes confirmed%n", as, h.confirmed(), h.total());
          err().flush();
        } catch (ExecutionException e) {
          TransferException t = (TransferException) e.getCause();
          throw new CliException(t.code().equals("unreachable") ? Main.UNREACHABLE : Main.FAILURE, t.getMessage());
        }
      }
    }
  }
}
