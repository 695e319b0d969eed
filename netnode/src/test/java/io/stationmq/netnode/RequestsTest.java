package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.netnode.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Both sides of request and reply with a fake clock and a fake wire: no sockets, no threads. */
@Timeout(10)
class RequestsTest {
  private final FakeTicker ticker = new FakeTicker();
  private final Counters counters = new Counters();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<String> wire = new ArrayList<>();
  private final List<Message> unconfirmed = new ArrayList<>();
  private final List<Message> confirmed = new ArrayList<>();
  private final List<String> settled = new ArrayList<>();
  private final List<Message> resent = new ArrayList<>();
  private final List<byte[]> sentBodies = new ArrayList<>();
  private final List<byte[]> resentBodies = new ArrayList<>();

  private final Requests.Completions now = new Requests.Completions() {
    @Override
    public <T> void complete(CompletableFuture<T> future, T value) {
      future.complete(value);
    }

    @Override
    public void failWith(CompletableFuture<?> future, Throwable error) {
      future.completeExceptionally(error);
    }
  };

  private Requests requests(String id) {
    return new Requests(id, new Requests.Wire() {
      @Override
      public Message.Builder message(String to, String key, Object value) {
        return Message.builder().id(id + "_" + ids.getAndIncrement()).sender(id).to(to).key(key).value(value);
      }

      @Override
      public CompletableFuture<DeliveryReceipt> sendConfirmed(Message m) {
        confirmed.add(m);
        wire.add("confirmed " + m.key());
        return new CompletableFuture<>();
      }

      @Override
      public void sendUnconfirmed(Message m, byte[] body) {
        unconfirmed.add(m);
        sentBodies.add(body);
        wire.add("unconfirmed " + m.key());
      }

      @Override
      public void resendNow(Message m, byte[] body) {
        resent.add(m);
        resentBodies.add(body);
        wire.add("again " + m.key());
      }

      @Override
      public void confirm(Message m, String via) {
        wire.add("confirm " + m.id());
      }

      @Override
      public void settle(String messageId) {
        settled.add(messageId);
      }

      @Override
      public void wakeUp() {}
    }, now, counters, new RateLimitedLog(LoggerFactory.getLogger(RequestsTest.class), 5, 1), ticker,
        Duration.ofMinutes(2), true);
  }

  private static Message request(String name) {
    return Message.builder().id("rig_0").sender("rig").to("T").key(Keys.REQUEST).value(7).extra("request", name)
        .build();
  }

  @Test
  void aReplyIsSentOnceUnconfirmedAndSentAgainForARepeatWithoutRunningTheResponderTwice() {
    Requests responder = requests("T");
    AtomicInteger runs = new AtomicInteger();
    responder.provide("DOUBLE", r -> {
      runs.incrementAndGet();
      return 2 * r.value(Integer.class);
    });
    Message request = request("DOUBLE");
    responder.answer(request);
    assertEquals(List.of("unconfirmed " + Keys.REPLY), wire);
    Message reply = unconfirmed.get(0);
    assertTrue(reply.hasFlag(Flags.NOREPEAT), "the requester's repeats stand in for the reply's");
    assertEquals(14, reply.value(Integer.class));
    assertEquals("rig_0", reply.extra("reply_to", String.class).orElseThrow());

    responder.onRepeat(request, "rig"); // the reply was lost: a repeat, same id and timestamp
    assertEquals(List.of("unconfirmed " + Keys.REPLY, "again " + Keys.REPLY), wire);
    assertEquals(1, runs.get(), "the responder ran once");
    assertSame(sentBodies.get(0), resentBodies.get(0), "the kept bytes go again");
    Message again = resent.get(0); // decoded from the kept bytes for its route
    assertEquals(reply.id(), again.id());
    assertEquals(reply.path(), again.path());
    assertEquals(14, again.value(Integer.class));
  }

  @Test
  void aRepeatBeforeTheReplyIsConfirmedAndTheReplyThenGoesConfirmed() {
    Requests responder = requests("T");
    responder.provide("SLOW", r -> "done");
    Message request = request("SLOW");
    responder.onRepeat(request, "rig"); // the responder is still working
    assertEquals(List.of("confirm rig_0"), wire);
    responder.answer(request);
    assertEquals(List.of("confirm rig_0", "confirmed " + Keys.REPLY), wire, "the requester stopped repeating");
    assertFalse(confirmed.get(0).hasFlag(Flags.NOREPEAT));
  }

