package io.stationmq.cli;

import io.stationmq.netnode.NetNode;
import io.stationmq.transfer.IncomingTransfer;
import io.stationmq.transfer.ReceiveHandler;
import io.stationmq.transfer.TransferException;
import io.stationmq.transfer.TransferReceipt;
import io.stationmq.transfer.TransferTarget;
import io.stationmq.transfer.Transfers;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code stationmq receive-files}: a node that receives transfers into a directory until stopped. */
@Command(name = "receive-files", mixinStandardHelpOptions = true,
    header = "Receives files sent with send-file into a directory.",
    description = "Runs a NetNode that receives transfers into --dir (as NAME.part, renamed to NAME once its "
        + "SHA-256 checks), printing one line per file received or refused, until interrupted. A transfer "
        + "cut short resumes from its partial file when this command runs again with the same --id.")
final class ReceiveFilesCommand extends NetworkCommand {
  @Option(names = "--id", required = true, paramLabel = "NODE_ID", description = "This node's id (senders' --to).")
  String receiverId;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where files go; must exist.")
  Path dir;

  @Override
  String nodeId() {
    return receiverId;
  }

  @Override
  void validate() {
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(spec.commandLine(), "--dir must be an existing directory, got " + dir);
    }
  }

  @Override
  boolean runsUntilStopped() {
    return true;
  }

  @Override
  int run(NetNode node) throws InterruptedException {
    PrintWriter out = out();
    TransferTarget target = TransferTarget.directory(dir);
    try (Transfers transfers = Transfers.on(node)) {
      transfers.receive(new ReceiveHandler() {
        @Override
        public TransferTarget accept(IncomingTransfer offer) {
          return target;
        }

        @Override
        public void completed(TransferReceipt r) {
          print(out, String.format("received %s (%d bytes) from %s: sha256 %s", r.name(), r.size(), r.from(),
              r.sha256()));
        }

        @Override
        public void failed(IncomingTransfer offer, TransferException error) {
          print(out, "failed " + offer.name() + " from " + offer.from() + ": " + error.getMessage());
        }
      });
      err().println("receiving files into " + dir + " as " + receiverId + " via " + connect.upstreamId + " at "
          + connect.connect);
      err().flush();
      foreground.awaitStop();
      err().println(transfers.stats());
    }
    return 0;
  }

  private static void print(PrintWriter out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
