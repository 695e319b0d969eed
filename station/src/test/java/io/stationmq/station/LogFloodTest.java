package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RawPeer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flood of bad input (unknown keys, bad {@code STREAM}s, refused {@code KILL}s, a listen
 * that throws, stream gaps) at a Station in its own process: every input is counted, but the
 * log stays bounded, and the count of lines held back is logged once the window ends even
 * though nothing else comes.
 */
@Tag("process")
@Timeout(120)
class LogFloodTest {
  private static final int MESSAGES = 30_000;
  private static final int KINDS = 7;
  /** Lines a flood may cost: 20 per rate-limited log and window, plus the held-back counts. */
  private static final int MAX_LINES = 100;

  private Process process;
  private File stderr;

  @AfterEach
  void stop() throws Exception {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (stderr != null) {
      Files.deleteIfExists(stderr.toPath());
    }
  }

  @Test
  void thirtyThousandBadInputsCostAFewLogLinesAndEveryOneIsCounted() throws Exception {
    stderr = File.createTempFile("flood-station", ".err");
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        FloodStationMain.class.getName(), "T");
    process = new ProcessBuilder(cmd).redirectError(stderr).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    String first = CompletableFuture.supplyAsync(() -> readLine(out)).orTimeout(30, TimeUnit.SECONDS).join();
    assertTrue(first != null && first.startsWith("port "), "the child announces its port: " + first);
    int port = Integer.parseInt(first.substring(5));

    long[] sent = new long[KINDS];
    try (RawPeer intruder = RawPeer.dealer("intruder", "tcp://127.0.0.1:" + port)) {
      awaitPingEcho(intruder);
      for (int i = 0; i < MESSAGES; i++) {
        int kind = i % KINDS;
        intruder.send("T", "T", body(i, kind));
        sent[kind]++;
        if (i % 64 == 0) {
          drain(intruder); // confirmations and notices: a reader that keeps up
        }
      }
      Await.until("the station counted every input", Duration.ofSeconds(60), () -> {
        drain(intruder);
        Map<String, Long> s = stats(in, out);
        return s.get("unknownKeys") + s.get("malformed") + s.get("refused") + s.get("handlerErrors") >= MESSAGES;
      });
    }
    Map<String, Long> s = stats(in, out);
    assertEquals(sent[0] + sent[1], s.get("unknownKeys"), "unknown keys: " + s);
    assertEquals(sent[2] + sent[3], s.get("malformed"), "bad STREAMs: " + s);
    assertEquals(sent[4] + sent[5], s.get("refused"), "refused: " + s);
    assertEquals(sent[6], s.get("handlerErrors"), "listens that threw: " + s);
    assertEquals(sent[6], s.get("dispatched"), "listen calls: " + s);

    // No more input: the held-back count must still appear once the window (10 s) ends.
    boolean flushed = awaitQuietly(Duration.ofSeconds(25),
        () -> read(stderr).stream().anyMatch(l -> l.contains("similar lines were not logged")));
    List<String> lines = read(stderr);
    long errors = lines.stream().filter(l -> l.contains(" ERROR ")).count();
    System.out.println("LogFloodTest: " + lines.size() + " stderr lines (" + errors + " at ERROR) for " + MESSAGES
        + " bad inputs");
    assertTrue(lines.size() <= MAX_LINES, lines.size() + " lines logged for " + MESSAGES + " bad inputs:\n"
        + String.join("\n", lines.subList(0, Math.min(lines.size(), 200))));
    assertTrue(flushed, "a '... similar lines were not logged' line, though no later line came:\n"
        + String.join("\n", lines));
  }

  private static boolean awaitQuietly(Duration timeout, java.util.function.BooleanSupplier condition) {
    try {
      Await.until("condition", timeout, condition);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  /** One bad input of seven kinds. */
  private static String body(int i, int kind) {
    String id = "intruder_" + i;
    String confirmed = "{}";
    String unconfirmed = "{\"NOREPEAT\": true}";
    switch (kind) {
      case 0:
        return RawPeer.pythonBody(id, "T", "intruder", "NOPE_" + (i % 13), "1", confirmed);
      case 1:
        return RawPeer.pythonBody(id, "T", "intruder", "NOPE_" + (i % 13), "1", unconfirmed);
      case 2:
        return RawPeer.pythonBody(id, "T", "intruder", "STREAM", "{\"payload\": [1, 2]}", unconfirmed);
      case 3:
        return RawPeer.pythonBody(id, "T", "intruder", "STREAM", "{\"inner_key\": \"X\", \"payload\": 3}", unconfirmed);
      case 4:
        return RawPeer.pythonBody(id, "T", "intruder", "STREAM",
            "{\"inner_key\": \"KILL\", \"headers\": {}, \"payload\": [1]}", unconfirmed);
      case 5:
        return RawPeer.pythonBody(id, "T", "intruder", "KILL", "null", confirmed);
      default: // every other batch number: a gap before each, and a listen that throws
        return RawPeer.pythonBody("gappy_" + (2 * i), "T", "intruder", "STREAM",
            "{\"inner_key\": \"BOOM\", \"headers\": {}, \"payload\": [" + i + "]}", unconfirmed);
    }
  }

  private static void awaitPingEcho(RawPeer peer) {
    Await.until("the station echoes a ping", Duration.ofSeconds(20), () -> {
      peer.send("");
      return peer.receive(Duration.ofMillis(200)) != null;
    });
  }

  private static void drain(RawPeer peer) {
    while (peer.receive(Duration.ZERO) != null) {
      // discard
    }
  }

  private static Map<String, Long> stats(Writer in, BufferedReader out) {
    try {
      in.write("stats\n");
      in.flush();
      String line = out.readLine();
      Map<String, Long> m = new HashMap<>();
      for (String part : line.substring("stats ".length()).split(" ")) {
        String[] kv = part.split("=");
        m.put(kv[0], Long.parseLong(kv[1]));
      }
      return m;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String readLine(BufferedReader r) {
    try {
      return r.readLine();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> read(File f) {
    try {
      return new ArrayList<>(Files.readAllLines(f.toPath(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
