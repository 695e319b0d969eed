package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The durable store and its two journals without sockets: a temporary directory, a wall clock
 * the test moves, and {@link DurableStore#abandon()} for a process killed without committing.
 */
@Timeout(60)
class DurableStoreTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private static final LocalDateTime T = LocalDateTime.of(2024, 1, 1, 0, 0, 0, 123_000);

  @TempDir
  Path dir;
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final Counters counters = new Counters();
  private final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(DurableStoreTest.class), 20, S);
  private DurableStore open;

  @AfterEach
  void closeStore() {
    if (open != null) {
      open.close();
    }
  }

  private DurableStore open(String id) {
    open = DurableStore.open(Durability.in(dir), id, counters, log, wall::get);
    return open;
  }

  /** Simulates a kill: nothing after the last commit survives. */
  private DurableStore killAndReopen(String id) {
    open.abandon();
    return open(id);
  }

  // ------------------------------------------------------------------ the store

  @Test
  void oneFilePerEndpointIdWithUnsafeCharactersEscaped() {
    open("rig_1").close();
    assertTrue(Files.exists(dir.resolve("rig_1.mv.db")));
    assertEquals("a%002fb.mv.db", DurableStore.fileName("a/b"));
    assertEquals("%002e.mv.db", DurableStore.fileName("."));
  }

  @Test
  void aSecondEndpointWithTheSameIdAndDirectoryIsRefusedClearly() {
    open("rx");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DurableStore.open(Durability.in(dir), "rx", counters, log, wall::get));
    assertTrue(e.getMessage().contains("another endpoint with id 'rx'"), e.getMessage());
    DurableStore other = DurableStore.open(Durability.in(dir), "tx", counters, log, wall::get);
    other.close(); // another id in the same directory is fine
    open.close();
    open("rx"); // and the id is free again once closed
  }

  @Test
  void aStoreLockedByAnotherProcessIsRefusedClearly() throws Exception {
    Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), HoldStoreMain.class.getName(), dir.toString(), "rx")
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("holding", out.readLine(), "the other process opened the store");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> open("rx"));
      assertTrue(e.getMessage().contains("is locked: another endpoint with id 'rx' and this directory is running"),
          e.getMessage());
    } finally {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
    open("rx"); // the kill released the lock
  }

  @Test
  void aCorruptStoreIsRefusedClearly() throws Exception {
    byte[] junk = new byte[64 * 1024];
    for (int i = 0; i < junk.length; i++) {
      junk[i] = (byte) (i * 31 + 7);
    }
    Files.write(dir.resolve("rx.mv.db"), junk);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> open("rx"));
    assertTrue(e.getMessage().contains("rx.mv.db"), e.getMessage());
    assertTrue(e.getMessage().contains("move it away"), e.getMessage());
    Files.delete(dir.resolve("rx.mv.db"));
    open("rx"); // nothing is left locked
  }

  @Test
  void aStoreOfAnotherFormatIsRefusedRatherThanMisread() {
    DurableStore s = open("rx");
    s.mvStore().setStoreVersion(99);
    s.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> open("rx"));
    assertTrue(e.getMessage().contains("format 99"), e.getMessage());
    open = null;
  }

  @Test
  void aWriteThatFailsIsCountedAndTheStoreStaysShut() throws Exception {
    DurableStore s = open("tx");
    OutboxJournal outbox = s.outbox();
    assertTrue(put(outbox, msg("tx_0", "rx"), Route.AUTO));
    assertTrue(s.commit());
    s.mvStore().getFileStore().close(); // the file goes away under the store, as on an I/O error
    assertTrue(put(outbox, msg("tx_1", "rx"), Route.AUTO), "in memory");
    assertFalse(s.commit());
    assertTrue(s.failed());
    long failures = counters.storeFailures.sum();
    assertTrue(failures >= 1, "counted");
    assertFalse(put(outbox, msg("tx_2", "rx"), Route.AUTO));
    assertTrue(counters.storeFailures.sum() > failures, "every record not written is counted");
    s.close();
    open = null;
  }

  // ------------------------------------------------------------------ de-duplication records

  @Test
  void aKilledReceiverFindsWhatWasHandlingAsCrashedAndWhatWasHandledAsHandled() {
    DedupJournal j = open("rx").dedup();
    long a = j.handling("tx", "tx_0", T);
    long b = j.handling("tx", "tx_1", null);
    j.handled(a);
    assertTrue(open.commit());
    j.handling("tx", "tx_2", T); // not committed: the kill loses it
    wall.addAndGet(5_000);

    List<Deduplicator.Restored> restored = killAndReopen("rx").dedup().restore();
    assertEquals(2, restored.size());
    assertEquals(new Deduplicator.Restored(a, "tx", "tx_0", T, 5 * S, true), restored.get(0));
    assertEquals(new Deduplicator.Restored(b, "tx", "tx_1", null, 5 * S, false), restored.get(1));
  }

  @Test
  void aRestoredWindowRecognisesRepeatsAndForgetsWhatIsOlderThanTheWindow() {
    DedupJournal j = open("rx").dedup();
    Deduplicator d = new Deduplicator(120 * S, 100, new LongAdder(), j, List.of(), 0);
    assertEquals(Deduplicator.Seen.NEW, take(d, "tx_0", 0));
    d.handled(msg("tx_0", "rx"));
    wall.addAndGet(100_000);
    assertEquals(Deduplicator.Seen.NEW, take(d, "tx_1", 100 * S));
    assertEquals(Deduplicator.Seen.NEW, take(d, "tx_2", 100 * S));
    d.handled(msg("tx_2", "rx"));
    d.forget(msg("tx_2", "rx")); // handled: stays
    assertTrue(open.commit());
    wall.addAndGet(30_000); // tx_0 is now 130 s old, past the 120 s window

    j = killAndReopen("rx").dedup();
    LongAdder evicted = new LongAdder();
    Deduplicator after = new Deduplicator(120 * S, 100, evicted, j, j.restore(), 7 * S);
    assertEquals(Deduplicator.Seen.NEW, take(after, "tx_0", 7 * S), "older than the window");
    assertEquals(Deduplicator.Seen.CRASHED, take(after, "tx_1", 7 * S));
    assertEquals(Deduplicator.Seen.HANDLED, take(after, "tx_2", 7 * S));
    assertEquals(Deduplicator.Seen.HANDLED, take(after, "tx_2", 7 * S + 89 * S),
        "remembered for the rest of its window (30 s gone)");
    assertEquals(Deduplicator.Seen.NEW, take(after, "tx_2", 7 * S + 91 * S), "then forgotten");
    assertEquals(0, evicted.sum());
    assertTrue(open.commit());
    assertEquals(List.of("tx_0", "tx_2"), killAndReopen("rx").dedup().restore().stream()
        .map(Deduplicator.Restored::id).toList(), "tx_1 expired, and is gone from the store too; the others came again");
  }

  @Test
  void takenButNeverHandledIsForgottenAndCapacityEvictsFromTheStore() {
    DedupJournal j = open("rx").dedup();
    LongAdder evicted = new LongAdder();
    Deduplicator d = new Deduplicator(120 * S, 2, evicted, j, List.of(), 0);
    take(d, "a", 0);
    d.forget(msg("a", "rx")); // dropped while closing: never ran
    take(d, "b", 1);
    take(d, "c", 2);
    take(d, "d", 3); // evicts b early
    assertEquals(1, evicted.sum());
    assertTrue(open.commit());
    assertEquals(List.of("c", "d"), killAndReopen("rx").dedup().restore().stream().map(Deduplicator.Restored::id).toList());
  }

  @Test
  void onlyWhatWentToTheListensIsRecorded() {
    DedupJournal j = open("rx").dedup();
    Deduplicator d = new Deduplicator(120 * S, 100, new LongAdder(), j, List.of(), 0);
    assertEquals(Deduplicator.Seen.NEW, d.seen(msg("waiting", "rx"), 0, true));
    assertEquals(Deduplicator.Seen.HANDLING, d.seen(msg("waiting", "rx"), 1, true), "a repeat while it waits");
    take(d, "running", 2);
    assertTrue(open.commit());
    j = killAndReopen("rx").dedup();
    Deduplicator after = new Deduplicator(120 * S, 100, new LongAdder(), j, j.restore(), 0);
    assertEquals(Deduplicator.Seen.NEW, after.seen(msg("waiting", "rx"), 0, true), "it never ran: new again");
    assertEquals(Deduplicator.Seen.CRASHED, after.seen(msg("running", "rx"), 0, true));
  }

  /** A message arrives and goes to its listen (recorded as handling). */
  private static Deduplicator.Seen take(Deduplicator d, String id, long nowNanos) {
    Deduplicator.Seen seen = d.seen(msg(id, "rx"), nowNanos, true);
    d.recordHandling(msg(id, "rx"));
    return seen;
  }

  // ------------------------------------------------------------------ outbox records

  @Test
  void aKilledSenderFindsWhatWasInFlightWithItsAgeRouteAndPath() {
    OutboxJournal j = open("tx").outbox();
    Message plain = msg("tx_3", "rx");
    Message multihop = Message.builder().id("tx_7").sender("tx").path(List.of("S", "T", "rx")).key("K").value(7)
        .ttl(5).timestamp(T).build();
    assertTrue(put(j, plain, Route.AUTO));
    wall.addAndGet(2_000);
    assertTrue(put(j, multihop, Route.UPSTREAM));
    assertTrue(put(j, msg("tx_4", "rx"), Route.AUTO));
    assertTrue(open.commit());
    j.remove("tx_4"); // confirmed: committed with the next commit
    assertTrue(open.commit());
    j.remove("tx_3"); // not committed: the kill loses the removal, so tx_3 is resumed (its receiver knows it)
    wall.addAndGet(1_000);

    OutboxJournal after = killAndReopen("tx").outbox();
    List<OutboxJournal.Resumable> resumed = after.restore();
    assertEquals(2, resumed.size());
    OutboxJournal.Resumable first = resumed.get(0);
    assertEquals(plain, first.message());
    assertEquals(Route.AUTO, first.route());
    assertEquals(3_000, first.ageMillis());
    assertEquals(multihop, resumed.get(1).message());
    assertTrue(resumed.get(1).message().isMultihop());
    assertEquals(Route.UPSTREAM, resumed.get(1).route());
    assertEquals(1_000, resumed.get(1).ageMillis());
    assertEquals(8, after.firstFreeIdNumber(), "new ids start past tx_7");
    after.remove("tx_7");
    after.remove("tx_3");
    assertTrue(open.commit());
    assertEquals(8, killAndReopen("tx").outbox().firstFreeIdNumber(), "and past every id recorded, even when none is left");
  }

  @Test
  void aStoreWithOnlyOneHalfHasOnlyThatJournal() {
    DurableStore s = DurableStore.open(Durability.builder(dir).outbox(false).build(), "rx", counters, log, wall::get);
    try {
      assertNull(s.outbox());
      assertFalse(s.dedup() == null);
    } finally {
      s.close();
    }
    assertThrows(IllegalArgumentException.class, () -> Durability.builder(dir).outbox(false).deduplication(false).build());
  }

  static boolean put(OutboxJournal j, Message m, Route route) {
    return j.put(m, MessageCodec.encode(m), route);
  }

  private static Message msg(String id, String to) {
    return Message.builder().id(id).sender("tx").to(to).key("K").value(1).timestamp(T).build();
  }
}
