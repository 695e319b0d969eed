package io.stationmq.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.StreamCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One {@code STREAM} batch of 64 small samples ({@link StreamBench.Small}: a long and three
 * doubles) encoded and decoded the two ways: a JSON tree per sample (how streams worked before
 * {@link StreamCodec}) and straight between samples and bytes. Time per batch; with {@code -prof
 * gc}, {@code gc.alloc.rate.norm} / 64 is the allocation per sample.
 *
 * <pre>java -jar bench/target/benchmarks.jar StreamCodecBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StreamCodecBenchmark {
  /** Samples per batch, as in StreamBench. */
  static final int BATCH = 64;

  private final List<Object> samples = new ArrayList<>();
  private final Map<String, Object> headers = new LinkedHashMap<>();
  private Message envelope;
  private byte[] body;

  /** Builds the samples, the batch's envelope and its body once. */
  @Setup
  public void setUp() {
    for (int i = 0; i < BATCH; i++) {
      samples.add(new StreamBench.Small(1_700_000_000_000L + i, 0.1 * i, 0.2, -0.3));
    }
    headers.put("subject", "mouse_12");
    headers.put("pilot", "rig");
    headers.put("continuous", true);
    envelope = Message.builder().id("sensor_7").to("T").sender("rig_sensor").key("STREAM").flag(Flags.NOREPEAT)
        .flag(Flags.MINPRINT).build();
    body = StreamCodec.encodeBatch(envelope, "SENSOR", headers, samples);
  }

  /** The tree path: {@code toJson} per sample into a value tree, then {@code MessageCodec.encode}. */
  @Benchmark
  public byte[] encodeTrees() {
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    value.put("inner_key", "SENSOR");
    value.set("headers", MessageCodec.toJson(headers));
    var payload = value.putArray("payload");
    for (Object s : samples) {
      payload.add(MessageCodec.toJson(s));
    }
    return MessageCodec.encode(envelope.newBuilder().valueTree(value).build());
  }

  /** Straight to bytes: {@code StreamCodec.encodeBatch}. */
  @Benchmark
  public byte[] encodeStraight() {
    return StreamCodec.encodeBatch(envelope, "SENSOR", headers, samples);
  }

  /** The tree path: {@code MessageCodec.decode}, then each payload item converted to the record. */
  @Benchmark
  public void decodeTrees(Blackhole bh) {
    Message m = MessageCodec.decode(body);
    for (JsonNode item : m.valueField("payload")) {
      bh.consume(MessageCodec.convert(item, StreamBench.Small.class));
    }
  }

  /** Straight from bytes: {@code StreamCodec.decodeSamples} to the record. */
  @Benchmark
  public void decodeStraight(Blackhole bh) {
    for (StreamBench.Small s : StreamCodec.decodeSamples(body, StreamBench.Small.class)) {
      bh.consume(s);
    }
  }
}
