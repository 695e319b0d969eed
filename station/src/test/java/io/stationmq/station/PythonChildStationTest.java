package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.RawPeer;
import io.stationmq.netnode.testing.Recorder;
import io.stationmq.netnode.testing.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Python child station under a Java Station only understands single-frame messages on its
 * pusher (all addressed to itself): the Java Station must not send it {@code [to, body]} for a
 * sender it learned behind it, neither a CONFIRM nor a forwarded message (the Python child
 * raised IndexError in its loop for each).
 */
@Timeout(60)
class PythonChildStationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterEach
  void noThreadsLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void nothingButSingleFrameMessagesGoesDownToAPythonChildsPusher() throws Exception {
    Recorder data = new Recorder();
    EndpointOptions options = EndpointOptions.builder().reconnectGrace(Duration.ZERO).build();
    try (Station t = Station.builder().id("T").bindAddress("127.0.0.1").options(options).listen("DATA", data).build();
        RawPeer child = RawPeer.registeredDealer("C", t.endpoint(), t);
        NetNode other = NetNode.builder().id("other").upstream("127.0.0.1", t.port(), "T").build()) {
      // The Python child pushes up a confirmed message from 'x', a node behind it.
      child.send("T", "T", RawPeer.pythonBody("x_1", "T", "x", "DATA", "1", "{}"));
      assertEquals(1, data.next(WAIT).value(Integer.class));
      // A Java node sends to 'x', which T learned is behind C.
      other.send("x", "DATA", 2);
      Await.until("T could not pass it on", () -> t.stats().unreachable() >= 2);
      // A marker T sends to C itself, single frame; whatever T sent C before it arrives first.
      t.send("C", "MARK", 0);
      List<List<byte[]>> seen = new ArrayList<>();
      while (true) {
        List<byte[]> frames = child.receiveMessage(WAIT);
        seen.add(frames);
        if (RawPeer.text(frames.get(frames.size() - 1)).contains("\"MARK\"")) {
          break;
        }
      }
      for (List<byte[]> frames : seen) {
        assertEquals(1, frames.size(), "a Python child's pusher gets single frames only; got "
            + frames.stream().map(RawPeer::text).toList());
      }
      assertTrue(t.stats().unreachable() >= 2, "the CONFIRM for x and the message for x were not sent, counted");
    }
  }
}
