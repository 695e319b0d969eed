package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stationmq.message.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The directory's decisions with a fake clock and a fake wire; events run when the test says. */
@Timeout(10)
class PeerDirectoryTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long INTERVAL = 100 * MS;
  private static final long RETENTION = TimeUnit.MINUTES.toNanos(1);

  private final List<Consumer<EndpointListener>> queued = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private final List<Message> replies = new ArrayList<>();
  private long wall = 1_000_000;
  private final LongAdder handovers = new LongAdder();

  private final EndpointListener listener = new EndpointListener() {
    @Override
    public void peerJoined(DirectoryEntry entry) {
      events.add("joined " + entry.id() + " " + entry.status());
    }

    @Override
    public void peerStatusChanged(DirectoryEntry entry, PeerStatus previous, String reason) {
      events.add(entry.id() + " " + previous + "->" + entry.status());
    }

    @Override
    public void peerLeft(DirectoryEntry entry, String reason) {
      events.add("left " + entry.id() + " " + entry.status());
    }

    @Override
    public void peerRefused(String peerId, String reason) {
      events.add("refused " + peerId);
    }
  };

  /** Events are queued, as on the callback thread, and delivered by {@link #deliver()}. */
  private final PeerDirectory directory = new PeerDirectory("T", "boot", INTERVAL, 5, RETENTION, queued::add,
      () -> "T_live", (identity, m) -> replies.add(m), () -> wall, handovers);

  private List<String> deliver() {
    queued.forEach(e -> e.accept(listener));
    queued.clear();
    return events;
  }

  private static Message hello(String id, String instance) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("protocol", LivenessProtocol.PROTOCOL);
    v.put("id", id);
    v.put("instance", instance);
    v.put("role", "node");
    return LivenessProtocol.notice(id + "_0", id, "T", LivenessProtocol.HELLO, v);
  }

  private static Message heartbeat(String id, String instance) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("seq", 0);
    v.put("instance", instance);
    return LivenessProtocol.notice(id + "_1", id, "T", LivenessProtocol.HEARTBEAT, v);
  }

  private void helloFrom(String id, String instance, long now) {
    directory.heardFrom(id, now);
    directory.onMessage(id, hello(id, instance));
  }

  private PeerStatus status(String id) {
    return directory.directory().stream().filter(e -> e.id().equals(id)).findFirst().map(DirectoryEntry::status)
        .orElse(null);
  }

  @Test
  void aHeartbeatCarriesThePeersClockOffsetIntoItsEntry() {
    helloFrom("rig", "i1", 0);
    assertFalse(directory.directory().get(0).clockOffset().isKnown(), "unknown before a heartbeat reports it");
    Message beat = heartbeat("rig", "i1");
    ObjectNode v = ((ObjectNode) beat.valueNode()).deepCopy();
    v.put("clock_offset_ns", 250_000_000L).put("clock_uncertainty_ns", 400_000L).put("clock_drift_ppm", 100.0)
        .put("clock_drift_uncertainty_ppm", 10.0).put("clock_samples", 24);
    directory.onMessage("rig", beat.newBuilder().valueTree(v).build());
    ClockOffset seen = directory.directory().get(0).clockOffset();
    assertEquals(250_000_000L, seen.offsetNanos());
    assertEquals(400_000L, seen.uncertaintyNanos());
    assertEquals(100.0, seen.drift());
    assertEquals(24, seen.samples());
    assertEquals(java.time.Instant.ofEpochMilli(wall), seen.measuredAt(), "measured when this endpoint heard it");
  }

  @Test
  void eventsCarryTheEntryAsItWasWhenTheyHappened() {
    // The callback thread runs late: the join is still reported as it was, before the HELLO.
    helloFrom("rig", "i1", 0);
    assertEquals(List.of("joined rig UNKNOWN", "rig UNKNOWN->ALIVE"), deliver());
  }

  @Test
  void suspectAfterTwoIntervalsAndDeadAfterTheTolerance() {
    helloFrom("rig", "i1", 0);
    deliver().clear();
    directory.check(200 * MS);
    assertEquals(PeerStatus.ALIVE, status("rig"), "200 ms of silence is not yet a missed heartbeat");
    directory.check(201 * MS + INTERVAL / 4);
    assertEquals(PeerStatus.SUSPECT, status("rig"));
    directory.check(500 * MS);
    assertEquals(PeerStatus.SUSPECT, status("rig"), "500 ms is the tolerance, not past it");
    directory.check(501 * MS + INTERVAL / 4);
    assertEquals(PeerStatus.DEAD, status("rig"));
    assertEquals(List.of("rig ALIVE->SUSPECT", "left rig DEAD"), deliver());
  }

  @Test
  void aPeerThatKeepsTalkingIsNeverSuspectedHoweverLateItsHeartbeats() {
    helloFrom("rig", "i1", 0);
    deliver().clear();
    // Data every 120 ms, no heartbeat at all (its socket thread is busy): alive all along.
    for (long t = 120 * MS; t < 5_000 * MS; t += 120 * MS) {
      directory.heardFrom("rig", t);
      directory.check(t + 1);
    }
    assertEquals(PeerStatus.ALIVE, status("rig"));
    assertEquals(List.of(), deliver());
  }

  @Test
  void aRestartIsAJoinAndADuplicateIsRefusedOnce() {
    helloFrom("rig", "i1", 0);
    helloFrom("rig", "i2", 10 * MS); // a new run took over: a restart...
    directory.heardFrom("rig", 20 * MS);
    directory.onMessage("rig", heartbeat("rig", "i1")); // ...unless the first speaks again
    directory.heardFrom("rig", 30 * MS);
    directory.onMessage("rig", heartbeat("rig", "i2"));
    List<String> seen = deliver();
    assertEquals(List.of("joined rig UNKNOWN", "rig UNKNOWN->ALIVE", "joined rig ALIVE", "refused rig"), seen);
    assertEquals("i1", directory.directory().get(0).instance(), "the first keeps its id");
    Message last = replies.get(replies.size() - 1);
    assertEquals(LivenessProtocol.HELLO_REPLY, last.key());
    assertEquals("duplicate_id", last.valueNode().path("reason").asText());
  }

  @Test
  void shortLivedIdentitiesAreForgottenAndTheGoneAreBounded() {
    for (int i = 0; i < 20_000; i++) {
      helloFrom("n" + i, "i" + i, i * 1_000L);
    }
    directory.check(TimeUnit.SECONDS.toNanos(2));
    assertEquals(PeerDirectory.MAX_GONE, directory.size(), "all dead; the longest silent forgotten first");
    for (int i = 0; i < 5_000; i++) {
      directory.heardFrom("raw" + i, TimeUnit.SECONDS.toNanos(3)); // raw peers, never a HELLO
    }
    directory.check(TimeUnit.SECONDS.toNanos(4));
    assertTrue(directory.size() <= PeerDirectory.MAX_GONE, "size " + directory.size());
    directory.check(TimeUnit.SECONDS.toNanos(4) + RETENTION + 1);
    assertEquals(0, directory.size(), "all forgotten after the retention");
  }

  @Test
  void anAlivePeerIsNeverForgotten() {
    helloFrom("rig", "i1", 0);
    for (long t = 0; t < 3 * RETENTION; t += INTERVAL) {
      directory.heardFrom("rig", t);
      directory.onMessage("rig", heartbeat("rig", "i1"));
      directory.check(t);
    }
    assertEquals(PeerStatus.ALIVE, status("rig"));
  }

  @Test
  void anIdThatMovesToAnotherConnectionWhileAliveIsCountedAndADeadOneComingBackIsNot() {
    helloFrom("rig", "i1", 0);
    directory.connectedFrom("rig", "127.0.0.1:40001");
    directory.connectedFrom("rig", "127.0.0.1:40001");
    assertEquals(0, handovers.sum(), "the same connection");
    directory.connectedFrom("rig", "10.0.0.9:50000"); // someone else claims 'rig' while it is alive
    assertEquals(1, handovers.sum());
    directory.check(600 * MS + INTERVAL / 4); // silent: DEAD
    assertEquals(PeerStatus.DEAD, status("rig"));
    directory.connectedFrom("rig", "127.0.0.1:40002"); // a restart after it was gone
    assertEquals(1, handovers.sum(), "coming back after DEAD is no takeover");
  }
}
