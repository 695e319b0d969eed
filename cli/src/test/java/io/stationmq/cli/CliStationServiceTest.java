package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code station} run as a service: options from {@code --config FILE} with the command line
 * overriding them, the Prometheus endpoint of {@code --metrics-port} and the web view of {@code
 * --web-port}, in a child process read over HTTP.
 */
@Tag("process")
@Timeout(90)
class CliStationServiceTest {
  private static final Pattern LISTENING = Pattern.compile("listening on tcp://([^:]+):(\\d+) as (\\S+)");
  private static final Pattern METRICS = Pattern.compile("stationmq station: metrics at (http://\\S+)");
  private static final Pattern WEB = Pattern.compile("stationmq station: web view at (http://\\S+) .*");
  private Process child;

  @TempDir
  Path dir;

  @AfterEach
  void stopChild() {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  @Test
  void aStationReadsItsConfigFileTheCommandLineOverridesItAndItServesMetrics() throws Exception {
    Path config = dir.resolve("station.properties");
    Files.writeString(config, String.join("\n",
        "# a Station run as a service",
        "id=FROM_FILE",
        "port=0",
        "bind=127.0.0.1",
        "admin=ops,backup",
        "metrics-port=0",
        "metrics-address=127.0.0.1",
        ""));
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "station", "--config", config.toString(),
        "--id", "T2"));
    Process p = new ProcessBuilder(cmd).start();
    child = p;
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));

    Matcher listening = LISTENING.matcher(String.valueOf(CliProcessTest.readLine(out)));
    assertTrue(listening.matches(), "the station announces itself");
    assertEquals("127.0.0.1", listening.group(1), "bind from the file");
    assertEquals("T2", listening.group(3), "the command line's --id overrides the file's");
    String url = null;
    StringBuilder stderr = new StringBuilder();
    for (String line = CliProcessTest.readLine(err); line != null && url == null; line = url == null ? CliProcessTest.readLine(err) : null) {
      stderr.append(line).append('\n');
      Matcher m = METRICS.matcher(line);
      if (m.matches()) {
        url = m.group(1);
      }
    }
    assertTrue(url != null && url.startsWith("http://127.0.0.1:"), "metrics URL on standard error: " + stderr);
    // The exposure text follows on standard error; it names the admins from the file.
    StringBuilder exposure = new StringBuilder();
    for (String line = CliProcessTest.readLine(err); line != null && !line.contains("To restrict it"); line = CliProcessTest.readLine(err)) {
      exposure.append(line).append('\n');
    }
    assertTrue(exposure.toString().contains("admin ops, backup"), exposure.toString());

    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("stationmq_received_total{endpoint=\"T2\"}"), r.body());
    assertTrue(r.body().contains("stationmq_peers{endpoint=\"T2\",status=\"alive\"} 0"), r.body());
    assertTrue(r.body().contains("jvm_memory_used_bytes"), "the JVM's meters too");

    p.destroy();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops it");
    assertEquals(0, p.exitValue());
  }

  @Test
  void aBadConfigFileExitsTwoNamingTheFileAndKey() throws Exception {
    Path config = dir.resolve("bad.properties");
    Files.writeString(config, "id=T\nport=5560\nprot=1\n");
    CliRun unknown = CliRun.of("station", "--config", config.toString());
    assertEquals(Main.BAD_ARGUMENTS, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("--config " + config + ": unknown key 'prot'"), unknown.toString());

    CliRun missing = CliRun.of("station", "--config", dir.resolve("none.properties").toString());
    assertEquals(Main.BAD_ARGUMENTS, missing.code(), missing.toString());
    assertTrue(missing.err().contains("--config: cannot read " + dir.resolve("none.properties")), missing.toString());

    Files.writeString(config, "port=99999\nid=T\n");
    CliRun badPort = CliRun.of("station", "--config", config.toString());
    assertEquals(Main.BAD_ARGUMENTS, badPort.code(), badPort.toString());
    assertTrue(badPort.err().contains("--port must be 0..65535, got 99999"), badPort.toString());
  }

  @Test
  void theDocumentedExampleConfigNamesOnlyRealOptions() {
    Path example = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("station.properties");
    // A port out of range stops the command after the file was read and found valid.
    CliRun r = CliRun.of("station", "--config", example.toString(), "--port", "70000");
    assertEquals(Main.BAD_ARGUMENTS, r.code(), r.toString());
    assertTrue(r.err().contains("--port must be 0..65535, got 70000"), r.toString());
  }

  @Test
  void aStationServesItsWebViewWithTheMetricsOnOnePort() throws Exception {
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "station", "--id", "W", "--port", "0",
        "--bind", "127.0.0.1", "--metrics-port", "0", "--web-port", "0");
    Process p = new ProcessBuilder(cmd).start();
    child = p;
    BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    String metrics = null;
    String web = null;
    StringBuilder stderr = new StringBuilder();
    for (String line = CliProcessTest.readLine(err); line != null && web == null; line = web == null ? CliProcessTest.readLine(err) : null) {
      stderr.append(line).append('\n');
      Matcher m = METRICS.matcher(line);
      Matcher w = WEB.matcher(line);
      metrics = m.matches() ? m.group(1) : metrics;
      web = w.matches() ? w.group(1) : web;
    }
    assertTrue(metrics != null && web != null && web.startsWith("http://127.0.0.1:"), "both URLs on standard error: " + stderr);
    HttpClient http = HttpClient.newHttpClient();
    for (String url : List.of(metrics, web + "metrics")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), url);
      assertTrue(r.body().contains("stationmq_received_total{endpoint=\"W\"}"), url + ": " + r.body());
    }
    HttpResponse<String> tree = http.send(HttpRequest.newBuilder(URI.create(web + "api/tree")).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, tree.statusCode());
    assertTrue(tree.body().startsWith("{\"station\":\"W\""), tree.body());
    p.destroy();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops it");
    assertEquals(0, p.exitValue());
  }

  @ParameterizedTest
  @CsvSource({"--metrics-port, metrics", "--web-port, the web view"})
  void aPortInUseExitsOneSayingSo(String option, String what) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
      CliRun r;
      try {
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        r = CliRun.of("station", "--id", "T", "--port", "0", "--bind", "127.0.0.1", option, Integer.toString(port));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
      String err = errBytes.toString(StandardCharsets.UTF_8);
      assertEquals(Main.FAILURE, r.code(), r + err);
      assertEquals(1, err.strip().lines().count(), "one line: " + err);
      assertTrue(err.startsWith("stationmq station: cannot serve " + what + " on 127.0.0.1:" + port + ": "), err);
      assertTrue(err.contains("in use"), err);
    }
  }
}
