package io.stationmq.station;

import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import java.time.Duration;

/**
 * A NetNode in a process of its own, for tests that kill it: {@code ChildNodeMain PORT
 * STATION_ID NODE_ID}. Heartbeats every 100 ms (tolerance 5), like the test's endpoints. Runs
 * until its stdin ends (the parent closed it, or died) or it is killed.
 */
public final class ChildNodeMain {
  private ChildNodeMain() {}

  public static void main(String[] args) throws Exception {
    EndpointOptions options = EndpointOptions.builder().heartbeatInterval(Duration.ofMillis(100)).livenessTolerance(5)
        .build();
    try (NetNode node = NetNode.builder().id(args[2]).upstream("127.0.0.1", Integer.parseInt(args[0]), args[1])
        .options(options).build()) {
      System.out.println("ready " + node.id());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Blocks until the parent closes stdin (or the process is killed).
      }
    }
  }
}
