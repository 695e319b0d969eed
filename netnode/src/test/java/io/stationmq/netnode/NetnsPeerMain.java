package io.stationmq.netnode;

import java.io.IOException;
import java.io.InputStream;
import io.stationmq.netnode.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link DiscoveryNetnsTest}, run inside a network namespace.
 *
 * <ul>
 *   <li>{@code station ID:NETWORK...}: a Station per pair, announcing on the default beacon port
 *       to each interface's broadcast address; prints {@code READY}, then {@code GOT ID KEY} for
 *       each DATA message, and runs until its standard input closes.
 *   <li>{@code node NETWORK STATION}: a NetNode that discovers {@code STATION}, sends it one
 *       confirmed DATA message and prints {@code CONFIRMED UPSTREAM_ADDRESS FOREIGN_BEACONS}
 *       once a beacon of another network was heard too; exit 0, or 1 with a reason.
 * </ul>
 */
public final class NetnsPeerMain {
  private NetnsPeerMain() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("station")) {
      stations(args);
    } else {
      System.exit(node(args[1], args[2]));
    }
  }

  private static void stations(String[] args) throws IOException {
    List<Station> stations = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] pair = args[i].split(":");
      String id = pair[0];
      stations.add(Station.builder().id(id).announce(pair[1])
          .listen("DATA", m -> System.out.println("GOT " + id + " " + m.key())).build());
    }
    System.out.println("READY");
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // until the test closes our input
    }
    stations.forEach(Station::close);
  }

  private static int node(String network, String station) throws Exception {
    try (NetNode node = NetNode.builder().id("rig").discover(network, station).build()) {
      if (!node.awaitConnected(Duration.ofSeconds(30))) {
        System.out.println("FAILED not connected: " + node.upstreamState());
        return 1;
      }
      node.sendConfirmed(station, "DATA", Map.of("from", "netns")).get(20, TimeUnit.SECONDS);
      BeaconListener heard = node.finder().listener();
      try {
        Await.until("a beacon of another network", Duration.ofSeconds(20), () -> heard.foreignNetwork.sum() > 0);
      } catch (AssertionError none) {
        // reported below as a count of 0, which the test checks
      }
      String address = node.finder().listener().latest(network, station, Long.MAX_VALUE).address();
      System.out.println("CONFIRMED " + address + " " + heard.foreignNetwork.sum());
      return 0;
    }
  }
}
