package io.stationmq.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A headless Debian chromium driven over the Chrome DevTools Protocol, with the JDK's own HTTP
 * client and WebSocket: starts the browser on a free debugging port ({@code
 * --remote-debugging-port=0}, read back from {@code DevToolsActivePort} in its profile folder),
 * opens one page and evaluates JavaScript in it. Closing ends the browser and removes its profile.
 * For tests only; not thread-safe.
 */
final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  /** The chromium executable, or null when this machine has none ({@code STATIONMQ_CHROMIUM} overrides). */
  static Path find() {
    String configured = System.getenv("STATIONMQ_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      return Files.isExecutable(Path.of(configured)) ? Path.of(configured) : null;
    }
    return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
  }

  /** Starts {@code executable} headless and opens {@code url} in a page of {@code width} x {@code height}. */
  Chromium(Path executable, String url, int width, int height) throws IOException, InterruptedException {
    profile = Files.createTempDirectory("stationmq-chromium-");
    process = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
        "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank")
        .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    try {
      int port = debuggingPort(Duration.ofSeconds(30));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> target = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/json/new?" + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody())
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      String ws = JSON.readTree(target.body()).path("webSocketDebuggerUrl").asText();
      socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new Replies()).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new IOException("chromium did not start (see its log in " + profile + "): " + e, e);
    }
  }

  /** Evaluates {@code expression} in the page and returns its value (JSON), waiting up to 10 s. */
  JsonNode evaluate(String expression) {
    ObjectNode params = JSON.createObjectNode().put("expression", expression).put("returnByValue", true);
    JsonNode reply = call("Runtime.evaluate", params);
    if (reply.has("exceptionDetails")) {
      throw new IllegalStateException("the page threw: " + reply.path("exceptionDetails"));
    }
    return reply.path("result").path("value");
  }

  private JsonNode call(String method, ObjectNode params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode request = JSON.createObjectNode().put("id", id).put("method", method);
    request.set("params", params);
    socket.sendText(request.toString(), true).join();
    try {
      JsonNode r = reply.get(10, TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new IllegalStateException(method + " failed: " + r.path("error"));
      }
      return r.path("result");
    } catch (Exception e) {
      throw new IllegalStateException(method + " got no answer: " + e, e);
    } finally {
      pending.remove(id);
    }
  }

  private int debuggingPort(Duration timeout) throws IOException {
    Path file = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file);
        if (!lines.isEmpty() && !lines.get(0).isBlank()) {
          return Integer.parseInt(lines.get(0).trim());
        }
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("no DevToolsActivePort (chromium " + (process.isAlive() ? "still starting" : "exited") + ")");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the polling interval of a deadline-bounded wait
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary profile is harmless
    }
  }

  /** Collects each message (sent in parts when long) and completes the call with its id; events are ignored. */
  private final class Replies implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          CompletableFuture<JsonNode> reply = message.has("id") ? pending.get(message.path("id").asInt()) : null;
          if (reply != null) {
            reply.complete(message);
          }
        } catch (IOException e) {
          // not JSON: nothing waits for it
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
