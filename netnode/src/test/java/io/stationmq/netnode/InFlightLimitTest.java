package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stationmq.netnode.testing.Bodies;
import io.stationmq.netnode.testing.FakeTicker;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** At most maxInFlight confirmed messages wait for confirmation; more are refused at once. */
@Timeout(60)
class InFlightLimitTest {
  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void sendConfirmedBeyondMaxInFlightFailsAtOnceAndRoomReturnsOnConfirm() throws Exception {
    EndpointOptions options = EndpointOptions.builder().ticker(new FakeTicker()).maxInFlight(2).build();
    try (RawPeer upstream = RawPeer.router("T");
        NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", upstream.port(), "T").options(options).build()) {
      CompletableFuture<DeliveryReceipt> first = rig.sendConfirmed("T", "DATA", 1);
      rig.sendConfirmed("T", "DATA", 2);

      CompletableFuture<DeliveryReceipt> third = rig.sendConfirmed("T", "DATA", 3);
      ExecutionException e = assertThrows(ExecutionException.class, () -> third.get(1, TimeUnit.SECONDS));
      OutboxFullException full = assertInstanceOf(OutboxFullException.class, e.getCause());
      assertEquals(0, full.attempts());
      assertEquals(2, rig.stats().inFlight());

      String id = Bodies.last(upstream.receiveMessage(Duration.ofSeconds(10))).get("id").asText();
      upstream.send("rig", RawPeer.pythonBody("T_0", "rig", "T", "CONFIRM", "\"" + id + "\"", "{\"NOREPEAT\": true}"));
      first.get(10, TimeUnit.SECONDS);

      assertEquals(1, rig.stats().inFlight());
      CompletableFuture<DeliveryReceipt> fourth = rig.sendConfirmed("T", "DATA", 4);
      assertEquals(2, rig.stats().inFlight(), "accepted again");
      assertEquals(false, fourth.isCompletedExceptionally());
    }
  }
}
