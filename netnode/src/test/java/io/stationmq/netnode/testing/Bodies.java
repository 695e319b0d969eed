package io.stationmq.netnode.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reads wire bodies as plain JSON, independently of stationmq's codec, as a Python peer would. */
public final class Bodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Bodies() {}

  /** The body parsed as a JSON tree; fails the test when it is not JSON. */
  public static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("body is not JSON: " + RawPeer.text(body), e);
    }
  }

  /** The body of the last frame of a frame list, parsed. */
  public static JsonNode last(List<byte[]> frames) {
    return parse(frames.get(frames.size() - 1));
  }

  /** The top-level field names of an object, in order. */
  public static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  /** The frames as text, for messages and comparisons. */
  public static List<String> texts(List<byte[]> frames) {
    List<String> t = new ArrayList<>(frames.size());
    for (byte[] f : frames) {
      t.add(RawPeer.text(f));
    }
    return t;
  }
}