  @Test
  void unknownRequestsAndFailingRespondersAnswerWithTypedErrors() throws Exception {
    Requests responder = requests("T");
    responder.provide("BAD", r -> {
      throw new RemoteException("bad_args", "no", "T");
    });
    responder.answer(request("NOPE"));
    responder.answer(Message.builder().id("rig_1").sender("rig").to("T").key(Keys.REQUEST).extra("request", "BAD")
        .build());
    assertEquals("unknown_request", unconfirmed.get(0).extras().get("error").path("code").asText());
    assertEquals("bad_args", unconfirmed.get(1).extras().get("error").path("code").asText());

    Requests requester = requests("rig");
    CompletableFuture<Message> f = requester.request(request("BAD"), Duration.ofSeconds(5));
    requester.onReply(unconfirmed.get(1).newBuilder().extra("reply_to", "rig_0").build());
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
    RemoteException remote = assertInstanceOf(RemoteException.class, e.getCause());
    assertEquals("bad_args", remote.code());
  }

  @Test
  void aRequestTimesOutAtItsDeadlineAndALateReplyIsCounted() {
    Requests requester = requests("rig");
    CompletableFuture<Message> f = requester.request(request("PING"), Duration.ofMillis(300));
    assertEquals(300_000_000L, requester.nanosUntilNextDeadline(ticker.read()));
    ticker.advance(Duration.ofMillis(299));
    requester.expire(ticker.read());
    assertFalse(f.isDone());
    ticker.advance(Duration.ofMillis(1));
    requester.expire(ticker.read());
    assertTrue(f.isCompletedExceptionally());
    assertInstanceOf(RequestTimeoutException.class, f.handle((v, err) -> err).join());
    assertEquals(Long.MAX_VALUE, requester.nanosUntilNextDeadline(ticker.read()));

    requester.onReply(Message.builder().id("T_9").sender("T").to("rig").key(Keys.REPLY).extra("reply_to", "rig_0")
        .extra("ok", true).build());
    assertEquals(1, counters.lateReplies.sum());
    assertEquals(List.of("rig_0"), settled, "the reply still settles the request's delivery");
  }

  @Test
  void aReplySentTwiceCountsAsADuplicateAndClosingFailsWhatWaits() {
    Requests requester = requests("rig");
    CompletableFuture<Message> first = requester.request(request("PING"), Duration.ofSeconds(5));
    Message reply = Message.builder().id("T_9").sender("T").to("rig").key(Keys.REPLY).value("pong")
        .extra("reply_to", "rig_0").extra("ok", true).build();
    requester.onReply(reply);
    requester.onReply(reply);
    assertEquals("pong", first.join().value(String.class));
    assertEquals(1, counters.duplicates.sum());

    CompletableFuture<Message> second = requester.request(Message.builder().id("rig_5").sender("rig").to("T")
        .key(Keys.REQUEST).extra("request", "PING").build(), Duration.ofSeconds(5));
    requester.closeAll();
    assertInstanceOf(EndpointClosedException.class, second.handle((v, err) -> err).join());
    assertEquals(0, requester.waiting());
  }

  @Test
  void anAnsweredRequestHoldsNothingUntilItsTimeout() {
    Requests requester = requests("rig");
    for (int i = 0; i < 1_000; i++) {
      String id = "rig_" + i;
      CompletableFuture<Message> f = requester.request(Message.builder().id(id).sender("rig").to("T")
          .key(Keys.REQUEST).extra("request", "PING").build(), Duration.ofMinutes(5));
      requester.onReply(Message.builder().id("T_" + i).sender("T").to("rig").key(Keys.REPLY).value("pong")
          .extra("reply_to", id).extra("ok", true).build());
      assertEquals("pong", f.join().value(String.class));
    }
    // Before, each answered request stayed queued (with its future and reply) for its 5 minutes.
    assertEquals(0, requester.deadlinesWaiting(), "only waiting requests have a deadline");
    assertEquals(Long.MAX_VALUE, requester.nanosUntilNextDeadline(ticker.read()));
  }

  @Test
  void aSecondRequestWithTheIdOfOneWaitingIsRefusedAndTheFirstStillGetsItsReply() {
    Requests requester = requests("rig");
    CompletableFuture<Message> first = requester.request(request("PING"), Duration.ofSeconds(5));
    CompletableFuture<Message> second = requester.request(request("PING"), Duration.ofSeconds(5));
    DuplicateMessageException e = assertInstanceOf(DuplicateMessageException.class, second.handle((v, err) -> err).join());
    assertEquals("rig_0", e.messageId());
    assertEquals(1, confirmed.size(), "the refused request is not sent");
    assertEquals(1, requester.waiting());

    requester.onReply(Message.builder().id("T_9").sender("T").to("rig").key(Keys.REPLY).value("pong")
        .extra("reply_to", "rig_0").extra("ok", true).build());
    assertEquals("pong", first.join().value(String.class));
    assertEquals(0, requester.waiting());
  }
}
