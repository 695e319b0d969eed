package io.stationmq.station;

import io.stationmq.netnode.Durability;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A receiving NetNode in a process of its own, for tests that kill it: {@code
 * ChildReceiverMain PORT STATION_ID NODE_ID FILE [DURABLE_DIR]}; with DURABLE_DIR its
 * de-duplication window is durable there ({@link Durability}). Its {@code DATA} listen appends each
 * message's integer value and a newline to FILE, one write per message, so what was handled
 * is on record (in the kernel's page cache) before the listen returns, and survives SIGKILL.
 * It first appends a line {@code start}, so the parent can tell which process handled what.
 * Heartbeats every 100 ms (tolerance 5). Prints {@code ready NODE_ID} once built; runs until
 * its stdin ends or it is killed.
 */
public final class ChildReceiverMain {
  private ChildReceiverMain() {}

  public static void main(String[] args) throws Exception {
    EndpointOptions options = EndpointOptions.builder().heartbeatInterval(Duration.ofMillis(100)).livenessTolerance(5)
        .durability(args.length > 4 ? Durability.builder(Path.of(args[4])).outbox(false).build() : null)
        .build();
    try (FileOutputStream out = startedFile(args[3]);
        NetNode node = NetNode.builder().id(args[2]).upstream("127.0.0.1", Integer.parseInt(args[0]), args[1])
            .options(options).listen("DATA", m -> {
              byte[] line = (m.value(Integer.class) + "\n").getBytes(StandardCharsets.US_ASCII);
              synchronized (out) {
                try {
                  out.write(line); // unbuffered: one write(2) per message, before the listen returns
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            }).build()) {
      System.out.println("ready " + node.id());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Blocks until the parent closes stdin (or the process is killed).
      }
    }
  }

  private static FileOutputStream startedFile(String path) throws IOException {
    FileOutputStream out = new FileOutputStream(path, true);
    out.write("start\n".getBytes(StandardCharsets.US_ASCII));
    return out;
  }
}
