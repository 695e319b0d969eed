package io.stationmq.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stationmq.metrics.StationmqMetrics;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The web view over plain HTTP: the JSON snapshot, the event stream, the scrape, bad requests. */
@Timeout(60)
class WebViewTest {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void treeShowsEveryEndpointWithStatusRatesStreamsAndWarnings() throws Exception {
    try (Topology net = new Topology(); WebView web = WebView.builder(net.terminal).bind("127.0.0.1", 0).events(net.events).start()) {
      assertTrue(web.url().startsWith("http://127.0.0.1:"), web.url());
      for (int i = 0; i < 5; i++) {
        net.desk.sendConfirmed("T", "DATA", i).get(10, TimeUnit.SECONDS);
      }
      net.desk.sendConfirmed("T", "NOBODY_LISTENS", 1).get(10, TimeUnit.SECONDS);
      net.stream(100);
      Await.until("the tree lists every endpoint alive", () -> statuses(tree(web)).equals(Map.of(
          "T", "self", "desk", "alive", "rig_1", "alive", "ctrl_a", "alive", "ctrl_b", "alive"))
          && net.terminal.receivedStreams().size() == 1);
      JsonNode tree = tree(web);
      JsonNode ctrlA = row(tree, "ctrl_a");
      assertEquals(2, ctrlA.path("depth").asInt());
      assertEquals("rig_1/ctrl_a", ctrlA.path("path").get(0).asText() + "/" + ctrlA.path("path").get(1).asText());
      assertTrue(ctrlA.path("rtt_us").asLong() >= 0 || ctrlA.path("rtt_us").asLong() == -1, ctrlA.toString());
      assertTrue(ctrlA.path("last_heard_ms").asLong() >= 0, ctrlA.toString());

      Await.until("per-key counts", () -> key(tree(web), "DATA") == 5 && key(tree(web), "NOBODY_LISTENS") == 1);
      JsonNode stream = tree(web).path("streams").get(0);
      assertTrue(stream.path("sender").asText().startsWith("ctrl_a"), stream.toString()); // the stream's own id
      assertEquals("SENSOR", stream.path("key").asText());
      assertEquals(100, stream.path("samples").asLong());
      assertEquals(0, stream.path("gaps").asLong());
      Await.until("the unknown key among the warnings", () -> tree(web).path("events").toString()
          .contains("no listen for 'NOBODY_LISTENS'"));
      assertEquals(net.terminal.receivedByKey().get("DATA"), 5L);

      net.ctrlB.close();
      Await.until("ctrl_b gone", Duration.ofSeconds(10), () -> "gone".equals(statuses(tree(web)).get("ctrl_b")));
      assertEquals("alive", statuses(tree(web)).get("ctrl_a"));
    }
    Threads.assertNoneLeft("stationmq-web-");
  }

  @Test
  void eventsPushSnapshots() throws Exception {
    try (Topology net = new Topology();
        WebView web = WebView.builder(net.terminal).bind("127.0.0.1", 0).interval(Duration.ofMillis(100)).start()) {
      HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(web.url() + "events")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
      try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        int snapshots = 0;
        String event = null;
        for (String line = in.readLine(); line != null && snapshots < 3; line = in.readLine()) {
          if (line.equals("event: snapshot")) {
            event = line;
          } else if (line.startsWith("data: ") && event != null) {
            JsonNode s = JSON.readTree(line.substring(6));
            assertEquals("T", s.path("station").asText());
            assertEquals("T", s.path("tree").get(0).path("id").asText());
            snapshots++;
            event = null;
          }
        }
        assertEquals(3, snapshots, "three snapshots pushed");
      }
    }
  }

  @Test
  void metricsServesTheScrapeOnTheSamePort() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Topology net = new Topology()) {
      StationmqMetrics metrics = StationmqMetrics.bind(net.terminal, registry);
      try (WebView web = WebView.builder(net.terminal).bind("127.0.0.1", 0).metrics(() -> {
        metrics.refresh();
        return registry.scrape();
      }).start()) {
        for (int i = 0; i < 7; i++) {
          net.desk.sendConfirmed("T", "DATA", i).get(10, TimeUnit.SECONDS);
        }
        HttpResponse<String> r = get(web.url() + "metrics", 200);
        assertEquals(WebView.PROMETHEUS_TEXT, r.headers().firstValue("Content-Type").orElse(""));
        Await.equal("the scraped dispatched count", (double) net.terminal.stats().dispatched(),
            () -> parse(get(web.url() + "metrics", 200).body()).get("stationmq_dispatched_total{endpoint=\"T\"}"));
        assertTrue(net.terminal.stats().dispatched() >= 7);
        assertEquals(200, get(web.url() + "api/tree", 200).statusCode()); // both on one port
      } finally {
        metrics.unbind();
        registry.close();
      }
    }
  }

  @Test
  void badRequestsAreRefusedAndCounted() throws Exception {
    try (Topology net = new Topology(); WebView web = WebView.builder(net.terminal).bind("127.0.0.1", 0).maxClients(1).start()) {
      assertTrue(get(web.url(), 200).body().contains("<title>stationmq</title>"));
      get(web.url() + "nope", 404);
      get(web.url() + "metrics", 404); // no scrape given
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(web.url() + "api/tree"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      assertEquals(3, web.badRequests());

      HttpResponse<InputStream> first = http.send(HttpRequest.newBuilder(URI.create(web.url() + "events")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, first.statusCode());
      get(web.url() + "events", 503); // one stream at most
      first.body().close();
    }
  }

  @Test
  void aPortInUseIsReportedWithTheAddress() throws Exception {
    try (Topology net = new Topology(); WebView web = WebView.builder(net.terminal).bind("127.0.0.1", 0).start()) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> WebView.builder(net.terminal).bind("127.0.0.1", web.port()).start());
      assertTrue(e.getMessage().startsWith("cannot serve the web view on 127.0.0.1:" + web.port()), e.getMessage());
    }
  }

  static JsonNode tree(WebView web) {
    try {
      return JSON.readTree(get(web.url() + "api/tree", 200).body());
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, String> statuses(JsonNode tree) {
    Map<String, String> out = new TreeMap<>();
    tree.path("tree").forEach(r -> out.put(r.path("id").asText(), r.path("status").asText()));
    return out;
  }

  private static JsonNode row(JsonNode tree, String id) {
    for (JsonNode r : tree.path("tree")) {
      if (r.path("id").asText().equals(id)) {
        return r;
      }
    }
    throw new AssertionError(id + " not in " + tree);
  }

  private static long key(JsonNode tree, String key) {
    for (JsonNode k : tree.path("keys")) {
      if (k.path("key").asText().equals(key)) {
        return k.path("count").asLong();
      }
    }
    return -1;
  }

  static HttpResponse<String> get(String url, int expected) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(expected, r.statusCode(), url + ": " + r.body());
      return r;
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Prometheus text lines {@code name{labels} value}, comments skipped. */
  private static Map<String, Double> parse(String scrape) {
    Map<String, Double> samples = new TreeMap<>();
    Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)$");
    for (String l : scrape.split("\n")) {
      Matcher m = line.matcher(l);
      if (!l.startsWith("#") && m.matches()) {
        samples.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    return samples;
  }
}
