package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.Flags;
import io.stationmq.message.Message;
import io.stationmq.message.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** stationmq's own notices survive the wire unchanged, and read defaults from older peers' bodies. */
@Timeout(10)
class NoticesTest {
  @Test
  void anUnreachableNoticeReadsBackAsItWasWritten() {
    Notices.Unreachable sent = new Notices.Unreachable("rig_7", "ctl", "T", "no connection or route to 'ctl'", true);
    Message m = MessageCodec.decode(MessageCodec.encode(sent.toMessage("T_1", "rig")));
    assertEquals(Keys.UNREACHABLE, m.key());
    assertEquals("rig", m.to());
    assertTrue(m.hasFlag(Flags.NOREPEAT), "a notice is never confirmed");
    assertEquals(sent, Notices.Unreachable.from(m));
  }

  @Test
  void aCrashedReceiversNoticeSaysSoAndOthersLeaveTheFieldOut() {
    Notices.Unreachable crashed = new Notices.Unreachable("rig_7", "rx", "rx", "receiver died while handling it", false,
        true);
    Message m = MessageCodec.decode(MessageCodec.encode(crashed.toMessage("rx_1", "rig")));
    assertEquals(crashed, Notices.Unreachable.from(m));
    assertTrue(m.valueNode().path("crashed").asBoolean());
    Message plain = new Notices.Unreachable("rig_7", "ctl", "T", "no route", true).toMessage("T_1", "rig");
    assertTrue(plain.valueNode().path("crashed").isMissingNode(), "what older peers send, unchanged");
  }

  @Test
  void aNoticeWithoutRetryOrStationGetsItsDefaults() {
    Message old = Message.builder().id("T_1").to("rig").sender("T").key(Keys.UNREACHABLE)
        .value(java.util.Map.of("id", "rig_7", "to", "ctl", "reason", "no route")).build();
    Notices.Unreachable read = Notices.Unreachable.from(MessageCodec.decode(MessageCodec.encode(old)));
    assertEquals(new Notices.Unreachable("rig_7", "ctl", "T", "no route", false), read);
  }

  @Test
  void aDroppedNoticeReadsBackAndANegativeCountIsZero() {
    Notices.Dropped sent = new Notices.Dropped(1234, "cam", "T", "slow consumer");
    assertEquals(sent, Notices.Dropped.from(MessageCodec.decode(MessageCodec.encode(sent.toMessage("T_2", "rig")))));
    Message lying = Message.builder().id("T_3").to("rig").sender("T").key(Keys.DROPPED)
        .value(java.util.Map.of("count", -5)).build();
    assertEquals(0, Notices.Dropped.from(lying).count());
  }

  @Test
  void aReplyErrorReadsBackAndAMissingOneIsAPlainError() {
    Notices.ReplyError e = new Notices.ReplyError("no_responder", "nothing provides 'X'");
    Message reply = Message.builder().id("a_1").to("b").sender("a").key(Keys.REPLY).value(null)
        .extra("error", e.toValue()).build();
    assertEquals(e, Notices.ReplyError.from(MessageCodec.decode(MessageCodec.encode(reply)).extras().get("error")));
    assertEquals(new Notices.ReplyError("error", ""), Notices.ReplyError.from(null));
  }
}
