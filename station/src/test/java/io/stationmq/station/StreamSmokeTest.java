package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Overflow;
import io.stationmq.netnode.SampleStream;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.StreamOptions;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Threads;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StreamSmokeTest {
  record Sample(long t, double a, double b, double c) {}

  @Test
  void samplesArriveInOrderThroughAStationAsTypedSamples() throws Exception {
    List<Sample> got = new CopyOnWriteArrayList<>();
    try (Station t = Station.builder().id("T").bindAddress("127.0.0.1").build()) {
      t.onSamples("CONTINUOUS", Sample.class, got::add);
      try (NetNode rig = NetNode.builder().id("rig").upstream("127.0.0.1", t.port(), "T").build()) {
        SampleStream s = rig.getStream("lick", "CONTINUOUS",
            StreamOptions.builder().overflow(Overflow.BLOCK).subject("mouse_12").pilot("rig").build());
        for (int i = 0; i < 10_000; i++) {
          s.push(new Sample(i, 0.1, 0.2, 0.3));
        }
        Await.equal("all samples", 10_000, got::size);
        assertEquals(10_000, s.stats().sent());
      }
      for (int i = 0; i < 10_000; i++) {
        assertEquals(i, got.get(i).t());
      }
      assertEquals(0, t.receivedStreams().get(0).gaps());
      assertEquals(10_000, t.receivedStreams().get(0).samples());
    }
    Threads.assertNoneLeft();
  }
}
