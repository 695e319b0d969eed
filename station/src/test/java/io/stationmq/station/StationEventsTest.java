package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import io.stationmq.netnode.testing.RawPeer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lines a running Station prints about its network, from real peers on loopback. */
@Timeout(60)
class StationEventsTest {
  private static final Duration INTERVAL = Duration.ofMillis(100);

  private final Closer closer = new Closer();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final StationEvents events = closer.track(new StationEvents(new PrintStream(bytes, true, StandardCharsets.UTF_8),
      "stationmq-station-T-events", Duration.ofMillis(300)));

  @AfterEach
  void closeAll() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  private List<String> lines() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring("HH:mm:ss ".length())).toList();
    }
  }

  private static EndpointOptions fast() {
    return EndpointOptions.builder().heartbeatInterval(INTERVAL).livenessTolerance(5).build();
  }

  @Test
  void oneLineWhenAPeerJoinsLeavesOrIsRefused() throws Exception {
    Station t = closer.track(Station.builder().id("T").bindAddress("127.0.0.1")
        .options(fast().toBuilder().listener(events).build()).build());
    NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", t.port(), "T").options(fast()).build();
    Await.until("rig joined", () -> lines().stream().anyMatch(l -> l.startsWith("joined rig from 127.0.0.1:")
        && l.endsWith(" (node, stationmq 0.1.0)")));

    RawPeer python = closer.track(RawPeer.dealer("py", "tcp://127.0.0.1:" + t.port()));
    python.send(""); // a ping, and never a HELLO
    Await.until("py joined without HELLO", () -> lines().stream()
        .anyMatch(l -> l.matches("joined py from 127\\.0\\.0\\.1:\\d+ \\(no HELLO: a Python endpoint, or not stationmq\\)")));

    closer.track(NetNode.builder().id("lost").upstream("127.0.0.1", t.port(), "X").options(fast()).build());
    Await.until("lost refused", () -> lines().contains(
        "refused lost: wrong_upstream_id: 'lost' names its upstream 'X', but this is 'T'"));

    rig.close();
    Await.until("rig left", () -> lines().stream().anyMatch(l -> l.startsWith("left rig: silent for ")));
    List<String> all = lines();
    assertEquals(1, all.stream().filter(l -> l.startsWith("refused lost")).count(), "a refusal once a minute: " + all);
    assertTrue(all.stream().noneMatch(l -> l.startsWith("joined lost")), "refused, not joined: " + all);
    assertEquals(2, all.stream().filter(l -> l.startsWith("joined ")).count(), "rig and py joined: " + all);
  }
}
