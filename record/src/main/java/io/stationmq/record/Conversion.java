package io.stationmq.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a journal into the HDF5 file (layout in the README's "Recording" section). Holds the
 * whole recording in memory while it writes (jHDF writes a file at once, on close): about 8
 * bytes per number per sample, so a one-hour 4 x 1 kHz recording of a few fields takes some
 * hundreds of MB. Used by one thread.
 */
final class Conversion {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Dataset names of a stream group that sample fields must not take. */
  static final Set<String> RESERVED = Set.of("timestamp", "local_time", "lost_batches");

  private final Map<String, StreamTable> streams = new LinkedHashMap<>();
  private final Map<String, MessageTable> messages = new LinkedHashMap<>();
  private final Map<String, ClockTable> clocks = new LinkedHashMap<>();
  private JsonNode start;
  private JsonNode end;

  private Conversion() {}

  /**
   * Reads {@code journal} (up to its first torn record) and writes {@code out} (replaced if it
   * exists, through a temporary file renamed at the end).
   */
  static ConversionReport convert(Path journal, Path out) throws IOException {
    Conversion c = new Conversion();
    JournalReader.Result read;
    try {
      read = JournalReader.read(journal, c::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    c.write(tmp, read);
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    long samples = c.streams.values().stream().mapToLong(s -> s.rows).sum();
    long msgs = c.messages.values().stream().mapToLong(m -> m.time.size()).sum();
    return new ConversionReport(out, read.records(), samples, msgs, c.streams.size(), read.droppedBytes(), c.end != null);
  }

  private void add(byte[] payload) {
    JsonNode r;
    try {
      r = JSON.readTree(payload);
    } catch (IOException e) {
      throw new UncheckedIOException("a journal record with a valid CRC does not parse", e);
    }
    switch (r.path("type").asText()) {
      case "start" -> start = r;
      case "end" -> end = r;
      case "samples" -> streams.computeIfAbsent(r.path("sender").asText() + '\u0000' + r.path("key").asText(),
          k -> new StreamTable(r.path("sender").asText(), r.path("key").asText())).add(r);
      case "message" -> messages.computeIfAbsent(r.path("key").asText(), k -> new MessageTable()).add(r);
      case "clock" -> clocks.computeIfAbsent(r.path("node").asText(), k -> new ClockTable()).add(r);
      default -> { } // a record type of a later version: skipped
    }
  }

  private void write(Path file, JournalReader.Result read) {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      h5.putAttribute("format", "stationmq-recording 1");
      if (start != null) {
        h5.putAttribute("stationmq_version", start.path("version").asText());
        h5.putAttribute("recorder", start.path("recorder").asText());
        h5.putAttribute("recording_start", start.path("start").asText());
        h5.putAttribute("recording_start_epoch", start.path("start_epoch").asDouble());
        start.path("headers").fields().forEachRemaining(e -> h5.putAttribute(e.getKey(), e.getValue().asText()));
      }
      h5.putAttribute("complete", end != null ? 1L : 0L);
      h5.putAttribute("journal_records", read.records());
      h5.putAttribute("journal_dropped_tail_bytes", read.droppedBytes());
      if (!streams.isEmpty()) {
        WritableGroup sg = h5.putGroup("streams");
        Map<String, WritableGroup> nodes = new LinkedHashMap<>();
        for (StreamTable s : streams.values()) {
          WritableGroup ng = nodes.computeIfAbsent(s.sender, n -> sg.putGroup(name(n)));
          s.write(ng.putGroup(name(s.key)), clockFor(s.sender));
        }
      }
      if (!messages.isEmpty()) {
        WritableGroup mg = h5.putGroup("messages");
        messages.forEach((key, m) -> m.write(mg.putGroup(name(key))));
      }
      if (!clocks.isEmpty()) {
        WritableGroup cg = h5.putGroup("clock_offsets");
        cg.putAttribute("reference", start == null ? "" : start.path("recorder").asText());
        clocks.forEach((node, c) -> c.write(cg.putGroup(name(node))));
      }
    }
  }

  /** The clock of the node that sent a stream: its id, or the longest id that prefixes {@code sender + "_"}. */
  private Map.Entry<String, ClockTable> clockFor(String sender) {
    Map.Entry<String, ClockTable> best = null;
    for (Map.Entry<String, ClockTable> e : clocks.entrySet()) {
      String id = e.getKey();
      boolean match = sender.equals(id) || sender.startsWith(id + "_");
      if (match && (best == null || id.length() > best.getKey().length())) {
        best = e;
      }
    }
    return best;
  }

  /** An HDF5 link name: no slash, not empty, not "." */
  static String name(String s) {
    String n = s.replace('/', '_');
    return n.isEmpty() || n.equals(".") ? "_" + n : n;
  }

  /** One stream's samples. */
  private static final class StreamTable {
    final String sender;
    final String key;
    final Map<String, Column> columns = new LinkedHashMap<>();
    final Map<String, String> headers = new LinkedHashMap<>();
    DoubleList time = new DoubleList();
    long[] lost = new long[16];
    long lostTotal;
    long recorderDropped;
    int rows;

    StreamTable(String sender, String key) {
      this.sender = sender;
      this.key = key;
    }

    void add(JsonNode r) {
      int first = rows;
      JsonNode t = r.path("t");
      JsonNode samples = r.path("samples");
      for (int i = 0; i < samples.size(); i++) {
        time.add(t.path(i).asDouble(Double.NaN));
        JsonNode s = samples.get(i);
        if (s.isObject()) {
          Iterator<Map.Entry<String, JsonNode>> it = s.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            String n = name(f.getKey());
            columns.computeIfAbsent(RESERVED.contains(n) ? "sample_" + n : n, k -> new Column()).set(rows, f.getValue());
          }
        } else {
          columns.computeIfAbsent("value", k -> new Column()).set(rows, s);
        }
        rows++;
      }
      if (lost.length < rows) {
        lost = Arrays.copyOf(lost, Math.max(rows, lost.length * 2));
      }
      for (JsonNode gap : r.path("lost")) {
        int at = first + gap.path(0).asInt();
        long n = gap.path(1).asLong();
        lost[at] += n;
        lostTotal += n;
      }
      recorderDropped = Math.max(recorderDropped, r.path("dropped").asLong());
      r.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
    }

    void write(WritableGroup g, Map.Entry<String, ClockTable> clock) {
      g.putAttribute("sender", sender);
      g.putAttribute("key", key);
      g.putAttribute("samples", (long) rows);
      g.putAttribute("lost_batches_total", lostTotal);
      g.putAttribute("recorder_dropped_samples", recorderDropped);
      headers.forEach(g::putAttribute);
      if (rows == 0) {
        return; // jHDF writes no empty dataset
      }
      double[] ts = time.toArray();
      g.putDataset("timestamp", ts);
      double[] local = new double[rows];
      if (clock != null) {
        g.putAttribute("clock_node", clock.getKey());
        clock.getValue().toLocal(ts, local);
      } else {
        g.putAttribute("clock_node", "");
        Arrays.fill(local, Double.NaN);
      }
      g.putDataset("local_time", local);
      g.putDataset("lost_batches", Arrays.copyOf(lost, rows));
      columns.forEach((n, c) -> g.putDataset(n, c.data(rows)));
    }
  }

  /** One key's messages. */
  private static final class MessageTable {
    final DoubleList time = new DoubleList();
    final List<String> sender = new ArrayList<>();
    final List<String> id = new ArrayList<>();
    final List<String> value = new ArrayList<>();

    void add(JsonNode r) {
      time.add(r.path("t").asDouble(Double.NaN));
      sender.add(r.path("sender").asText());
      id.add(r.path("id").asText());
      value.add(r.path("value").toString());
    }

    void write(WritableGroup g) {
      g.putDataset("time", time.toArray());
      g.putDataset("sender", sender.toArray(String[]::new));
      g.putDataset("id", id.toArray(String[]::new));
      g.putDataset("value", value.toArray(String[]::new));
    }
  }

  /** One node's clock offsets over time: its clock minus the recorder's. */
  private static final class ClockTable {
    final DoubleList time = new DoubleList();
    final DoubleList offset = new DoubleList();
    final DoubleList uncertainty = new DoubleList();

    void add(JsonNode r) {
      time.add(r.path("t").asDouble());
      offset.add(r.path("offset").asDouble());
      uncertainty.add(r.path("uncertainty").asDouble());
    }

    /**
     * Converts producer timestamps to the recorder's clock with the offset measured last at or
     * before each (the first one for timestamps before it).
     */
    void toLocal(double[] producer, double[] local) {
      double[] t = time.toArray();
      double[] o = offset.toArray();
      int j = 0;
      for (int i = 0; i < producer.length; i++) {
        double approx = producer[i] - o[Math.min(j, o.length - 1)];
        while (j + 1 < t.length && t[j + 1] <= approx) {
          j++;
        }
        local[i] = producer[i] - o[j];
      }
    }

    void write(WritableGroup g) {
      g.putDataset("time", time.toArray());
      g.putDataset("offset", offset.toArray());
      g.putDataset("uncertainty", uncertainty.toArray());
    }
  }

  /** A growable list of doubles. */
  private static final class DoubleList {
    private double[] a = new double[16];
    private int n;

    void add(double v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    int size() {
      return n;
    }

    double[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
