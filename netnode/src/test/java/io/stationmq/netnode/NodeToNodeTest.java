package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.FakeTicker;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two NetNodes talking directly: "hub" binds a router port, "rig" connects to it as its
 * upstream. Messages go both ways, unconfirmed and confirmed, and the listen gets the whole
 * message.
 */
@Timeout(60)
class NodeToNodeTest {
  /** Time stands still: nothing is repeated, so every confirmed message is sent exactly once. */
  /** A ticker that never moves, and no TIME exchanges (the tests count what is in flight). */
  private static final EndpointOptions NO_REPEATS = EndpointOptions.builder().ticker(new FakeTicker())
      .clockSyncInterval(Duration.ZERO).build();
  private final Recorder atHub = new Recorder();
  private final Recorder atRig = new Recorder();

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  private NetNode hub() {
    return NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1").options(NO_REPEATS).listen("DATA", atHub).build();
  }

  private NetNode rig(NetNode hub) {
    return NetNode.builder().id("rig").upstream("127.0.0.1", hub.routerPort(), "hub").options(NO_REPEATS)
        .listen("DATA", atRig).build();
  }

  /** A message with every kind of field set: nested value, explicit ttl, a custom flag, an extra field. */
  private static Message richMessage(NetNode from, String to) {
    return from.message(to, "DATA", Map.of("trial", 3, "rt", 0.42, "tags", List.of("a", "b")))
        .ttl(4)
        .flag(Flags.MINPRINT)
        .extra("subject", "mouse_7")
        .build();
  }

  /** The hub learns of the rig from the ping the rig sends on connecting; only then can it reach it. */
  private static void awaitHubHeardFromRig(NetNode hub) {
    Await.until("hub reads the rig's connection ping", () -> hub.stats().received() >= 1);
  }

  @Test
  void upstreamNodeSendsUnconfirmedAndListenGetsWholeMessage() {
    try (NetNode hub = hub(); NetNode rig = rig(hub)) {
      Message sent = richMessage(rig, "hub");
      rig.send(sent);

      Message got = atHub.next();
      assertEquals(sent.id(), got.id());
      assertEquals("rig", got.sender());
      assertEquals("hub", got.to());
      assertEquals("DATA", got.key());
      assertEquals(Map.of("trial", 3, "rt", 0.42, "tags", List.of("a", "b")), got.value(Map.class));
      assertEquals(Set.of(Flags.MINPRINT, Flags.NOREPEAT), got.flags(), "an unconfirmed send carries NOREPEAT");
      assertEquals(4, got.ttl());
      assertEquals(sent.timestamp(), got.timestamp());
      assertEquals("mouse_7", got.extra("subject", String.class).orElseThrow());
      assertEquals(sent.newBuilder().flag(Flags.NOREPEAT).build(), got, "nothing else changed on the way");
      assertEquals(0, hub.stats().confirmsSent(), "NOREPEAT messages are not confirmed");
    }
  }

  @Test
  void upstreamNodeSendsConfirmedAndListenGetsWholeMessage() throws Exception {
    try (NetNode hub = hub(); NetNode rig = rig(hub)) {
      Message sent = richMessage(rig, "hub");
      DeliveryReceipt receipt = rig.sendConfirmed(sent).get(10, TimeUnit.SECONDS);

      Message got = atHub.next();
      assertEquals(sent, got, "the listen gets the message exactly as sent (id, sender, key, value, flags, extras)");
      assertEquals(Set.of(Flags.MINPRINT), got.flags());
      assertEquals(sent.id(), receipt.messageId());
      assertEquals("hub", receipt.recipient());
      assertEquals(1, receipt.attempts());
      assertEquals(1, rig.stats().confirmsReceived());
      Await.equal("confirms sent by the hub", 1L, () -> hub.stats().confirmsSent());
      assertEquals(0, rig.stats().inFlight());
    }
  }

  @Test
  void routerNodeSendsUnconfirmedToConnectedNode() {
    try (NetNode hub = hub(); NetNode rig = rig(hub)) {
      awaitHubHeardFromRig(hub);
      Message sent = richMessage(hub, "rig");
      hub.send(sent);

      Message got = atRig.next();
      assertEquals(sent.id(), got.id());
      assertEquals("hub", got.sender());
      assertEquals("DATA", got.key());
      assertEquals(Map.of("trial", 3, "rt", 0.42, "tags", List.of("a", "b")), got.value(Map.class));
      assertEquals(Set.of(Flags.MINPRINT, Flags.NOREPEAT), got.flags());
      assertEquals(sent.newBuilder().flag(Flags.NOREPEAT).build(), got);
      assertEquals(0, rig.stats().confirmsSent());
    }
  }

  @Test
  void routerNodeSendsConfirmedToConnectedNode() throws Exception {
    try (NetNode hub = hub(); NetNode rig = rig(hub)) {
      awaitHubHeardFromRig(hub);
      Message sent = richMessage(hub, "rig");
      DeliveryReceipt receipt = hub.sendConfirmed(sent).get(10, TimeUnit.SECONDS);

      assertEquals(sent, atRig.next());
      assertEquals(1, receipt.attempts());
      assertEquals("rig", receipt.recipient());
      assertTrue(!receipt.roundTrip().isNegative());
      assertEquals(1, hub.stats().confirmsReceived());
      Await.equal("confirms sent by the rig", 1L, () -> rig.stats().confirmsSent());
    }
  }

  @Test
  void signalMessageWithNullValueArrivesAsNull() throws Exception {
    try (NetNode hub = hub(); NetNode rig = rig(hub)) {
      rig.sendConfirmed("hub", "DATA", null).get(10, TimeUnit.SECONDS);
      Message got = atHub.next();
      assertTrue(got.hasNullValue());
      assertEquals(null, got.value(Object.class));
    }
  }
}
