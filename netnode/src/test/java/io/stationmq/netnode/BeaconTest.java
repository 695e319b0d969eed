package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The beacon codec and the listener's handling of packets, without sockets. */
@Timeout(10)
class BeaconTest {
  private static final InetSocketAddress FROM = new InetSocketAddress("10.0.0.7", 40000);

  @Test
  void roundTrip() {
    Beacon b = new Beacon("labA", "T-ä", "", 5560);
    byte[] data = b.encode();
    Beacon.Decoded d = Beacon.decode(data, data.length);
    assertTrue(d.ok(), d.detail());
    assertEquals(b, d.beacon());
    assertTrue(data.length <= Beacon.MAX_SIZE);
    Beacon largest = new Beacon("n".repeat(64), "i".repeat(128), "h".repeat(64), 65535);
    assertEquals(Beacon.MAX_SIZE, largest.encode().length);
    assertEquals(largest, Beacon.decode(largest.encode(), Beacon.MAX_SIZE).beacon());
  }

  @Test
  void everyShorterPrefixIsRefusedWithoutThrowing() {
    byte[] data = new Beacon("labA", "T", "10.0.0.1", 5560).encode();
    for (int n = 0; n < data.length; n++) {
      Beacon.Decoded d = Beacon.decode(data, n);
      assertFalse(d.ok(), "prefix of " + n + " bytes");
      assertEquals(n < 4 ? Beacon.Problem.FOREIGN : Beacon.Problem.MALFORMED, d.problem(), "prefix of " + n);
    }
  }

  @Test
  void foreignOversizedTrailingAndOtherVersionsAreRefused() {
    byte[] zre = "ZRE\u0001 some zyre beacon".getBytes(StandardCharsets.US_ASCII);
    assertEquals(Beacon.Problem.FOREIGN, Beacon.decode(zre, zre.length).problem());
    byte[] ok = new Beacon("labA", "T", "", 5560).encode();
    byte[] big = Arrays.copyOf(ok, Beacon.MAX_SIZE + 1);
    assertEquals(Beacon.Problem.MALFORMED, Beacon.decode(big, big.length).problem());
    byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
    assertEquals(Beacon.Problem.MALFORMED, Beacon.decode(trailing, trailing.length).problem());
    byte[] v2 = ok.clone();
    v2[4] = 2;
    assertEquals(Beacon.Problem.VERSION, Beacon.decode(v2, v2.length).problem());
    byte[] longField = ok.clone();
    longField[5] = (byte) 200; // network length past the end
    assertEquals(Beacon.Problem.MALFORMED, Beacon.decode(longField, longField.length).problem());
  }

  @Test
  void fieldsOutOfRuleAreRefused() {
    byte[] ok = new Beacon("labA", "T", "", 5560).encode();
    byte[] badName = ok.clone();
    badName[6] = ' '; // "labA" -> " abA"
    assertEquals(Beacon.Problem.MALFORMED, Beacon.decode(badName, badName.length).problem());
    byte[] port0 = ok.clone();
    port0[port0.length - 1] = 0;
    port0[port0.length - 2] = 0;
    assertEquals(Beacon.Problem.MALFORMED, Beacon.decode(port0, port0.length).problem());
    assertThrows(IllegalArgumentException.class, () -> new Beacon("lab A", "T", "", 1));
    assertThrows(IllegalArgumentException.class, () -> new Beacon("", "T", "", 1));
    assertThrows(IllegalArgumentException.class, () -> new Beacon("labA", "", "", 1));
    assertThrows(IllegalArgumentException.class, () -> new Beacon("labA", "T", "", 0));
  }

  @Test
  void listenerRemembersItsNetworksAndCountsTheRest() {
    BeaconListener l = BeaconListener.acquire(0);
    try {
      l.watch("labA");
      byte[] a = new Beacon("labA", "T", "", 5560).encode();
      byte[] b = new Beacon("labB", "U", "", 5561).encode();
      l.onPacket(a, a.length, FROM);
      l.onPacket(b, b.length, FROM);
      l.onPacket(new byte[] {1, 2}, 2, FROM);
      assertEquals(1, l.beacons.sum());
      assertEquals(1, l.foreignNetwork.sum());
      assertEquals(1, l.bad.sum());
      assertEquals("tcp://10.0.0.7:5560", l.latest("labA", "T", Long.MAX_VALUE).address());
      assertEquals("tcp://10.0.0.7:5560", l.latest("labA", null, Long.MAX_VALUE).address());
      assertNull(l.latest("labA", "other", Long.MAX_VALUE));
      assertNull(l.latest("labB", null, Long.MAX_VALUE));
    } finally {
      l.release();
    }
  }
}
