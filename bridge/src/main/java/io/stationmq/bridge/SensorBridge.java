package io.stationmq.bridge;

import io.stationmq.netnode.NetNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Bridge} for a sensor or device whose inputs each carry one reading: each payload is
 * decoded by a {@link PayloadDecoder} and forwarded as a sample
 * {@code {"sensor": NAME, "captured": SECONDS, "value": VALUE}} (plus {@code "from"} where the
 * input names its source, as a UDP sender's address), {@code captured} being the time the
 * input was read, in seconds since the epoch (as Python's {@code time.time()}). Thread-safety
 * and failures as {@link Bridge}.
 */
public abstract class SensorBridge extends Bridge {
  private final String sensor;
  private final PayloadDecoder decoder;

  /** From a builder's common settings. */
  protected SensorBridge(Builder<?> b) {
    super(b.name, b.node, b.closeNode, b.options);
    this.sensor = b.sensor != null ? b.sensor : b.name;
    this.decoder = b.decoder;
  }

  /** The sensor name attached to every sample. */
  public final String sensor() {
    return sensor;
  }

  /** Where the input being handled came from (a sender's address), or null. */
  protected String source() {
    return null;
  }

  @Override
  protected final Optional<Object> onRaw(byte[] raw, Instant captured) {
    Object value = decoder.decode(raw);
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("sensor", sensor);
    sample.put("captured", captured.getEpochSecond() + captured.getNano() / 1e9);
    String from = source();
    if (from != null) {
      sample.put("from", from);
    }
    sample.put("value", value);
    return Optional.of(sample);
  }

  /**
   * The settings every sensor bridge's builder shares. Not thread-safe.
   *
   * @param <B> the concrete builder
   */
  public abstract static class Builder<B extends Builder<B>> {
    String name;
    String sensor;
    NetNode node;
    boolean closeNode;
    BridgeOptions options;
    PayloadDecoder decoder = PayloadDecoder.jsonOrBase64();

    Builder(String defaultName) {
      this.name = defaultName;
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** The node to forward through (required); {@code closeNode}: close it with the bridge. */
    public B node(NetNode node, boolean closeNode) {
      this.node = node;
      this.closeNode = closeNode;
      return self();
    }

    /** The bridge's name (its thread's and stream's); default {@code udp} or {@code serial}. */
    public B name(String name) {
      this.name = name;
      return self();
    }

    /** The sensor name put in every sample (default: the bridge's name). */
    public B sensor(String sensor) {
      this.sensor = sensor;
      return self();
    }

    /** How payloads become values (default {@link PayloadDecoder#jsonOrBase64()}). */
    public B decoder(PayloadDecoder decoder) {
      this.decoder = decoder;
      return self();
    }

    /** Key, recipient, forwarding, decimation and rate limit (required). */
    public B options(BridgeOptions options) {
      this.options = options;
      return self();
    }

    /** Checks the common settings; subclasses call it first in their own checks. */
    void check() {
      if (node == null || options == null || decoder == null) {
        throw new IllegalArgumentException("node, options and decoder are required");
      }
      if (sensor != null && sensor.isEmpty()) {
        throw new IllegalArgumentException("sensor must be non-empty");
      }
    }
  }
}
