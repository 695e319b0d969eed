package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The callback lane on a pool whose turns the test runs by hand (or never). */
@Timeout(30)
class NotifierTest {
  private final ArrayDeque<Runnable> turns = new ArrayDeque<>();
  private final Notifier notifier = new Notifier(turns::add, EndpointListener.NONE);

  @Test
  void aThrowingCallbackIsIgnoredAndTheNextStillRuns() {
    notifier.run(listener -> {
      throw new IllegalStateException("a listener fails (expected by the test)");
    });
    CompletableFuture<String> next = new CompletableFuture<>();
    notifier.complete(next, "b");
    turns.poll().run();
    assertEquals("b", next.getNow(null));
  }

  @Test
  void shutdownRunsWhatNoWorkerTookAndLaterCallbacksRunOnTheirCaller() {
    CompletableFuture<String> queued = new CompletableFuture<>();
    notifier.complete(queued, "a");
    assertFalse(queued.isDone());
    notifier.shutdown(0); // no worker takes the turn: the wait ends at once
    assertEquals("a", queued.getNow(null));
    CompletableFuture<String> later = new CompletableFuture<>();
    notifier.complete(later, "b");
    assertEquals("b", later.getNow(null), "run on the caller");
    turns.poll().run(); // the turn the pool held comes late: nothing left for it
  }
}
