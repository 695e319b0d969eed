package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.StreamCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One batch of stream samples as received: who sent it, its inner key, its headers (subject,
 * pilot, ...) and its samples. Immutable; samples are converted on request: from a received
 * {@code STREAM}, {@link #samples(Class)} reads a record or bean type straight from the body's
 * bytes, without a JSON tree per sample ({@link io.stationmq.message.StreamCodec#payloadSamples}).
 */
public final class StreamBatch {
  private final String sender;
  private final String id;
  private final String key;
  private final Map<String, Object> headers;
  private final List<JsonNode> samples;
  private final JsonNode payload;
  private final ObjectNode merged;

  /**
   * Creates a batch; the sample trees are handed over (not copied: the caller must not change
   * them afterwards), the headers are copied, nested maps and lists included.
   */
  public StreamBatch(String sender, String id, String key, Map<String, Object> headers, List<JsonNode> samples) {
    this.sender = sender;
    this.id = id;
    this.key = key;
    this.headers = Map.copyOf(frozen(headers));
    this.samples = List.copyOf(samples);
    this.payload = null;
    this.merged = null;
  }

  /**
   * A batch over a received payload (a list tree, or one left undecoded by {@link
   * StreamCodec#decodeDeferred}, read when asked), with {@code merged} (null for none) set on
   * each object sample, as a Station merges the batch's headers. Neither is changed.
   */
  StreamBatch(String sender, String id, String key, Map<String, Object> headers, JsonNode payload, ObjectNode merged) {
    this.sender = sender;
    this.id = id;
    this.key = key;
    this.headers = Map.copyOf(frozen(headers));
    this.samples = null;
    this.payload = payload;
    this.merged = merged;
  }

  /** An unmodifiable copy of a header value: maps and lists (as JSON decodes) all the way down. */
  @SuppressWarnings("unchecked")
  private static <T> T frozen(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, frozen(v)));
      return (T) Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(frozen(v)));
      return (T) Collections.unmodifiableList(copy);
    }
    return value;
  }

  /** The sender's id. */
  public String sender() {
    return sender;
  }

  /** The batch message's id ({@code "{stream}_{n}"}). */
  public String id() {
    return id;
  }

  /** The key the samples are for (the batch's {@code inner_key}). */
  public String key() {
    return key;
  }

  /**
   * The batch headers (e.g. {@code subject}, {@code pilot}, {@code continuous}); null values left
   * out. Unmodifiable, nested maps and lists included.
   */
  public Map<String, Object> headers() {
    return headers;
  }

  /** How many samples the batch holds. */
  public int size() {
    return samples != null ? samples.size() : StreamCodec.payloadSize(payload);
  }

  /** The samples as JSON trees (copies: changing one never changes the batch). */
  public List<JsonNode> sampleNodes() {
    if (samples == null) {
      return StreamCodec.payloadSamples(payload, merged, JsonNode.class);
    }
    List<JsonNode> copies = new ArrayList<>(samples.size());
    samples.forEach(s -> copies.add(s.deepCopy()));
    return copies;
  }

  /**
   * The samples converted to {@code type}, in order; a Jackson tree type ({@code JsonNode})
   * gives copies.
   *
   * @throws io.stationmq.message.MessageFormatException if a sample does not convert
   */
  public <T> List<T> samples(Class<T> type) {
    if (samples == null) { // straight from the body's bytes when the type allows (StreamCodec)
      return StreamCodec.payloadSamples(payload, merged, type);
    }
    List<T> out = new ArrayList<>(samples.size());
    for (JsonNode s : samples) {
      out.add(MessageCodec.convert(s, type));
    }
    return out;
  }

  @Override
  public String toString() {
    return "StreamBatch{" + id + " from " + sender + ", key=" + key + ", " + size() + " samples}";
  }
}
