package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stationmq.netnode.EndpointListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ListenerFanOutTest {
  @Test
  void everyListenerHearsEachEventEvenWhenOneBeforeItThrows() {
    List<String> heard = new ArrayList<>();
    EndpointListener throwing = new EndpointListener() {
      @Override
      public void malformed(String source, String reason) {
        heard.add("first " + reason);
        throw new IllegalStateException("listener bug");
      }
    };
    EndpointListener second = new EndpointListener() {
      @Override
      public void malformed(String source, String reason) {
        heard.add("second " + reason);
      }
    };
    EndpointListener both = ListenerFanOut.of(throwing, List.of(second));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> both.malformed("ROUTER", "bad frame"));
    assertEquals("listener bug", e.getMessage());
    assertEquals(List.of("first bad frame", "second bad frame"), heard);
    both.peerRefused("x", "duplicate id"); // a default method on both: nothing happens, nothing fails
    assertEquals(both, both);
  }

  @Test
  void oneListenerIsItself() {
    assertSame(EndpointListener.NONE, ListenerFanOut.of(EndpointListener.NONE, List.of()));
  }
}
