package io.stationmq.message;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One message as it travels between stationmq and autopilot endpoints: the JSON body of
 * the wire protocol, as an immutable value.
 *
 * <p>Fields: {@code id} (unique per sender, {@code "{sender}_{n}"}), {@code to} (the final
 * recipient, or a multihop {@link #path() path} whose last element is the final recipient),
 * {@code sender}, {@code key} (selects the receiver's handler), {@code value} (any JSON, or
 * null), {@code timestamp}, {@code ttl} (how many more times the sender may re-send it),
 * {@code flags} (a set of names, see {@link Flags}) and the extra top-level fields a Python
 * peer adds ({@code changed}, {@code blosc}, {@code subject}, ...), kept in order.
 *
 * <p>Build one with {@link #builder()}; derive a copy with {@link #newBuilder()}. Values
 * are stored as a Jackson tree and read back typed with {@link #value(Class)}; any POJO,
 * record, map, list, string, number, {@link NdArray} or null can be a value.
 *
 * <p>Immutable and thread-safe. Jackson trees are mutable, so every tree an accessor hands
 * out ({@link #valueNode()}, {@link #valueField(String)}, {@link #extras()}, and {@link
 * #value(Class)} or {@link #extra(String, Class)} asked for a {@code JsonNode} type) is a copy:
 * changing it never changes the message. Reading typed values ({@link #value(Class)} to a POJO,
 * map or {@link NdArray}) copies nothing extra. {@link #toString()} never prints a large value,
 * nor any value when {@link Flags#MINPRINT} is set.
 */
public final class Message {
  /** The ttl a message gets when none is given: 2, as in the Python toolkit. */
  public static final int DEFAULT_TTL = 2;

  private static final int TO_STRING_VALUE_LIMIT = 96;

  private final String id;
  private final ImmutableList<String> path;
  private final String sender;
  private final String key;
  private final JsonNode value;
  private final LocalDateTime timestamp;
  private final int ttl;
  private final ImmutableSet<String> flags;
  private final ImmutableMap<String, JsonNode> extras;

  private Message(Builder b, JsonNode ownedValue, ImmutableMap<String, JsonNode> ownedExtras) {
    this.id = b.id;
    this.path = ImmutableList.copyOf(b.path);
    this.sender = b.sender;
    this.key = b.key;
    this.value = ownedValue;
    this.timestamp = b.timestamp;
    this.ttl = b.ttl;
    this.flags = ImmutableSet.copyOf(b.flags);
    this.extras = ownedExtras;
  }

  /** A builder for a new message; {@code ttl} defaults to 2, {@code timestamp} to now. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding a copy of this message's fields, to derive a changed copy. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Unique id of this message at its sender. */
  public String id() {
    return id;
  }

  /** The final recipient's id (the last element of {@link #path()}). */
  public String to() {
    return path.get(path.size() - 1);
  }

  /**
   * The route: one element for a message to a single recipient, several for a multihop
   * message ({@code [hop1, ..., final recipient]}).
   */
  public List<String> path() {
    return path;
  }

  /** True when {@link #path()} has more than one element. */
  public boolean isMultihop() {
    return path.size() > 1;
  }

  /** Id of the endpoint that created the message. */
  public String sender() {
    return sender;
  }

  /** Selects the receiver's handler. */
  public String key() {
    return key;
  }

  /** True when the value is JSON null (signal messages such as {@code STOP}). */
  public boolean hasNullValue() {
    return value.isNull();
  }

  /**
   * A copy of the value as a Jackson tree (a {@code NullNode} for null). The copy costs as much
   * as the value is large; to read one field use {@link #valueField(String)}, to read the whole
   * value use {@link #value(Class)}.
   */
  public JsonNode valueNode() {
    return value.deepCopy();
  }

  /**
   * A copy of one top-level field of an object value, or null when the value is not an
   * object or has no such field. Cheaper than {@link #valueNode()} for large values.
   */
  public JsonNode valueField(String name) {
    JsonNode field = value.get(name);
    return field == null ? null : field.deepCopy();
  }

  /** The value tree itself, not copied: for this module's codec only. */
  JsonNode rawValue() {
    return value;
  }

  /**
   * The value converted to {@code type} (a POJO, record, {@code Map}, {@code String},
   * {@code Integer}, {@link NdArray}, ...). Returns null for a null value. Asked for a Jackson
   * tree type ({@code JsonNode}, {@code ObjectNode}, ...), returns a copy.
   *
   * @throws MessageFormatException if the value does not convert to {@code type}
   */
  public <T> T value(Class<T> type) {
    return MessageCodec.convert(value, type, "value");
  }

  /** The value converted to a generic type, e.g. {@code new TypeReference<List<Double>>() {}}. */
  public <T> T value(TypeReference<T> type) {
    return MessageCodec.convert(value, type, "value");
  }

  /** When the message was created, in local time; empty if the body had no timestamp. */
  public Optional<LocalDateTime> timestamp() {
    return Optional.ofNullable(timestamp);
  }

  /** How many more times the sender may re-send this message. */
  public int ttl() {
    return ttl;
  }

  /** The flags set on this message (see {@link Flags}). */
  public Set<String> flags() {
    return flags;
  }

  /** True when {@code flag} is set. */
  public boolean hasFlag(String flag) {
    return flags.contains(flag);
  }

  /**
   * Extra top-level fields beyond the protocol's own, in the order they were added: an
   * unmodifiable map of copies (Jackson trees are mutable, so changing one changes only the
   * copy, never this message). Use {@link #extra(String, Class)} to read one field without
   * copying the others.
   */
  public Map<String, JsonNode> extras() {
    if (extras.isEmpty()) {
      return extras;
    }
    ImmutableMap.Builder<String, JsonNode> copy = ImmutableMap.builderWithExpectedSize(extras.size());
    extras.forEach((name, node) -> copy.put(name, node.deepCopy()));
    return copy.build();
  }

  /** The extra trees themselves, not copied: for this module's codec only. */
  ImmutableMap<String, JsonNode> rawExtras() {
    return extras;
  }

  /**
   * One extra field's text, or empty when it is absent or not a JSON string. Never throws, so
   * it suits fields from a peer that may write anything there.
   */
  public Optional<String> extraText(String name) {
    JsonNode node = extras.get(name);
    return node != null && node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
  }

  /**
   * One extra field converted to {@code type}, or empty when absent.
   *
   * @throws MessageFormatException when the field does not convert
   */
  public <T> Optional<T> extra(String name, Class<T> type) {
    JsonNode node = extras.get(name);
    return node == null ? Optional.empty() : Optional.ofNullable(MessageCodec.convert(node, type, name));
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Message)) {
      return false;
    }
    Message m = (Message) o;
    return ttl == m.ttl
        && id.equals(m.id)
        && path.equals(m.path)
        && sender.equals(m.sender)
        && key.equals(m.key)
        && value.equals(m.value)
        && Objects.equals(timestamp, m.timestamp)
        && flags.equals(m.flags)
        && extras.equals(m.extras);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, path, sender, key, value, timestamp, ttl, flags, extras);
  }

  /** A short description; the value is abbreviated, and hidden under {@link Flags#MINPRINT}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(128);
    sb.append("Message{id=").append(id).append(", key=").append(key)
        .append(", sender=").append(sender).append(", to=")
        .append(path.size() == 1 ? path.get(0) : path.toString())
        .append(", ttl=").append(ttl);
    if (!flags.isEmpty()) {
      sb.append(", flags=").append(flags);
    }
    sb.append(", value=");
    if (hasFlag(Flags.MINPRINT)) {
      sb.append("<hidden: MINPRINT>");
    } else {
      abbreviate(value, sb, sb.length() + TO_STRING_VALUE_LIMIT);
    }
    return sb.append('}').toString();
  }

  /** Appends a JSON-like rendering of {@code node}, stopping at {@code limit} characters. */
  private static void abbreviate(JsonNode node, StringBuilder sb, int limit) {
    if (sb.length() >= limit) {
      return;
    }
    if (NdArray.isArrayObject(node)) {
      sb.append("<array ").append(node.path("DTYPE").asText()).append(' ').append(node.path("SHAPE")).append('>');
    } else if (node.isObject()) {
      sb.append('{');
      var it = node.fields();
      while (it.hasNext()) {
        var e = it.next();
        if (sb.length() >= limit) {
          sb.append("...");
          break;
        }
        String name = e.getKey();
        sb.append(name.length() <= 32 ? name : name.substring(0, 32) + "...").append('=');
        abbreviate(e.getValue(), sb, limit);
        if (it.hasNext()) {
          sb.append(", ");
        }
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (sb.length() >= limit) {
          sb.append("...(").append(node.size()).append(" items)");
          break;
        }
        abbreviate(node.get(i), sb, limit);
        if (i < node.size() - 1) {
          sb.append(", ");
        }
      }
      sb.append(']');
    } else {
      String text = node.isTextual() ? '"' + node.textValue() + '"' : node.toString();
      int room = Math.max(16, limit - sb.length());
      if (text.length() > room) {
        sb.append(text, 0, room).append("...(").append(text.length()).append(" chars)");
      } else {
        sb.append(text);
      }
    }
  }

  /**
   * Builds {@link Message}s. Not thread-safe; {@link #build()} validates and may be called
   * more than once.
   */
  public static final class Builder {
    private String id;
    private List<String> path = List.of();
    private String sender;
    private String key;
    private JsonNode value = NullNode.getInstance();
    private LocalDateTime timestamp = Timestamps.now();
    private int ttl = DEFAULT_TTL;
    private final LinkedHashSet<String> flags = new LinkedHashSet<>();
    private final LinkedHashMap<String, JsonNode> extras = new LinkedHashMap<>();

    private Builder() {}

    private Builder(Message m) {
      id = m.id;
      path = m.path;
      sender = m.sender;
      key = m.key;
      value = m.value; // never mutated, so sharing it is safe
      timestamp = m.timestamp;
      ttl = m.ttl;
      flags.addAll(m.flags);
      extras.putAll(m.extras);
    }

    /** Sets the id; required. Use {@link MessageIds} to make one. */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /** Sets a single final recipient. */
    public Builder to(String to) {
      this.path = to == null ? List.of() : List.of(to);
      return this;
    }

    /** Sets a multihop path {@code [hop1, ..., final recipient]} (one element: single recipient). */
    public Builder path(List<String> path) {
      if (path != null) {
        for (String hop : path) {
          if (hop == null) {
            throw new IllegalArgumentException("field 'to' must not contain a null recipient: " + path);
          }
        }
      }
      this.path = path == null ? List.of() : List.copyOf(path);
      return this;
    }

    /** Sets a multihop path {@code hop1, ..., final recipient}. */
    public Builder path(String... path) {
      return path(List.of(path));
    }

    /** Sets the sender's id; required. */
    public Builder sender(String sender) {
      this.sender = sender;
      return this;
    }

    /** Sets the key that selects the receiver's handler; required. */
    public Builder key(String key) {
      this.key = key;
      return this;
    }

    /**
     * Sets the value: any POJO, record, map, list, string, number, boolean, {@link NdArray},
     * Jackson tree (copied) or null.
     *
     * @throws IllegalArgumentException if the object cannot be represented as JSON
     */
    public Builder value(Object value) {
      this.value = ValueTrees.toTree(value);
      return this;
    }

    /**
     * Sets the timestamp, truncated to microseconds as the wire carries it; null means the body
     * carries none. Defaults to now.
     */
    public Builder timestamp(LocalDateTime timestamp) {
      this.timestamp = timestamp == null ? null : timestamp.truncatedTo(ChronoUnit.MICROS);
      return this;
    }

    /** Sets how many more times the sender may re-send the message; not negative. */
    public Builder ttl(int ttl) {
      this.ttl = ttl;
      return this;
    }

    /** Sets a flag (see {@link Flags}). */
    public Builder flag(String flag) {
      if (flag == null || flag.isEmpty()) {
        throw new IllegalArgumentException("flag name must be non-empty");
      }
      flags.add(flag);
      return this;
    }

    /** Replaces all flags. */
    public Builder flags(Collection<String> flags) {
      this.flags.clear();
      flags.forEach(this::flag);
      return this;
    }

    /** Clears a flag. */
    public Builder clearFlag(String flag) {
      flags.remove(flag);
      return this;
    }

    /**
     * Adds or replaces an extra top-level field (kept in insertion order). The protocol's
     * own field names cannot be used.
     */
    public Builder extra(String name, Object value) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("extra field name must be non-empty");
      }
      if (MessageCodec.isProtocolField(name)) {
        throw new IllegalArgumentException("'" + name + "' is a protocol field, not an extra field");
      }
      extras.put(name, ValueTrees.toTree(value));
      return this;
    }

    /** Removes an extra field. */
    public Builder removeExtra(String name) {
      extras.remove(name);
      return this;
    }

    /**
     * Sets the value to a tree the caller hands over without copying it (for large values built
     * once, such as stream batches). The caller must not change the tree afterwards; numbers
     * should have the types decoding gives (as {@link MessageCodec#toJson} makes them).
     */
    public Builder valueTree(JsonNode node) {
      this.value = node == null ? NullNode.getInstance() : node;
      return this;
    }

    /** Package-private: adds an extra tree the caller hands over (no copy, no name check). */
    Builder extraTree(String name, JsonNode node) {
      extras.put(name, node);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the field when id, to, sender or key is
     *     missing or empty, a path element is empty, or ttl is negative
     */
    public Message build() {
      requireText(id, "id");
      requireText(sender, "sender");
      requireText(key, "key");
      if (path.isEmpty()) {
        throw new IllegalArgumentException("field 'to' is required");
      }
      for (String hop : path) {
        if (hop == null || hop.isEmpty()) {
          throw new IllegalArgumentException("field 'to' must not contain an empty recipient: " + path);
        }
      }
      if (ttl < 0) {
        throw new IllegalArgumentException("field 'ttl' must not be negative, got " + ttl);
      }
      return new Message(this, value, ImmutableMap.copyOf(extras));
    }

    private static void requireText(String s, String field) {
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException("field '" + field + "' is required and must be non-empty");
      }
    }
  }
}
