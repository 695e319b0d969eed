package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stationmq.message.Envelope;
import io.stationmq.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hop choice and frame layouts with a fake wire: who is connected, who said HELLO. */
@Timeout(10)
class RoutesTest {
  private final List<String> written = new ArrayList<>();
  private final Set<String> gone = new HashSet<>();
  private final Set<String> stationmq = new HashSet<>();

  private final Routes.Wire wire = new Routes.Wire() {
    @Override
    public Routes.Result toRouter(List<byte[]> frames) {
      if (gone.contains(text(frames.get(0)))) {
        return Routes.Result.UNREACHABLE;
      }
      written.add("router " + texts(frames));
      return Routes.Result.OK;
    }

    @Override
    public Routes.Result toUpstream(List<byte[]> frames) {
      written.add("upstream " + texts(frames));
      return Routes.Result.OK;
    }

    @Override
    public boolean saidHello(String identity) {
      return stationmq.contains(identity);
    }
  };

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String texts(List<byte[]> frames) {
    return frames.stream().map(RoutesTest::text).toList().toString();
  }

  private static final byte[] BODY = "B".getBytes(StandardCharsets.UTF_8);

  private static Envelope fromRouter(String... frames) {
    List<byte[]> f = new ArrayList<>();
    for (String s : frames) {
      f.add(s.getBytes(StandardCharsets.UTF_8));
    }
    f.add(BODY);
    return Envelope.fromRouter(f);
  }

  @Test
  void aStationSendsToAConnectedPeerDirectlyElseUpstreamElseTriesItsRouter() {
    Routes station = new Routes("P", true, true, wire);
    station.connected("rig");
    assertEquals(Routes.Result.OK, station.forward(fromRouter("cam", "S", "rig")));
    assertEquals(Routes.Result.OK, station.forward(fromRouter("cam", "S", "far")));
    assertEquals(List.of("router [rig, B]", "upstream [P, far, B]"), written);

    Routes top = new Routes(null, true, true, wire);
    top.forward(fromRouter("cam", "S", "ghost"));
    assertEquals("router [ghost, B]", written.get(2), "no upstream: the ROUTER says whether it exists");
  }

  @Test
  void aLearnedRouteIsUsedOnlyThroughAChildThatSaidHello() {
    Routes station = new Routes("P", true, true, wire);
    station.connected("javaChild");
    station.connected("pyChild");
    stationmq.add("javaChild");
    station.learn("x", "javaChild");
    station.learn("y", "pyChild");
    station.forward(fromRouter("cam", "S", "x"));
    station.forward(fromRouter("cam", "S", "y"));
    assertEquals(List.of("router [javaChild, x, B]", "upstream [P, y, B]"), written,
        "a Python child cannot pass a message down: it goes upstream instead");
    assertEquals(Routes.Result.UNREACHABLE, station.back("pyChild", "y", BODY), "nor a reply through it");
    assertEquals(Routes.Result.OK, station.back("javaChild", "x", BODY));
    assertEquals(Routes.Result.OK, station.back("pyChild", "pyChild", BODY), "to the child itself: fine");
  }

  @Test
  void aPeerThatLeftIsForgottenAndTheNextMessageTakesAnotherWay() {
    Routes station = new Routes("P", true, true, wire);
    station.connected("rig");
    gone.add("rig");
    station.forward(fromRouter("cam", "S", "rig"));
    assertEquals(List.of("upstream [P, rig, B]"), written);
  }

  @Test
  void aNodeUsesItsLayoutsForItsOwnMessages() {
    Routes node = new Routes("T", true, false, wire);
    Message single = Message.builder().id("n_0").sender("n").to("T").key("K").build();
    Message multihop = Message.builder().id("n_1").sender("n").path("A", "B").key("K").build();
    node.send(single, BODY, Route.AUTO);
    node.send(single, BODY, Route.DIRECT);
    node.send(multihop, BODY, Route.AUTO);
    node.connected("A");
    node.send(multihop, BODY, Route.AUTO);
    assertEquals(List.of("upstream [T, T, B]", "upstream [T, T, B]", "upstream [T, A, B, B, B]",
        "router [A, B, B, B]"), written);
    assertEquals(List.of("rig", "rig", "B"), node.toPeer("rig", BODY).stream().map(RoutesTest::text).toList(),
        "a node writes [to, to, body] to a peer; a station [to, body]");
  }
}
