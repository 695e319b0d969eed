package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Threads;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A Station that cannot bind says why in words: an address this machine lacks, a port in use. */
@Timeout(30)
class BindErrorTest {
  @AfterEach
  void noThreadLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void bindingAnAddressThisMachineDoesNotHaveSaysSo() throws Exception {
    // TEST-NET-1 (RFC 5737): never an address of this machine.
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Station.builder().id("T").bindAddress("192.0.2.1").build());
    assertTrue(e.getMessage().contains("192.0.2.1 is not an address of this machine"), e.getMessage());
    IllegalStateException unknown = assertThrows(IllegalStateException.class,
        () -> Station.builder().id("T").bindAddress("no-such-host.invalid").build());
    assertTrue(unknown.getMessage().contains("'no-such-host.invalid' is not a known host name"), unknown.getMessage());
  }

  @Test
  void bindingAPortInUseSaysSo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Station.builder().id("T").bindAddress("127.0.0.1").port(taken.getLocalPort()).build());
      assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " is already in use on 127.0.0.1"),
          e.getMessage());
    }
  }
}
