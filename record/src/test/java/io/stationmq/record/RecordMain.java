package io.stationmq.record;

import io.stationmq.netnode.NetNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A recorder in its own process, for {@link RecorderKillTest}: {@code PORT FILE}; records stream
 * {@code seq} sent to node {@code rec}, prints {@code RECORDING} and runs until killed.
 */
public final class RecordMain {
  private RecordMain() {}

  public static void main(String[] args) throws Exception {
    NetNode node = NetNode.builder().id("rec").upstream("127.0.0.1", Integer.parseInt(args[0]), "T").build();
    if (!node.awaitConnected(Duration.ofSeconds(30))) {
      System.exit(2);
    }
    Recorder.builder().endpoint(node).file(Path.of(args[1])).stream("seq").start();
    System.out.println("RECORDING");
    System.out.flush();
    new CountDownLatch(1).await(); // never counted down: runs until killed, the test's point
  }
}
