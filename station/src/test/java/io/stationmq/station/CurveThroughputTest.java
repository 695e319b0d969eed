package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.CurveKeys;
import io.stationmq.netnode.CurveSecurity;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a check: confirmed messages node → station → node (window 1,000) with and
 * without CURVE in the same run, alternating; prints msgs/s and the ratio. Slow-tagged.
 */
@Tag("slow")
@Timeout(600)
class CurveThroughputTest {
  private static final int MESSAGES = 30_000;
  private static final int WINDOW = 1_000;

  @TempDir
  Path dir;

  @Test
  void securedVersusUnsecuredConfirmedThroughAStation() throws Exception {
    CurveKeys st = CurveKeys.generate();
    CurveKeys a = CurveKeys.generate();
    CurveKeys b = CurveKeys.generate();
    a.save(dir.resolve("allowed"), "a");
    b.save(dir.resolve("allowed"), "b");
    double[] plain = new double[3];
    double[] curve = new double[3];
    for (int round = 0; round < 3; round++) {
      plain[round] = run(null, null, null);
      curve[round] = run(st, a, b);
    }
    java.util.Arrays.sort(plain);
    java.util.Arrays.sort(curve);
    System.out.printf("confirmed node -> station -> node, window %d, %d msgs, median of 3: unsecured %.0f msgs/s,"
        + " CURVE %.0f msgs/s, ratio %.2f%n", WINDOW, MESSAGES, plain[1], curve[1], curve[1] / plain[1]);
    assertTrue(curve[1] > 0);
  }

  private double run(CurveKeys st, CurveKeys a, CurveKeys b) throws Exception {
    Station.Builder sb = Station.builder().id("S").bindAddress("127.0.0.1");
    if (st != null) {
      sb.security(CurveSecurity.builder(st).allowed(dir.resolve("allowed")).build());
    }
    try (Station s = sb.build();
         NetNode rx = node("rx", s, st, b).listen("N", m -> { }).build();
         NetNode tx = node("tx", s, st, a).build()) {
      Await.registered(s, "rx");
      Await.registered(s, "tx");
      for (int i = 0; i < 2_000; i++) { // warm-up
        tx.sendConfirmed("rx", "N", Map.of("i", i)).get(10, TimeUnit.SECONDS);
      }
      ArrayDeque<CompletableFuture<?>> window = new ArrayDeque<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) {
        if (window.size() >= WINDOW) {
          window.poll().get(30, TimeUnit.SECONDS);
        }
        window.add(tx.sendConfirmed("rx", "N", Map.of("i", i, "trial", 3, "correct", true)));
      }
      for (CompletableFuture<?> f : window) {
        f.get(30, TimeUnit.SECONDS);
      }
      return MESSAGES / ((System.nanoTime() - t0) / 1e9);
    }
  }

  private static NetNode.Builder node(String id, Station s, CurveKeys st, CurveKeys keys) {
    NetNode.Builder nb = NetNode.builder().id(id).upstream("127.0.0.1", s.port(), "S");
    if (st != null) {
      nb.security(CurveSecurity.builder(keys).upstreamKey(CurveKeys.ofPublic(st.publicKey())).build());
    }
    return nb;
  }
}
