package io.stationmq.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stationmq.netnode.Station;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live web view of a running network, served by the process that runs a {@link Station}: the
 * tree of Stations and nodes below it with their liveness, last heard and round trip, message
 * rates per key and per peer, stream rates and lost batches, the Station's counters and its
 * recent warnings, updated every {@link Builder#interval(Duration) interval} (500 ms).
 *
 * <pre>{@code
 * RecentEvents events = RecentEvents.create();
 * try (Station t = Station.builder().id("T").port(5560)
 *         .options(EndpointOptions.builder().listener(events).build()).build();
 *     WebView web = WebView.builder(t).bind("127.0.0.1", 8080).events(events).start()) {
 *   System.out.println("open " + web.url());
 *   t.awaitClosed();
 * }
 * }</pre>
 *
 * <p>Paths: {@code /} the page (one HTML file with plain JavaScript, nothing fetched from
 * elsewhere, so it works offline), {@code /api/tree} the latest snapshot as JSON, {@code
 * /events} the snapshots as server-sent events ({@code event: snapshot}), and {@code /metrics},
 * when {@link Builder#metrics(Supplier)} gives a Prometheus scrape, that scrape (so one port
 * serves both). Other paths answer 404, other methods than GET and HEAD 405; both are counted
 * ({@link #badRequests()}) and logged at most once a minute.
 *
 * <p>Cost: nothing while nobody looks; while a page is open or {@code /api/tree} was asked in the
 * last 10 s, one snapshot per interval (the Station's directory, counters and streams, and one
 * {@code DIRECTORY} request to each Station below, at most one in flight each), shared by every
 * client. No authentication: binds {@code 127.0.0.1} unless {@link Builder#bind(String, int)} says
 * otherwise, as the view shows who talks to whom.
 *
 * <p>Threads: {@code stationmq-web-PORT-snapshots} takes the snapshots (off the socket loop: it
 * reads the Station's snapshots and sends requests like any caller), {@code
 * stationmq-web-PORT-http-N} answer requests (an event stream holds one while it is open; at most
 * {@link Builder#maxClients(int)} streams, more are answered 503; a client that takes longer
 * than 2 s to take one snapshot is dropped; only the latest snapshot is kept, never a queue per
 * client), and the JDK's {@code HTTP-Dispatcher}. Thread-safe; {@link #close()} ends them all and
 * is idempotent; it does not close the Station. {@link Builder#start()} fails with an {@link
 * UncheckedIOException} naming the address and port when it cannot bind.
 */
public final class WebView implements AutoCloseable {
  /** The content type of {@code /metrics}: Prometheus's text exposition format 0.0.4. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger log = LoggerFactory.getLogger(WebView.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long WATCHED_FOR_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long SLOW_CLIENT_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final Station station;
  private final Supplier<String> metrics;
  private final long intervalNanos;
  private final Snapshotter snapshotter;
  private final EventStream stream;
  private final byte[] page;
  private final HttpServer server;
  private final ThreadPoolExecutor requests;
  private final ScheduledThreadPoolExecutor snapshots;
  private final AtomicLong badRequests = new AtomicLong();
  private final AtomicLong lastBadLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private final AtomicLong lastAsked = new AtomicLong(System.nanoTime() - WATCHED_FOR_NANOS);
  private volatile Published latest;

  private record Published(byte[] json, long atNanos) {}

  private WebView(Builder b) throws IOException {
    this.station = b.station;
    this.metrics = b.metrics;
    this.intervalNanos = b.interval.toNanos();
    this.snapshotter = new Snapshotter(b.station, b.events, new ChildDirectories(b.station, b.childTimeout), b.interval);
    this.stream = new EventStream(b.maxClients, SLOW_CLIENT_NANOS);
    this.page = resource("index.html");
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(b.address), b.port), 32);
    int port = server.getAddress().getPort();
    AtomicInteger n = new AtomicInteger();
    this.requests = new ThreadPoolExecutor(b.maxClients + 4, b.maxClients + 4, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> daemon(r, "stationmq-web-" + port + "-http-" + n.incrementAndGet()));
    requests.allowCoreThreadTimeOut(true);
    this.snapshots = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "stationmq-web-" + port + "-snapshots"));
    server.setExecutor(requests);
    server.createContext("/", this::handle);
    server.start();
    snapshots.scheduleWithFixedDelay(this::tick, 0, intervalNanos, TimeUnit.NANOSECONDS);
  }

  /** A builder for a view of {@code station}. */
  public static Builder builder(Station station) {
    if (station == null) {
      throw new IllegalArgumentException("station is null");
    }
    return new Builder(station);
  }

  /** The port it listens on (the one chosen when built with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The page's URL, {@code http://HOST:PORT/}. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
  }

  /** Requests answered 404 or 405 since it started. */
  public long badRequests() {
    return badRequests.get();
  }

  /** Event-stream clients dropped for reading too slowly since it started. */
  public long slowClientsDropped() {
    return stream.dropped();
  }

  @Override
  public void close() {
    snapshots.shutdownNow();
    stream.close();
    server.stop(0);
    requests.shutdownNow();
  }

  @Override
  public String toString() {
    return "WebView{" + station.id() + " at " + url() + "}";
  }

  /** One turn of the snapshot thread: a snapshot when someone looks. */
  private void tick() {
    try {
      if (stream.clients() > 0 || System.nanoTime() - lastAsked.get() < WATCHED_FOR_NANOS) {
        refresh();
      }
    } catch (RuntimeException e) {
      log.warn("web view of {}: snapshot failed: {}", station.id(), e.toString());
    }
  }

  private byte[] refresh() {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(snapshotter.build());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the snapshot", e);
    }
    latest = new Published(json, System.nanoTime());
    stream.publish(json);
    return json;
  }

  /** The latest snapshot when it is recent, else a new one. */
  private byte[] tree() {
    lastAsked.set(System.nanoTime());
    Published p = latest;
    return p != null && System.nanoTime() - p.atNanos() < intervalNanos ? p.json() : refresh();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      boolean known = path.equals("/") || path.equals("/index.html") || path.equals("/api/tree")
          || path.equals("/events") || (path.equals("/metrics") && metrics != null);
      if (!known) {
        refuse(exchange, 404, "not found: the view is at /, its data at /api/tree and /events"
            + (metrics == null ? "" : ", the metrics at /metrics") + "\n");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        refuse(exchange, 405, "method not allowed: GET " + path + "\n");
        return;
      }
      switch (path) {
        case "/events" -> {
          lastAsked.set(System.nanoTime());
          stream.serve(exchange);
        }
        case "/api/tree" -> answer(exchange, 200, "application/json", tree());
        case "/metrics" -> answer(exchange, 200, PROMETHEUS_TEXT, metrics.get().getBytes(StandardCharsets.UTF_8));
        default -> {
          exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
              + "script-src 'self' 'unsafe-inline'");
          answer(exchange, 200, "text/html; charset=utf-8", page);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    } catch (IOException e) {
      log.debug("web view: a client went: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("web view of {}: answering {} failed: {}", station.id(), exchange.getRequestURI(), e.toString());
    }
  }

  /** Answers {@code body} (headers only for HEAD). */
  static void answer(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void refuse(HttpExchange exchange, int status, String why) throws IOException {
    long count = badRequests.incrementAndGet();
    long now = System.nanoTime();
    long last = lastBadLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastBadLog.compareAndSet(last, now)) {
      log.info("web view answered {} to {} {} from {} ({} such requests so far)", status, exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(), exchange.getRemoteAddress(), count);
    }
    answer(exchange, status, "text/plain; charset=utf-8", why.getBytes(StandardCharsets.UTF_8));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = WebView.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " missing from the jar");
      }
      return in.readAllBytes();
    }
  }

  /** Builds and starts a {@link WebView}. Not thread-safe. */
  public static final class Builder {
    private final Station station;
    private String address = "127.0.0.1";
    private int port = 8080;
    private RecentEvents events;
    private Supplier<String> metrics;
    private Duration interval = Duration.ofMillis(500);
    private Duration childTimeout = Duration.ofSeconds(2);
    private int maxClients = 16;

    private Builder(Station station) {
      this.station = station;
    }

    /**
     * Where to listen: {@code address} (default {@code 127.0.0.1}; {@code 0.0.0.0} or {@code ::}
     * for every interface, which shows the network to anyone who can reach it) and {@code port},
     * 0..65535 (default 8080; 0: any free port, see {@link WebView#port()}).
     */
    public Builder bind(String address, int port) {
      if (address == null || address.isBlank()) {
        throw new IllegalArgumentException("address is empty");
      }
      InetSocketAddress.createUnresolved(address, port); // checks the port's range
      this.address = address;
      this.port = port;
      return this;
    }

    /** The Station's recent warnings to show (the listener given to its options); none without. */
    public Builder events(RecentEvents events) {
      this.events = events;
      return this;
    }

    /**
     * Serves {@code scrape} at {@code /metrics} as Prometheus text (for instance {@code () -> {
     * binder.refresh(); return registry.scrape(); }} with the metrics module's registry); without
     * it {@code /metrics} is 404. Called on a request thread, once per scrape.
     */
    public Builder metrics(Supplier<String> scrape) {
      this.metrics = scrape;
      return this;
    }

    /** How often a snapshot is taken and pushed while someone looks, 100 ms..60 s (default 500 ms). */
    public Builder interval(Duration interval) {
      if (interval == null || interval.toMillis() < 100 || interval.toSeconds() > 60) {
        throw new IllegalArgumentException("interval must be 100 ms..60 s, got " + interval);
      }
      this.interval = interval;
      return this;
    }

    /** How long a Station below may take to answer its {@code DIRECTORY} (default 2 s). */
    public Builder childTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("childTimeout must be positive, got " + timeout);
      }
      this.childTimeout = timeout;
      return this;
    }

    /** At most this many event streams at once, 1..1000 (default 16); more are answered 503. */
    public Builder maxClients(int max) {
      if (max < 1 || max > 1000) {
        throw new IllegalArgumentException("maxClients must be 1..1000, got " + max);
      }
      this.maxClients = max;
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException when it cannot bind, saying where and why
     */
    public WebView start() {
      try {
        return new WebView(this);
      } catch (UnknownHostException e) {
        throw new UncheckedIOException("cannot serve the web view on " + address + ": unknown host", e);
      } catch (IOException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage().toLowerCase(Locale.ROOT);
        throw new UncheckedIOException("cannot serve the web view on " + address + ":" + port + ": " + why, e);
      }
    }
  }
}
