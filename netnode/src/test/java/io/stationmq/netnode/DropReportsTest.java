package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A Station's drops gathered into one notice per producer and interval (fake clock, real bodies, no sockets). */
@Timeout(10)
class DropReportsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void dropsAreReportedOncePerProducerAndInterval() {
    DropReports r = new DropReports("T", SECOND, 100);
    assertEquals(Long.MAX_VALUE, r.nanosUntilDue(0), "nothing dropped, nothing due");
    for (int i = 0; i < 10_000; i++) {
      r.dropped("rig", "cam", "slow consumer", 10 + i);
    }
    r.dropped("daq", "T2", "no route", 20);
    assertEquals(List.of(), r.due(SECOND / 2), "not before the interval ends");
    assertEquals(SECOND + 10 - SECOND / 2, r.nanosUntilDue(SECOND / 2));
    List<Map.Entry<String, Notices.Dropped>> due = r.due(SECOND + 10);
    assertEquals(List.of(Map.entry("rig", new Notices.Dropped(10_000, "cam", "T", "slow consumer")),
        Map.entry("daq", new Notices.Dropped(1, "T2", "T", "no route"))), due);
    assertEquals(List.of(), r.due(3 * SECOND), "reported once, then forgotten");
  }

  @Test
  void producersBeyondTheBoundAreNotTracked() {
    DropReports r = new DropReports("T", SECOND, 2);
    r.dropped("a", "x", "why", 0);
    r.dropped("b", "x", "why", 0);
    r.dropped("c", "x", "why", 0);
    List<Map.Entry<String, Notices.Dropped>> due = r.due(SECOND);
    assertEquals(2, due.size());
    assertTrue(due.stream().noneMatch(e -> e.getKey().equals("c")));
  }

  private static List<byte[]> frames(String sender, String key, boolean unconfirmed) {
    Message.Builder b = Message.builder().id(sender + "_0").sender(sender).to("cam").key(key).value(1);
    if (unconfirmed) {
      b.flag(Flags.NOREPEAT);
    }
    return List.of("cam".getBytes(StandardCharsets.UTF_8), MessageCodec.encode(b.build()));
  }

  @Test
  void onlyUnconfirmedMessagesOfProducersThatSaidHelloAreReported() {
    DropReports r = new DropReports("T", SECOND, 100);
    r.droppedWrite("cam", frames("rig", "DATA", true), "slow consumer", 0, id -> !id.equals("python"));
    r.droppedWrite("cam", frames("rig", "DATA", false), "slow consumer", 0, id -> true); // repeated by its sender
    r.droppedWrite("cam", frames("python", "DATA", true), "slow consumer", 0, id -> !id.equals("python"));
    r.droppedWrite("cam", frames("T", "DATA", true), "slow consumer", 0, id -> true); // the Station's own
    r.droppedWrite("cam", frames("rig", "SMQ_HEARTBEAT", true), "slow consumer", 0, id -> true); // built in
    r.droppedWrite("cam", List.of("not json".getBytes(StandardCharsets.UTF_8)), "slow consumer", 0, id -> true);
    assertEquals(List.of(Map.entry("rig", new Notices.Dropped(1, "cam", "T", "slow consumer"))), r.due(SECOND));
  }
}
