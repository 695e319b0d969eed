package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The writer's decisions with a fake clock and a fake wire whose peers fill up on command. */
@Timeout(10)
class PeerWriterTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long TIMEOUT = 2_000 * MS;

  private final Set<String> full = new HashSet<>();
  private final Set<String> gone = new HashSet<>();
  private final List<String> written = new ArrayList<>();
  private final Counters counters = new Counters();
  private final PeerWriter writer = new PeerWriter("S", (upstream, frames) -> {
    String peer = upstream ? "up" : text(frames.get(0));
    if (gone.contains(peer)) {
      return PeerWriter.Status.UNREACHABLE;
    }
    if (full.contains(peer)) {
      return PeerWriter.Status.FULL;
    }
    written.add(peer + ":" + text(frames.get(1)));
    return PeerWriter.Status.SENT;
  }, TIMEOUT, 3, 1 << 20, counters, new RateLimitedLog(LoggerFactory.getLogger(PeerWriterTest.class), 5, 1));

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private PeerWriter.Result write(String peer, String body, long now) {
    return writer.write(false, peer, List.of(peer.getBytes(StandardCharsets.UTF_8),
        body.getBytes(StandardCharsets.UTF_8)), now);
  }

  @Test
  void aFullPeerWaitsInItsOwnQueueWhileOthersAreServedAtOnce() {
    full.add("slow");
    assertEquals(PeerWriter.Result.ACCEPTED, write("slow", "1", 0));
    assertEquals(PeerWriter.Result.ACCEPTED, write("fast", "a", 0));
    assertEquals(PeerWriter.Result.ACCEPTED, write("slow", "2", 1 * MS)); // behind "1", even if room came
    assertEquals(PeerWriter.Result.ACCEPTED, write("fast", "b", 1 * MS));
    assertEquals(List.of("fast:a", "fast:b"), written, "the fast peer never waits for the slow one");
    assertEquals(2, writer.waiting());
    assertTrue(writer.nanosUntilRetry(1 * MS) <= PeerWriter.FIRST_RETRY_NANOS);

    full.remove("slow");
    writer.retry(2 * MS);
    assertEquals(List.of("fast:a", "fast:b", "slow:1", "slow:2"), written, "in order once it has room");
    assertEquals(0, writer.waiting());
    assertFalse(writer.isBacklogged("slow"));
    assertEquals(4, counters.sent.sum());
    assertEquals(Long.MAX_VALUE, writer.nanosUntilRetry(2 * MS), "nothing waits: no wake-ups");
  }

  @Test
  void aPeerThatTakesNothingForTheTimeoutLosesWhatWaitsAndASlowOneLosesNothing() {
    full.add("stuck");
    write("stuck", "1", 0);
    write("stuck", "2", 1_000 * MS);
    writer.retry(TIMEOUT - 1);
    assertEquals(0, counters.dropped.sum());
    writer.retry(TIMEOUT);
    assertEquals(2, counters.dropped.sum(), "it took nothing for 2 s: both dropped");
    assertFalse(writer.isBacklogged("stuck"));
    assertEquals(List.of(), written);

    // A slow peer takes one write a second: writes wait far longer than the timeout in all,
    // but the peer keeps moving, so none is dropped.
    full.add("slow");
    for (int i = 0; i < 3; i++) {
      write("slow", "s" + i, 10_000 * MS);
    }
    for (long t = 10_000 * MS; t <= 13_500 * MS; t += 500 * MS) {
      if ((t / (500 * MS)) % 2 == 0) {
        full.remove("slow"); // room for one write
        writer.write(false, "other", List.of("other".getBytes(StandardCharsets.UTF_8),
            "x".getBytes(StandardCharsets.UTF_8)), t);
      }
      writer.retry(t);
      full.add("slow");
    }
    assertEquals(2, counters.dropped.sum(), "the slow peer lost nothing");
    assertTrue(written.containsAll(List.of("slow:s0", "slow:s1", "slow:s2")), written.toString());
  }

  @Test
  void aFullBacklogDropsNewWritesAtOnce() {
    full.add("slow");
    for (int i = 0; i < 3; i++) {
      assertEquals(PeerWriter.Result.ACCEPTED, write("slow", "m" + i, 0));
    }
    assertEquals(PeerWriter.Result.DROPPED, write("slow", "m3", 0));
    assertEquals(1, counters.dropped.sum());
    assertEquals(3, writer.waiting());
  }

  private static String body(String id, boolean unconfirmed) {
    Message.Builder b = Message.builder().id(id).sender("rig").to("slow").key("DATA").value(1);
    if (unconfirmed) {
      b.flag(Flags.NOREPEAT);
    }
    return new String(MessageCodec.encode(b.build()), StandardCharsets.UTF_8);
  }

  @Test
  void aConfirmedMessageTakesTheRoomOfTheNewestUnconfirmedOneInAFullBacklog() {
    full.add("slow");
    List<String> told = new ArrayList<>();
    writer.onDrop((peer, frames, reason, now) -> told.add(MessageCodec.peekHeader(frames.get(1)).id()));
    for (int i = 0; i < 3; i++) {
      assertEquals(PeerWriter.Result.ACCEPTED, write("slow", body("u" + i, true), 0));
    }
    assertEquals(PeerWriter.Result.DROPPED, write("slow", body("u3", true), 0), "unconfirmed: no room, dropped");
    String c0 = body("c0", false);
    String c1 = body("c1", false);
    String c2 = body("c2", false);
    assertEquals(PeerWriter.Result.ACCEPTED, write("slow", c0, 0), "confirmed: makes room");
    assertEquals(List.of("u3", "u2"), told, "the newest unconfirmed one gave its place, its producer told");
    assertEquals(PeerWriter.Result.ACCEPTED, write("slow", c1, 0));
    assertEquals(PeerWriter.Result.ACCEPTED, write("slow", c2, 0));
    assertEquals(PeerWriter.Result.DROPPED, write("slow", body("c3", false), 0), "only confirmed ones wait: dropped");
    assertEquals(List.of("u3", "u2", "u1", "u0", "c3"), told);
    assertEquals(5, counters.dropped.sum(), "every drop counted");
    full.remove("slow");
    writer.retry(PeerWriter.FIRST_RETRY_NANOS);
    assertEquals(List.of("slow:" + c0, "slow:" + c1, "slow:" + c2), written,
        "in order; the confirmed ones were never dropped for unconfirmed traffic");
  }

  @Test
  void retriesBackOffWhileThePeerStaysFull() {
    full.add("slow");
    write("slow", "1", 0);
    long now = 0;
    int retries = 0;
    while (now < 1_000 * MS) {
      now += Math.max(1, writer.nanosUntilRetry(now));
      writer.retry(now);
      retries++;
    }
    assertTrue(retries < 250, "a full peer costs at most a few hundred wake-ups a second: " + retries);
  }

  @Test
  void aPeerThatDisconnectsWhileWaitingIsCountedUnreachable() {
    full.add("slow");
    write("slow", "1", 0);
    gone.add("slow");
    writer.retry(10 * MS);
    assertEquals(1, counters.unreachable.sum());
    assertEquals(0, writer.waiting());
    assertEquals(PeerWriter.Result.UNREACHABLE, write("slow", "2", 11 * MS));
  }
}
