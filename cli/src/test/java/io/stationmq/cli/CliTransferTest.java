package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.transfer.Transfers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code send-file} to a node receiving into a directory, and the arguments of {@code receive-files}. */
@Timeout(60)
class CliTransferTest {
  private final Closer closer = new Closer();
  private List<String> connect;
  @TempDir Path dir;
  private Path in;

  @BeforeEach
  void start() throws Exception {
    Station t = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    NetNode rig = closer.track(NetNode.builder().id("rig").upstream("127.0.0.1", t.port(), "T").build());
    in = Files.createDirectory(dir.resolve("in"));
    closer.track(Transfers.on(rig)).receiveInto(in);
    Await.registered(t, "rig");
    connect = List.of("--connect", "127.0.0.1:" + t.port(), "--upstream-id", "T");
  }

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  @Test
  void sendFileDeliversTheFileWithItsHash() throws Exception {
    byte[] content = new byte[3_000_000];
    new Random(1).nextBytes(content);
    Path file = Files.write(dir.resolve("task.bin"), content);
    CliRun r = CliRun.of(CliRun.args(List.of("send-file"), CliRun.args(connect, "--to", "rig", file.toString())));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().matches("sent task\\.bin \\(3000000 bytes\\) to rig: sha256 [0-9a-f]{64}, .* MB/s, 0 resume\\(s\\)\n"),
        r.toString());
    assertEquals(-1, Files.mismatch(file, in.resolve("task.bin")));
  }

  @Test
  void aBadNameIsRefusedAndAMissingDirectoryIsABadArgument() throws Exception {
    Path file = Files.write(dir.resolve("x"), new byte[10]);
    CliRun r = CliRun.of(CliRun.args(List.of("send-file"), CliRun.args(connect, "--to", "rig", "--name", "../x",
        file.toString())));
    assertEquals(Main.FAILURE, r.code(), r.toString());
    assertTrue(r.err().contains("bad_name"), r.toString());

    CliRun bad = CliRun.of(CliRun.args(List.of("receive-files"), CliRun.args(connect, "--id", "r", "--dir",
        dir.resolve("missing").toString())));
    assertEquals(Main.BAD_ARGUMENTS, bad.code(), bad.toString());
    assertTrue(bad.err().contains("--dir must be an existing directory"), bad.toString());
  }
}
