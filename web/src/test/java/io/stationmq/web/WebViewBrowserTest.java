package io.stationmq.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The page in a real headless browser (Debian's chromium over the DevTools Protocol): it loads,
 * shows the whole tree alive, and a node that stops turns gone within its heartbeat tolerance.
 * Skipped where chromium is missing.
 */
@Timeout(90)
class WebViewBrowserTest {
  /** Each row of the page's tree: id to the status its badge shows. */
  private static final String ROWS = "JSON.stringify(Object.fromEntries(Array.from("
      + "document.querySelectorAll('#tree tbody tr[data-id]')).map(r => [r.dataset.id, "
      + "r.querySelector('.badge').textContent])))";

  @Test
  void pageShowsTheTreeLiveAndANodeThatStopsTurnsGone() throws Exception {
    Path executable = Chromium.find();
    Assumptions.assumeTrue(executable != null,
        "chromium is not installed (apt-get install chromium, or set STATIONMQ_CHROMIUM): browser test skipped");
    try (Topology net = new Topology(); WebView web = WebView.builder(net.terminal).bind("127.0.0.1", 0).events(net.events).start();
        Chromium browser = new Chromium(executable, web.url(), 1200, 800)) {
      Map<String, String> allAlive = Map.of("T", "self", "desk", "alive", "rig_1", "alive", "ctrl_a", "alive",
          "ctrl_b", "alive");
      Await.until("the page shows every endpoint alive", Duration.ofSeconds(20), () -> rows(browser).equals(allAlive));
      assertEquals("T", browser.evaluate("document.getElementById('station').textContent").asText());
      assertTrue(browser.evaluate("document.getElementById('conn').textContent").asText().startsWith("live"),
          "the page gets the event stream");

      long stopped = System.nanoTime();
      net.ctrlB.close();
      Duration tolerance = Topology.HEARTBEAT.multipliedBy(Topology.TOLERANCE);
      // Gone after the tolerance of silence, seen at the child Station's next liveness check,
      // its next DIRECTORY answer and the page's next snapshot: a few intervals on top.
      Await.until("the page shows ctrl_b gone", tolerance.plusSeconds(5), () -> "gone".equals(rows(browser).get("ctrl_b")));
      Duration took = Duration.ofNanos(System.nanoTime() - stopped);
      assertEquals("alive", rows(browser).get("ctrl_a"));
      System.out.printf("ctrl_b shown gone %d ms after it stopped (tolerance %d ms)%n", took.toMillis(), tolerance.toMillis());
    }
  }

  private static Map<String, String> rows(Chromium browser) {
    JsonNode value = browser.evaluate(ROWS);
    Map<String, String> out = new TreeMap<>();
    try {
      new com.fasterxml.jackson.databind.ObjectMapper().readTree(value.asText())
          .fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + value, e);
    }
    return out;
  }
}
