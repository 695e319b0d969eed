package io.stationmq.netnode;

import java.util.Objects;

/**
 * A declared topic: its name, the type of its values, a description, and the endpoint that
 * declared it (see {@link Topics#declare}). Immutable and thread-safe.
 */
public final class TopicInfo {
  private final String topic;
  private final String valueType;
  private final String description;
  private final String declaredBy;

  private TopicInfo(Builder b) {
    this.topic = b.topic;
    this.valueType = b.valueType;
    this.description = b.description;
    this.declaredBy = b.declaredBy;
  }

  /** A builder; {@code topic} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The topic (no wildcard). */
  public String topic() {
    return topic;
  }

  /** The type of its values, as the declarer named it (for example {@code "float"} or a class name). */
  public String valueType() {
    return valueType;
  }

  /** What the topic carries. */
  public String description() {
    return description;
  }

  /** The id of the endpoint that declared it. */
  public String declaredBy() {
    return declaredBy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicInfo t && topic.equals(t.topic) && valueType.equals(t.valueType)
        && description.equals(t.description) && declaredBy.equals(t.declaredBy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, valueType, description, declaredBy);
  }

  @Override
  public String toString() {
    return "TopicInfo{" + topic + ": " + valueType + " from " + declaredBy + ", " + description + "}";
  }

  /** Builds a {@link TopicInfo}. Not thread-safe. */
  public static final class Builder {
    private String topic;
    private String valueType = "";
    private String description = "";
    private String declaredBy = "";

    private Builder() {}

    /** The topic; required, non-empty, no {@code *}. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The type of its values; default empty. */
    public Builder valueType(String valueType) {
      this.valueType = Objects.requireNonNull(valueType, "valueType");
      return this;
    }

    /** A description; default empty. */
    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** The declaring endpoint's id; default empty. */
    public Builder declaredBy(String declaredBy) {
      this.declaredBy = Objects.requireNonNull(declaredBy, "declaredBy");
      return this;
    }

    /**
     * The topic info.
     *
     * @throws IllegalArgumentException when the topic is missing, empty or has a {@code *}
     */
    public TopicInfo build() {
      if (topic == null || topic.isEmpty() || topic.contains("*")) {
        throw new IllegalArgumentException("topic must be non-empty and without '*', got " + topic);
      }
      return new TopicInfo(this);
    }
  }
}
