package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.Station;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link StationMain}'s admin option and the notice of what an unsecured Station exposes. */
@Timeout(10)
class StationMainArgsTest {
  @Test
  void adminIsRepeatable() {
    StationMain.Args a = StationMain.Args.parse(new String[] {"--id", "T", "--admin", "ops", "--admin", "lab"});
    assertEquals(List.of("ops", "lab"), a.admins());
    assertThrows(IllegalArgumentException.class, () -> StationMain.Args.parse(new String[] {"--id", "T", "--admin", ""}));
  }

  @Test
  void noticeSaysWhatIsExposedAndWhoMayKill() {
    String open = StationMain.exposure("*", 5560, List.of(), null);
    assertTrue(open.contains("port 5560 on any interface"), open);
    assertTrue(open.contains("any id"), open);
    assertTrue(open.contains("KILL is refused from everyone"), open);
    assertTrue(open.contains("--bind 127.0.0.1"), open);
    String tree = StationMain.exposure("127.0.0.1", 5561, List.of("ops"), "P");
    assertTrue(tree.contains("127.0.0.1:5561"), tree);
    assertTrue(tree.contains("KILL is honoured only from admin ops (connected directly) and upstream P."), tree);
    open.lines().forEach(l -> assertTrue(l.length() <= 80, "fits a terminal: " + l));
  }

  @Test
  void secureNeedsKeysAndReadsTheKeysFolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertThrows(IllegalArgumentException.class, () -> StationMain.Args.parse(new String[] {"--id", "T", "--secure"}));
    StationMain.Args a = StationMain.Args.parse(new String[] {"--id", "T", "--secure", "--keys", dir.toString()});
    assertTrue(a.secure());
    assertThrows(IllegalArgumentException.class, () -> StationMain.Args.security(dir, "T", false), "no key pair yet");
    io.stationmq.netnode.CurveKeys k = io.stationmq.netnode.CurveKeys.generate();
    k.save(dir, "station");
    io.stationmq.netnode.CurveSecurity sec = StationMain.Args.security(dir, "T", false);
    assertEquals(k.publicKey(), sec.keys().publicKey());
    assertEquals(dir.resolve("allowed"), sec.allowed());
    assertThrows(IllegalArgumentException.class, () -> StationMain.Args.security(dir, "T", true), "no upstream.key");
    String text = StationMain.secureExposure("*", 5560, sec, List.of(), null);
    assertTrue(text.contains(k.publicKey()), text);
  }
}
