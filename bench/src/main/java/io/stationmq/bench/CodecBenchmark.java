package io.stationmq.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import io.stationmq.message.NdArray;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
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
 * Throughput of {@link MessageCodec} on two typical messages, with plain Jackson on an equivalent
 * map body as a baseline in the same run.
 *
 * <ul>
 *   <li><b>small</b>: a trial-data message ({@code id "pilot_1_7"}, {@code to "T"}, {@code sender
 *       "pilot_1"}, {@code key "DATA"}, value {@code {"trial_num": 3, "correct": true, "rt":
 *       0.4213}}), about 220 bytes on the wire;
 *   <li><b>array</b>: the same header with value {@code {"frame": <float64 array of 1,000
 *       elements>}}, about 11 KB on the wire (the 8,000 data bytes are base64 text).
 * </ul>
 *
 * <p>Messages, maps and wire bodies are built once in {@link #setUp()}; each benchmark measures
 * only the codec work named in its javadoc (building a {@link Message}, which converts its value
 * to a tree, is not measured). The machine this runs on is small and noisy, hence three forks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 3)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {
  /** Elements in the array message's {@code frame}. */
  private static final int ARRAY_SIZE = 1_000;

  /** How a user reads the array message's value back. */
  private static final TypeReference<Map<String, NdArray>> FRAME_MAP = new TypeReference<>() {};

  /** A plain mapper with default settings, for the baseline. */
  private final ObjectMapper plainJackson = new ObjectMapper();

  private Message smallMessage;
  private byte[] smallBody;
  private Map<String, Object> smallMap;

  private Message arrayMessage;
  private byte[] arrayBody;

  /** Builds the messages, encodes them once and builds the baseline map. */
  @Setup
  public void setUp() throws IOException {
    // A fixed timestamp so every fork encodes the same bytes.
    LocalDateTime timestamp = LocalDateTime.of(2024, 5, 17, 14, 3, 21, 123_456_000);

    Map<String, Object> trial = new LinkedHashMap<>();
    trial.put("trial_num", 3);
    trial.put("correct", true);
    trial.put("rt", 0.4213);
    smallMessage = header(timestamp).value(trial).build();
    smallBody = MessageCodec.encode(smallMessage);

    // The baseline map is our own wire body read back by plain Jackson: the same fields and
    // values (id, to, sender, key, value, timestamp, changed, flags, blosc, ttl) as Java maps.
    smallMap = plainJackson.readValue(smallBody, new TypeReference<LinkedHashMap<String, Object>>() {});

    double[] frame = new Random(42).doubles(ARRAY_SIZE).toArray();
    arrayMessage = header(timestamp).value(Map.of("frame", NdArray.of(frame))).build();
    arrayBody = MessageCodec.encode(arrayMessage);

    // Fail fast rather than measure a codec that does not round-trip.
    if (!MessageCodec.decode(smallBody).equals(smallMessage)
        || !MessageCodec.decode(arrayBody).equals(arrayMessage)) {
      throw new IllegalStateException("codec does not round-trip the benchmark messages");
    }
  }

  private static Message.Builder header(LocalDateTime timestamp) {
    return Message.builder().id("pilot_1_7").to("T").sender("pilot_1").key("DATA").timestamp(timestamp);
  }

  /** Small message: {@link MessageCodec#encode} then {@link MessageCodec#decode}. */
  @Benchmark
  public void smallRoundTrip(Blackhole bh) {
    bh.consume(MessageCodec.decode(MessageCodec.encode(smallMessage)));
  }

  /** Small message: {@link MessageCodec#encode} of a built message. */
  @Benchmark
  public void smallEncode(Blackhole bh) {
    bh.consume(MessageCodec.encode(smallMessage));
  }

  /** Small message: {@link MessageCodec#decode} of its wire body. */
  @Benchmark
  public void smallDecode(Blackhole bh) {
    bh.consume(MessageCodec.decode(smallBody));
  }

  /**
   * Baseline for {@link #smallRoundTrip}: plain Jackson {@code writeValueAsBytes} of an equivalent
   * map body, then {@code readTree} of those bytes (no field checks, no Python separators).
   */
  @Benchmark
  public void jacksonSmallRoundTrip(Blackhole bh) throws IOException {
    bh.consume(plainJackson.readTree(plainJackson.writeValueAsBytes(smallMap)));
  }

  /** Array message: {@link MessageCodec#encode} then {@link MessageCodec#decode}. */
  @Benchmark
  public void arrayRoundTrip(Blackhole bh) {
    bh.consume(MessageCodec.decode(MessageCodec.encode(arrayMessage)));
  }

  /** Array message: {@link MessageCodec#encode} of a built message. */
  @Benchmark
  public void arrayEncode(Blackhole bh) {
    bh.consume(MessageCodec.encode(arrayMessage));
  }

  /** Array message: {@link MessageCodec#decode} of its wire body (includes validating the array). */
  @Benchmark
  public void arrayDecode(Blackhole bh) {
    bh.consume(MessageCodec.decode(arrayBody));
  }

  /**
   * Array message as a receiver uses it: decode the wire body, read the value as {@code Map<String,
   * NdArray>}, and get the frame's elements with {@link NdArray#toDoubleArray()}.
   */
  @Benchmark
  public void arrayDecodeToDoubles(Blackhole bh) {
    Message received = MessageCodec.decode(arrayBody);
    bh.consume(received.value(FRAME_MAP).get("frame").toDoubleArray());
  }
}
