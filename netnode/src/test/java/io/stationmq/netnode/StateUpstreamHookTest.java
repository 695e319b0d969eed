package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The replicated state's listener wrapper hooks only the upstream's return and passes the call on. */
@Timeout(10)
class StateUpstreamHookTest {
  @Test
  void theHookRunsWhenTheUpstreamConnectsOrRestartedAndTheCallGoesOn() {
    AtomicInteger ups = new AtomicInteger();
    List<String> heard = new ArrayList<>();
    EndpointListener user = new EndpointListener() {
      @Override
      public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
        heard.add(state.name());
      }

      @Override
      public void upstreamBack(String upstreamId, String reason) {
        heard.add("back " + reason);
      }
    };
    EndpointListener hook = new StateUpstreamHook(user, ups::incrementAndGet);
    hook.upstreamChanged("T", UpstreamState.CONNECTING, "x");
    hook.upstreamChanged("T", UpstreamState.CONNECTED, "answered HELLO");
    hook.upstreamBack("T", "answers again");
    hook.upstreamBack("T", "restarted");
    assertEquals(2, ups.get());
    assertEquals(List.of("CONNECTING", "CONNECTED", "back answers again", "back restarted"), heard);
  }
}
