package io.stationmq.netnode.testing;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the lines written to {@code System.err} while installed, and still passes them on.
 * The tests log through slf4j-simple, which looks {@code System.err} up on every line, so this
 * counts every log line of every endpoint in the JVM (and anything else written there).
 * Lines are also tallied by their source (the level and logger of an slf4j-simple line), to
 * name what logs the most. Thread-safe; close to put the previous stream back.
 */
public final class StderrLines implements AutoCloseable {
  private final PrintStream previous;
  private final Counting counting;

  private StderrLines() {
    previous = System.err;
    counting = new Counting(previous);
    System.setErr(new PrintStream(counting, true, StandardCharsets.UTF_8));
  }

  /** Starts counting. */
  public static StderrLines install() {
    return new StderrLines();
  }

  /** Lines written since installed. */
  public long lines() {
    return counting.lines();
  }

  /** Lines written since installed that contain {@code text} (of the first 100,000 lines kept). */
  public long linesContaining(String text) {
    return counting.linesContaining(text);
  }

  /** Lines per source ("WARN io.stationmq...Engine"), most first, with one example line each. */
  public Map<String, String> summary() {
    return counting.summary();
  }

  @Override
  public void close() {
    System.err.flush();
    System.setErr(previous);
  }

  private static final class Counting extends OutputStream {
    private static final int MAX_LINE = 400;
    private final PrintStream out;
    private final StringBuilder line = new StringBuilder();
    private final Map<String, Long> bySource = new TreeMap<>();
    private final Map<String, String> example = new TreeMap<>();
    private long lines;
    private final java.util.List<String> kept = new java.util.ArrayList<>();

    Counting(PrintStream out) {
      this.out = out;
    }

    @Override
    public synchronized void write(int b) {
      out.write(b);
      take(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      out.write(b, off, len);
      for (int i = off; i < off + len; i++) {
        take(b[i]);
      }
    }

    @Override
    public void flush() {
      out.flush();
    }

    synchronized long linesContaining(String text) {
      return kept.stream().filter(l -> l.contains(text)).count();
    }

    private void take(int b) {
      if (b == '\n') {
        lines++;
        String text = line.toString();
        String source = source(text);
        bySource.merge(source, 1L, Long::sum);
        example.putIfAbsent(source, text);
        if (kept.size() < 100_000) {
          kept.add(text);
        }
        line.setLength(0);
      } else if (line.length() < MAX_LINE) {
        line.append((char) (b & 0xff));
      }
    }

    /** "LEVEL logger" for an slf4j-simple line ("12:00:00.000 [thread] WARN a.b.C - text"), else "other". */
    private static String source(String text) {
      int bracket = text.indexOf("] ");
      int dash = text.indexOf(" - ", Math.max(0, bracket));
      if (bracket < 0 || dash < 0) {
        return text.startsWith("\tat ") || text.startsWith("Caused by") || text.startsWith("\t...") ? "stack trace" : "other";
      }
      return text.substring(bracket + 2, dash);
    }

    synchronized long lines() {
      return lines;
    }

    synchronized Map<String, String> summary() {
      Map<String, String> s = new LinkedHashMap<>();
      bySource.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .forEach(e -> s.put(e.getKey(), e.getValue() + " lines, e.g. " + example.get(e.getKey())));
      return s;
    }
  }
}
