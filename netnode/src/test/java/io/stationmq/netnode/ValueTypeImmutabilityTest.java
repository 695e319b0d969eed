package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.MessageCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Public value types of netnode cannot be changed through what they hand out. */
class ValueTypeImmutabilityTest {
  @Test
  void aStreamBatchHandsOutCopiesOfItsSamplesAndUnmodifiableHeaders() {
    Map<String, Object> nested = new LinkedHashMap<>(Map.of("rig", "r1"));
    List<Object> tags = new ArrayList<>(List.of(1, 2));
    Map<String, Object> headers = new LinkedHashMap<>(Map.of("subject", "mouse_1", "info", nested, "tags", tags));
    StreamBatch batch = new StreamBatch("a", "lick_0", "LICK", headers,
        List.of(MessageCodec.toJson(Map.of("t", 1)), MessageCodec.toJson(Map.of("t", 2))));

    ((ObjectNode) batch.sampleNodes().get(0)).put("t", 9);
    ((ObjectNode) batch.samples(JsonNode.class).get(0)).put("t", 9);
    ((ObjectNode) batch.samples(ObjectNode.class).get(1)).remove("t");
    assertEquals(1, batch.sampleNodes().get(0).get("t").asInt());
    assertEquals(2, batch.sampleNodes().get(1).get("t").asInt());

    nested.put("rig", "changed by the caller");
    tags.add(3);
    assertThrows(UnsupportedOperationException.class, () -> batch.headers().put("x", 1));
    @SuppressWarnings("unchecked")
    Map<String, Object> info = (Map<String, Object>) batch.headers().get("info");
    assertThrows(UnsupportedOperationException.class, () -> info.put("rig", "r2"));
    @SuppressWarnings("unchecked")
    List<Object> tagsSeen = (List<Object>) batch.headers().get("tags");
    assertThrows(UnsupportedOperationException.class, () -> tagsSeen.add(4));
    assertEquals("r1", info.get("rig"));
    assertEquals(List.of(1, 2), tagsSeen);
  }

  @Test
  void aDirectoryEntryCopiesItsListensAndMeta() {
    List<String> listens = new ArrayList<>(List.of("DATA"));
    Map<String, Object> meta = new LinkedHashMap<>(Map.of("host", "lab"));
    DirectoryEntry e = new DirectoryEntry("rig_1", "node", "i", "stationmq", 1, listens, meta, Instant.EPOCH,
        Instant.EPOCH, -1, PeerStatus.ALIVE, 0, null);
    listens.add("START");
    meta.put("host", "elsewhere");
    assertEquals(List.of("DATA"), e.listens());
    assertEquals(Map.of("host", "lab"), e.meta());
    assertThrows(UnsupportedOperationException.class, () -> e.listens().add("X"));
    assertThrows(UnsupportedOperationException.class, () -> e.meta().put("x", 1));
  }
}
