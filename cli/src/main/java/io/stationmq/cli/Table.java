package io.stationmq.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns padded to their widest cell, two spaces apart. Not thread-safe. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    rows.add(header);
  }

  Table row(String... cells) {
    rows.add(cells);
    return this;
  }

  void print(PrintWriter out) {
    int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(r[i]);
        if (i < r.length - 1) {
          line.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** How long ago an ISO-8601 instant was, e.g. {@code 0.4 s ago}; {@code -} when absent. */
  static String ago(String instant, Instant now) {
    if (instant == null || instant.isEmpty()) {
      return "-";
    }
    try {
      long millis = Math.max(0, Duration.between(Instant.parse(instant), now).toMillis());
      return millis < 120_000 ? String.format("%.1f s ago", millis / 1000.0) : millis / 60_000 + " min ago";
    } catch (DateTimeParseException e) {
      return instant;
    }
  }

  /** Microseconds as milliseconds, e.g. {@code 0.18 ms}; {@code -} when negative (not measured). */
  static String millis(long micros) {
    return micros < 0 ? "-" : String.format("%.2f ms", micros / 1000.0);
  }
}
