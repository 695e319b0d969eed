package io.stationmq.station;

import io.stationmq.netnode.EndpointStats;
import io.stationmq.netnode.Station;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A Station in a process of its own, for tests that count what it logs: {@code
 * FloodStationMain ID}. Binds loopback on an ephemeral port and prints {@code port N}; has one
 * listen, {@code BOOM}, that always throws. Each {@code stats} line on stdin is answered with
 * the Station's counters as {@code stats name=value ...}; the end of stdin closes it.
 */
public final class FloodStationMain {
  private FloodStationMain() {}

  public static void main(String[] args) throws Exception {
    try (Station s = Station.builder().id(args[0]).bindAddress("127.0.0.1").port(0)
        .listen("BOOM", m -> {
          throw new IllegalStateException("boom " + m.id());
        }).build()) {
      System.out.println("port " + s.port());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("stats")) {
          EndpointStats st = s.stats();
          System.out.println("stats received=" + st.received() + " unknownKeys=" + st.unknownKeys() + " malformed="
              + st.malformed() + " refused=" + st.refused() + " handlerErrors=" + st.handlerErrors() + " dispatched="
              + st.dispatched());
          System.out.flush();
        }
      }
    }
  }
}
