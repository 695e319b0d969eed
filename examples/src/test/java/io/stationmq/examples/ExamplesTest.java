package io.stationmq.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import io.stationmq.netnode.Station;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs every example briefly against a real terminal Station on loopback and checks what it did. */
@Timeout(30)
class ExamplesTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final TerminalAgent.Inbox inbox = new TerminalAgent.Inbox();
  private Station terminal;

  @BeforeEach
  void startTerminal() {
    terminal = TerminalAgent.start("T", "127.0.0.1", 0, inbox);
  }

  @AfterEach
  void closeTerminalAndCheckThreads() {
    terminal.close();
    Threads.assertNoneLeft();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Station rig() {
    return RigAgent.start("rig_1", "127.0.0.1", 0, "127.0.0.1", terminal.port(), "T");
  }

  private Message toController(String key, Object value) {
    return terminal.message("ctrl_1", key, value).path("rig_1", "ctrl_1").build();
  }

  @Test
  void terminalRecordsDataAndStateAndServesUntilKilled() throws Exception {
    try (NetNode node = NetNode.builder().id("ctrl_1").upstream("127.0.0.1", terminal.port(), "T").build()) {
      get(node.sendConfirmed("T", "DATA", Map.of("trial", 7)));
      get(node.sendConfirmed("T", "STATE", "RUNNING"));
      Station idle = TerminalAgent.start("T2", "127.0.0.1", 0, new TerminalAgent.Inbox());
      assertFalse(TerminalAgent.serve(idle, Duration.ofMillis(50)), "a terminal nobody kills serves until its limit");
      assertTrue(idle.isClosed());
      node.send("T", "KILL", null);
      Await.equal("a controller's KILL refused", 1L, () -> terminal.stats().refused());
      assertFalse(terminal.isClosed());
      try (NetNode operator = NetNode.builder().id(TerminalAgent.ADMIN).upstream("127.0.0.1", terminal.port(), "T").build()) {
        get(operator.sendConfirmed("T", "KILL", null));
        assertTrue(TerminalAgent.serve(terminal, WAIT), "the admin's KILL ends serve");
      }
    }
    assertTrue(terminal.isClosed());
    assertEquals(7, inbox.withKey("DATA").get(0).value(Map.class).get("trial"));
    assertEquals("RUNNING", inbox.withKey("STATE").get(0).value(String.class));
    assertEquals(2, inbox.messages().size());
  }

  @Test
  void rigForwardsItsControllersTrafficRelaysEventsAndPushesItsState() throws Exception {
    try (Station rig = rig();
         NetNode ctrl = NetNode.builder().id("ctrl_1").upstream("127.0.0.1", rig.port(), "rig_1").build()) {
      get(ctrl.sendConfirmed("T", "DATA", Map.of("lick", 1)));
      get(ctrl.sendConfirmed("rig_1", "EVENT", Map.of("door", "open")));
      List<DeliveryReceipt> receipts = RigAgent.run(rig, "T", Duration.ofMillis(100));
      assertEquals(2, receipts.size());
      Await.until("the relayed EVENT at the terminal", () -> inbox.withKey("DATA").size() == 2);
      Await.until("both STATEs handled at the terminal", () -> inbox.withKey("STATE").size() == 2);
      assertTrue(rig.stats().forwarded() >= 1, "the controller's DATA passed through the rig: " + rig.stats());
    }
    List<Message> data = inbox.withKey("DATA");
    Message forwarded = data.stream().filter(m -> m.sender().equals("ctrl_1")).findFirst().orElseThrow();
    assertEquals(1, forwarded.value(Map.class).get("lick"));
    Message relayed = data.stream().filter(m -> m.sender().equals("rig_1")).findFirst().orElseThrow();
    assertEquals(Map.of("rig", "rig_1", "controller", "ctrl_1", "event", Map.of("door", "open")),
        relayed.value(Map.class));
    assertEquals(List.of("RUNNING", "IDLE"), inbox.withKey("STATE").stream().map(m -> m.value(String.class)).toList());
  }

  @Test
  void controllerObeysCommandsSentAlongAPathAndStreamsSamplesToTheTerminal() throws Exception {
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try (Station rig = rig()) {
      Future<HardwareController.Result> run = runner.submit(
          () -> HardwareController.run("ctrl_1", "127.0.0.1", rig.port(), "rig_1", "T", 200, Duration.ofSeconds(3)));
      Await.until("ctrl_1 READY at the terminal", () -> inbox.withKey("STATE").size() == 1);
      get(terminal.sendConfirmed(toController("PARAM", Map.of("gain", 2.0))));
      get(terminal.sendConfirmed(toController("START", null)));
      Await.until("50 samples at the terminal", () -> inbox.samples().get() >= 50);
      get(terminal.sendConfirmed(toController("STOP", null)));
      HardwareController.Result r = run.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

      assertEquals(3, r.commands().size(), "commands: " + r.commands());
      assertTrue(r.commands().contains("PARAM gain=2.0"), "commands: " + r.commands());
      assertTrue(r.commands().indexOf("START") < r.commands().indexOf("STOP"), "commands: " + r.commands());
      assertTrue(r.pushed() >= 50 && r.pushed() < 600, "pushed while started: " + r.pushed());
      Await.equal("every pushed sample at the terminal", r.pushed(), () -> inbox.samples().get());
    } finally {
      runner.shutdownNow();
    }
    assertEquals(0, terminal.receivedStreams().get(0).gaps());
  }

  @Test
  void directMessagingConfirmsBothWaysWithoutAStation() throws Exception {
    DirectMessaging.Exchange e = DirectMessaging.run(0, WAIT);
    assertEquals("camera", e.up().recipient());
    assertEquals("daq", e.down().recipient());
    assertEquals(Set.of("FRAME_RATE from daq", "ACK from camera"),
        e.handled().stream().map(m -> m.key() + " from " + m.sender()).collect(Collectors.toSet()));
    assertEquals(2, e.handled().size());
  }

  @Test
  void multihopSendAcrossTheTreeIsHandledOnceAndConfirmed() throws Exception {
    MultihopSend.Result r = MultihopSend.run("127.0.0.1", terminal.port(), "T", WAIT);
    assertEquals("ctrl_b", r.receipt().recipient());
    assertTrue(r.receipt().attempts() >= 1 && !r.receipt().roundTrip().isNegative(), r.receipt().toString());
    assertEquals(1, r.handled().size());
    Message got = r.handled().get(0);
    assertEquals("ctrl_a", got.sender());
    assertEquals("ctrl_b", got.to());
    assertEquals(50, got.value(Map.class).get("open_ms"));
    // T counts a forward after its write returns, which can be after the confirmation arrived.
    Await.until("the command and its confirmation passed T", () -> terminal.stats().forwarded() >= 2);
  }

  @Test
  void sensorTopicsReachLoggerDisplayWorkersAndTheBroadcastEveryNode() throws Exception {
    SensorTopics.Result r = SensorTopics.run(terminal, 50, WAIT);
    assertEquals(100, r.logged().size(), "every temperature and job: " + r.logged());
    assertEquals(List.of(36.0 + 49 / 10.0), r.displayed().subList(r.displayed().size() - 1, r.displayed().size()),
        "the display ends on the newest value");
    List<Integer> all = new ArrayList<>(r.jobs().get("worker_1"));
    all.addAll(r.jobs().get("worker_2"));
    Collections.sort(all);
    assertEquals(IntStream.range(0, 50).boxed().toList(), all, "each job handled once: " + r.jobs());
    assertEquals(Set.of("thermo", "logger", "display", "worker_1", "worker_2"), Set.copyOf(r.stopped()));
  }

  @Test
  void mainsRunAgainstTheTerminalAndExitByThemselves() throws Exception {
    String port = String.valueOf(terminal.port());
    DirectMessaging.main(new String[0]);
    MultihopSend.main(new String[] {port});
    RigAgent.main(new String[] {port, "0", "1"});
    try (Station rig = rig()) {
      HardwareController.main(new String[] {String.valueOf(rig.port()), "1"});
    }
    TerminalAgent.main(new String[] {"0", "1"});
    Await.until("the mains' STATE messages at the terminal", () -> inbox.withKey("STATE").size() >= 4);
  }
}
