package io.stationmq.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The samples of one stream (one sender, one key) gathered into a journal record, with the
 * batches lost before them. Filled by the stream's lane (one thread at a time, in order) and
 * emptied by it or by the writer's tick: every method is {@code synchronized}.
 */
final class StreamBuffer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String sender;
  private final String key;
  private final int maxSamples;
  private final List<JsonNode> samples = new ArrayList<>();
  private double[] times = new double[64];
  private final List<long[]> lost = new ArrayList<>();
  private ObjectNode headers;
  private String lastBatch;
  private String lastPrefix;
  private long lastNumber = -1;
  private long lostTotal;
  private long dropped;

  StreamBuffer(String sender, String key, int maxSamples) {
    this.sender = sender;
    this.key = key;
    this.maxSamples = maxSamples;
  }

  /**
   * Adds one sample of batch {@code m.id()} stamped {@code time}; returns the encoded record when
   * the buffer is full (the caller hands it to the writer), else null.
   */
  synchronized Chunk add(Message m, double time) {
    String id = m.id();
    if (!id.equals(lastBatch)) {
      countGap(id);
      lastBatch = id;
    }
    if (samples.size() == times.length) {
      times = Arrays.copyOf(times, times.length * 2);
    }
    times[samples.size()] = time;
    samples.add(m.valueNode());
    m.extraText("subject").ifPresent(s -> headers().put("subject", s));
    m.extraText("pilot").ifPresent(s -> headers().put("pilot", s));
    return samples.size() >= maxSamples ? encode() : null;
  }

  private ObjectNode headers() {
    if (headers == null) {
      headers = JSON.createObjectNode();
    }
    return headers;
  }

  /** A gap in the batch numbers ({@code "{stream}_{n}"}) before batch {@code id}. */
  private void countGap(String id) {
    int cut = id.lastIndexOf('_');
    if (cut <= 0) {
      return;
    }
    String prefix = id.substring(0, cut);
    long number;
    try {
      number = Long.parseLong(id.substring(cut + 1));
    } catch (NumberFormatException e) {
      return;
    }
    if (prefix.equals(lastPrefix) && lastNumber >= 0 && number > lastNumber + 1) {
      long missing = number - lastNumber - 1;
      lost.add(new long[] {samples.size(), missing});
      lostTotal += missing;
    }
    lastPrefix = prefix;
    lastNumber = number;
  }

  /** The record of what is buffered, or null when nothing is; the buffer is empty afterwards. */
  synchronized Chunk drain() {
    return samples.isEmpty() ? null : encode();
  }

  /** Counts samples of this stream that the writer refused (the buffer bound). */
  synchronized void dropped(int n) {
    dropped += n;
  }

  synchronized long lostTotal() {
    return lostTotal;
  }

  private Chunk encode() {
    ObjectNode r = JSON.createObjectNode();
    r.put("type", "samples");
    r.put("sender", sender);
    r.put("key", key);
    ArrayNode t = r.putArray("t");
    for (int i = 0; i < samples.size(); i++) {
      t.add(times[i]);
    }
    ArrayNode gaps = r.putArray("lost");
    for (long[] g : lost) {
      gaps.addArray().add(g[0]).add(g[1]);
    }
    r.put("dropped", dropped);
    if (headers != null) {
      r.set("headers", headers);
    }
    r.putArray("samples").addAll(samples);
    int n = samples.size();
    samples.clear();
    lost.clear();
    try {
      return new Chunk(JSON.writeValueAsBytes(r), n);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree did not serialize", e);
    }
  }

  @Override
  public synchronized String toString() {
    return "stream '" + key + "' from '" + sender + "'";
  }

  /** An encoded journal record and how many samples it holds. */
  record Chunk(byte[] bytes, int samples) {}
}
