package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.net.URL;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine's sockets must run on the patched JeroMQ classes, not the ones in org.zeromq:jeromq. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PatchedJeromqTest {
  private static final String MARKER = "META-INF/stationmq-jeromq.properties";

  @Test
  void signalerComesFromThePatchedJar() throws Exception {
    assertEquals(patchedJar(), origin("zmq.Signaler"), "zmq.Signaler is loaded from the unpatched JeroMQ");
  }

  @Test
  void everyPatchedClassComesFromThePatchedJar() throws Exception {
    Properties props = new Properties();
    try (InputStream in = marker().openStream()) {
      props.load(in);
    }
    for (String name : props.getProperty("patched").split(",")) {
      assertEquals(patchedJar(), origin(name.trim()), name + " is loaded from the unpatched JeroMQ");
    }
  }

  private URL marker() {
    URL marker = getClass().getClassLoader().getResource(MARKER);
    assertNotNull(marker, "stationmq-jeromq is not on the class path");
    return marker;
  }

  /** Where the marker, and so every patched class, is loaded from. */
  private String patchedJar() {
    String url = marker().toString();
    String root = url.substring(0, url.indexOf(MARKER));
    if (root.startsWith("jar:")) {
      root = root.substring("jar:".length(), root.length() - "!/".length());
    }
    return root;
  }

  private static String origin(String className) throws ClassNotFoundException {
    return Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toString();
  }
}
