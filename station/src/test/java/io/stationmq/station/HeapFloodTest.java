package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A producer far faster than its consumer, in a process with a 256 MiB heap: the heap stays
 * bounded (no OutOfMemoryError), every unconfirmed message that is given up is counted, and no
 * confirmed message sent alongside is lost or handled twice. The fast variant floods for
 * 8 s; the slow one ({@code -Dgroups=slow}) for 60 s.
 */
@Timeout(300)
class HeapFloodTest {
  @Test
  void eightSecondFloodUnder256MiB() throws Exception {
    flood(8);
  }

  @Test
  @Tag("slow")
  void sixtySecondFloodUnder256MiB() throws Exception {
    flood(60);
  }

  private static void flood(int seconds) throws Exception {
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
        HeapFloodMain.class.getName(), String.valueOf(seconds));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String result = null;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("result ")) {
            result = line;
          }
        }
      }
      assertTrue(p.waitFor(seconds + 150L, TimeUnit.SECONDS), "the flood ended");
      assertEquals(0, p.exitValue(), "no OutOfMemoryError or other failure; result: " + result);
      assertNotNull(result, "the child printed its result");
      System.out.println("flood " + seconds + " s under -Xmx256m: " + result.substring(7));
      Map<String, Long> r = new HashMap<>();
      for (String kv : result.substring(7).split(" ")) {
        String[] parts = kv.split("=");
        r.put(parts[0], Long.parseLong(parts[1]));
      }
      assertEquals(0, r.get("lost"), "no confirmed message lost: " + result);
      assertEquals(0, r.get("twice"), "none handled twice: " + result);
      assertEquals(r.get("confirmed"), r.get("succeeded"), "every confirmed message got through: " + result);
      assertTrue(r.get("maxHeapAfterGcMb") < 200, "heap after GC stayed bounded: " + result);
      // What did not reach the consumer is counted: by the producer (its send said so, or its
      // socket thread could not hand it on), by the Station (its write to the slow consumer waited past sendTimeout) or by the consumer. How
      // much is dropped depends on how fast this machine lets the producer run (on a loaded one,
      // nothing may be); that every queued message is handled or counted does not. The Station's
      // count also holds its other dropped writes (a confirmed message's attempt, later repeated),
      // so the sum may exceed what was queued, never fall short of it.
      assertTrue(r.get("floodHandled") <= r.get("unconfirmedQueued"), "nothing handled that was not sent: " + result);
      assertTrue(r.get("floodHandled") + r.get("stationDropped") + r.get("consumerDropped") + r.get("producerDropped")
          >= r.get("unconfirmedQueued"),
          "every queued flood message handled or counted as dropped: " + result);
    } finally {
      p.destroyForcibly();
    }
  }
}
