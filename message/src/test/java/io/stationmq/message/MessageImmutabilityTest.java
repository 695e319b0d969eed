package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A message cannot be changed through what its accessors hand out. */
class MessageImmutabilityTest {
  private static Message withExtras() {
    return Message.builder().id("a_0").to("b").sender("a").key("K").value(1)
        .extra("headers", Map.of("subject", "mouse_1", "tags", List.of(1, 2)))
        .build();
  }

  @Test
  void mutatingTheExtrasHandedOutDoesNotChangeTheMessage() {
    Message m = withExtras();
    String before = new String(MessageCodec.encode(m), StandardCharsets.UTF_8);
    Message copy = m.newBuilder().build();

    JsonNode headers = m.extras().get("headers");
    ((ObjectNode) headers).put("subject", "rat_9");
    ((ObjectNode) headers).remove("tags");
    ((ArrayNode) m.extras().get("headers").get("tags")).add(3);

    assertEquals("mouse_1", m.extras().get("headers").get("subject").asText());
    assertEquals(2, m.extras().get("headers").get("tags").size());
    assertEquals("mouse_1", m.extra("headers", Map.class).orElseThrow().get("subject"));
    assertEquals(before, new String(MessageCodec.encode(m), StandardCharsets.UTF_8), "the body is unchanged");
    assertEquals(copy, m, "still equal to a copy taken before");
    assertEquals(copy.hashCode(), m.hashCode());
  }

  @Test
  void theExtrasMapItselfIsUnmodifiable() {
    Message m = withExtras();
    assertThrows(UnsupportedOperationException.class, () -> m.extras().put("x", m.valueNode()));
    assertThrows(UnsupportedOperationException.class, () -> m.extras().remove("headers"));
    assertEquals(List.of("headers"), List.copyOf(m.extras().keySet()));
  }

  @Test
  void theExtrasOfADecodedMessageAreCopiesToo() {
    Message m = MessageCodec.decode(MessageCodec.encode(withExtras()));
    ((ObjectNode) m.extras().get("headers")).put("subject", "rat_9");
    assertEquals("mouse_1", m.extras().get("headers").get("subject").asText());
  }

  @Test
  void theValueHandedOutAsATreeIsACopy() {
    Message m = Message.builder().id("a_0").to("b").sender("a").key("K")
        .value(Map.of("gain", 2, "list", List.of(1, 2))).build();
    String before = new String(MessageCodec.encode(m), StandardCharsets.UTF_8);
    Message copy = m.newBuilder().build();

    ((ObjectNode) m.valueNode()).put("gain", 9);
    ((ArrayNode) m.valueField("list")).add(3);
    ((ObjectNode) m.value(JsonNode.class)).put("gain", 9);
    m.value(ObjectNode.class).remove("list");
    ((ObjectNode) m.value(new TypeReference<JsonNode>() { })).put("gain", 9);

    assertEquals(before, new String(MessageCodec.encode(m), StandardCharsets.UTF_8), "the body is unchanged");
    assertEquals(copy, m);
    assertEquals(2, m.valueNode().get("gain").asInt());
  }

  @Test
  void anExtraHandedOutAsATreeIsACopy() {
    Message m = withExtras();
    String before = new String(MessageCodec.encode(m), StandardCharsets.UTF_8);
    ((ObjectNode) m.extra("headers", JsonNode.class).orElseThrow()).put("subject", "rat_9");
    m.extra("headers", ObjectNode.class).orElseThrow().remove("tags");
    assertEquals(before, new String(MessageCodec.encode(m), StandardCharsets.UTF_8), "the body is unchanged");
  }
}
