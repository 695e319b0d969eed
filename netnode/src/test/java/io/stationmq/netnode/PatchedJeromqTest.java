package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URL;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine's sockets must run on the patched JeroMQ classes, not the ones in org.zeromq:jeromq. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PatchedJeromqTest {
  private static final String MARKER = "META-INF/stationmq-jeromq.properties";

  @Test
  void patchedClassesComeFromThePatchedJar() throws Exception {
    URL marker = getClass().getClassLoader().getResource(MARKER);
    assertNotNull(marker, "stationmq-jeromq is not on the class path");
    String markerRoot = marker.toString().substring(0, marker.toString().indexOf(MARKER));
    if (markerRoot.startsWith("jar:")) {
      markerRoot = markerRoot.substring("jar:".length(), markerRoot.length() - "!/".length());
    }
    for (String patched : new String[] {"zmq.Signaler", "zmq.io.coder.Decoder"}) {
      URL location = Class.forName(patched).getProtectionDomain().getCodeSource().getLocation();
      assertEquals(markerRoot, location.toString(), patched + " is loaded from the unpatched JeroMQ");
    }
  }
}
