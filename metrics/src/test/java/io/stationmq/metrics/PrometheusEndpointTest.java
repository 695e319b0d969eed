package io.stationmq.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PrometheusEndpointTest {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void scrapeCarriesTheCountersInPrometheusTextFormat() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Station station = Station.builder().id("T").port(0).bindAddress("127.0.0.1").build();
        NetNode a = NetNode.builder().id("a").upstream("127.0.0.1", station.port(), "T").build();
        NetNode b = NetNode.builder().id("b").upstream("127.0.0.1", station.port(), "T").listen("DATA", m -> { }).build()) {
      StationmqMetrics metrics = StationmqMetrics.bind(station, registry);
      Await.registered(station, "a");
      Await.registered(station, "b");
      for (int i = 0; i < 50; i++) {
        a.sendConfirmed("b", "DATA", i).get(10, TimeUnit.SECONDS);
      }
      Await.equal("b's dispatched", 50L, () -> b.stats().dispatched());
      try (PrometheusEndpoint endpoint = PrometheusEndpoint.builder(registry).port(0).beforeScrape(metrics::refresh).start()) {
        assertTrue(endpoint.url().startsWith("http://127.0.0.1:"), endpoint.url());
        Await.equal("the scraped forwarded count", (double) station.stats().forwarded(),
            () -> parse(get(endpoint.url(), 200).body()).get("stationmq_forwarded_total{endpoint=\"T\"}"));

        HttpResponse<String> r = get(endpoint.url(), 200);
        assertEquals(PrometheusEndpoint.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
        Map<String, Double> samples = parse(r.body());
        assertEquals((double) station.stats().received(), samples.get("stationmq_received_total{endpoint=\"T\"}"));
        assertTrue(samples.get("stationmq_received_total{endpoint=\"T\"}") >= 100, r.body());
        assertEquals(0.0, samples.get("stationmq_in_flight{endpoint=\"T\"}"));
        assertEquals(2.0, samples.get("stationmq_peers{endpoint=\"T\",status=\"alive\"}"));
        assertTrue(r.body().contains("# TYPE stationmq_confirms_sent_total counter"), r.body());

        assertEquals(404, get(endpoint.url().replace("/metrics", "/other"), 404).statusCode());
        assertEquals(1, endpoint.badRequests());
      }
    }
    Threads.assertNoneLeft();
  }

  @Test
  void aPortInUseIsAClearError() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> PrometheusEndpoint.builder(registry).port(taken.getLocalPort()).start());
      assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": "),
          e.getMessage());
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
    Threads.assertNoneLeft("stationmq-metrics-");
  }

  @Test
  void closeEndsItsThreads() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PrometheusEndpoint endpoint = PrometheusEndpoint.builder(registry).port(0).start();
    get(endpoint.url(), 200);
    assertTrue(Threads.endpointThreads().contains("stationmq-metrics-http-" + endpoint.port()), Threads.endpointThreads().toString());
    endpoint.close();
    endpoint.close();
    Threads.assertNoneLeft("stationmq-metrics-");
    Await.until("the JDK's HTTP-Dispatcher thread ended", () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().equals("HTTP-Dispatcher")));
  }

  private static HttpResponse<String> get(String url, int expected) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(expected, r.statusCode(), r.body());
      return r;
    } catch (Exception e) {
      throw new AssertionError("GET " + url + " failed", e);
    }
  }

  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})?) (\\S+)( -?\\d+)?");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  /** Parses the text exposition format 0.0.4, failing on any line it does not allow; samples by name and labels. */
  static Map<String, Double> parse(String body) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : body.split("\n")) {
      if (line.isEmpty() || (line.startsWith("#") && !line.startsWith("# HELP") && !line.startsWith("# TYPE"))) {
        continue;
      }
      if (line.startsWith("#")) {
        assertTrue(COMMENT.matcher(line).matches(), "not a HELP or TYPE line: " + line);
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a sample line: " + line);
      samples.put(m.group(1), Double.parseDouble(m.group(2).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
    }
    return samples;
  }
}
