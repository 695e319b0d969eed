package io.stationmq.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link PrometheusMeterRegistry} as a Prometheus scrape endpoint: {@code GET
 * /metrics} answers the registry in the text exposition format 0.0.4, on the JDK's built-in
 * HTTP server. Other paths answer 404, other methods 405; both are counted ({@link
 * #badRequests()}) and logged at most once a minute.
 *
 * <p>Binds {@code 127.0.0.1} unless told otherwise: the counters say who talks to whom and how
 * much, and the endpoint has no authentication, so exposing it is a choice ({@link
 * Builder#address(String)}). One thread, {@code stationmq-metrics-http-PORT}, answers requests
 * one at a time. Thread-safe; {@link #close()} stops the server and its thread and is
 * idempotent. {@link Builder#start()} fails with an {@link UncheckedIOException} naming the
 * address and port when it cannot bind (a port in use, an address this machine lacks).
 */
public final class PrometheusEndpoint implements AutoCloseable {
  /** The content type of the text exposition format this endpoint serves. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger log = LoggerFactory.getLogger(PrometheusEndpoint.class);
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;

  private final PrometheusMeterRegistry registry;
  private final List<Runnable> beforeScrape;
  private final HttpServer server;
  private final ExecutorService thread;
  private final AtomicLong badRequests = new AtomicLong();
  private final AtomicLong lastBadLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  private PrometheusEndpoint(Builder b) throws IOException {
    this.registry = b.registry;
    this.beforeScrape = List.copyOf(b.beforeScrape);
    InetSocketAddress where = new InetSocketAddress(InetAddress.getByName(b.address), b.port);
    this.server = HttpServer.create(where, 16);
    int port = server.getAddress().getPort();
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "stationmq-metrics-http-" + port);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(thread);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A builder serving {@code registry}. */
  public static Builder builder(PrometheusMeterRegistry registry) {
    if (registry == null) {
      throw new IllegalArgumentException("registry is null");
    }
    return new Builder(registry);
  }

  /** The port it listens on (the one chosen when built with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The scrape URL, {@code http://HOST:PORT/metrics}. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics";
  }

  /** Requests answered 404 or 405 since it started. */
  public long badRequests() {
    return badRequests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    thread.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        refuse(exchange, 404, "not found: the metrics are at /metrics\n");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        refuse(exchange, 405, "method not allowed: GET /metrics\n");
        return;
      }
      beforeScrape.forEach(Runnable::run);
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (RuntimeException e) {
      log.warn("metrics scrape failed: {}", e.toString());
    }
  }

  private void refuse(HttpExchange exchange, int status, String why) throws IOException {
    long n = badRequests.incrementAndGet();
    long now = System.nanoTime();
    long last = lastBadLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastBadLog.compareAndSet(last, now)) {
      log.info("metrics endpoint answered {} to {} {} from {} ({} such requests so far)", status,
          exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRemoteAddress(), n);
    }
    byte[] body = why.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Builds and starts a {@link PrometheusEndpoint}. Not thread-safe. */
  public static final class Builder {
    private final PrometheusMeterRegistry registry;
    private final List<Runnable> beforeScrape = new ArrayList<>();
    private String address = "127.0.0.1";
    private int port = 9464;

    private Builder(PrometheusMeterRegistry registry) {
      this.registry = registry;
    }

    /** The address to bind (default {@code 127.0.0.1}; {@code 0.0.0.0} or {@code ::} for every interface). */
    public Builder address(String address) {
      if (address == null || address.isBlank()) {
        throw new IllegalArgumentException("address is empty");
      }
      this.address = address;
      return this;
    }

    /** The port, 0..65535 (default 9464; 0: any free port, see {@link PrometheusEndpoint#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** Runs {@code task} before each scrape, such as {@link StationmqMetrics#refresh()}. */
    public Builder beforeScrape(Runnable task) {
      if (task == null) {
        throw new IllegalArgumentException("task is null");
      }
      beforeScrape.add(task);
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException when it cannot bind, saying where and why
     */
    public PrometheusEndpoint start() {
      try {
        return new PrometheusEndpoint(this);
      } catch (BindException e) {
        throw new UncheckedIOException("cannot serve metrics on " + address + ":" + port + ": "
            + (e.getMessage() == null ? "bind failed" : e.getMessage().toLowerCase(java.util.Locale.ROOT)), e);
      } catch (UnknownHostException e) {
        throw new UncheckedIOException("cannot serve metrics on " + address + ": unknown host", e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve metrics on " + address + ":" + port + ": " + e.getMessage(), e);
      }
    }
  }
}
