package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stationmq.message.Message;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sending the same message again while it is in flight is refused, not silently merged. */
@Timeout(30)
class DuplicateIdTest {
  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void secondSendOfAMessageInFlightFailsAndTheFirstStillCompletes() throws Exception {
    try (NetNode hub = NetNode.builder().id("hub").routerPort(0).routerAddress("127.0.0.1").listen("K", m -> { }).build();
        // No TIME exchanges: the test counts what is in flight.
        NetNode a = NetNode.builder().id("a").upstream("127.0.0.1", hub.routerPort(), "hub")
            .options(EndpointOptions.builder().clockSyncInterval(Duration.ZERO).build()).build()) {
      Message m = a.message("hub", "K", 1).build();
      CompletableFuture<DeliveryReceipt> first = a.sendConfirmed(m);
      CompletableFuture<DeliveryReceipt> second = a.sendConfirmed(m);
      ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
      DuplicateMessageException d = assertInstanceOf(DuplicateMessageException.class, e.getCause());
      assertEquals(m.id(), d.messageId());
      assertEquals("hub", d.recipient());
      assertEquals(0, d.attempts());
      assertEquals(m.id(), first.get(5, TimeUnit.SECONDS).messageId());
      assertEquals(0, a.stats().inFlight());
    }
  }
}
