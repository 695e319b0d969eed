package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The search for an upstream (beacons, bootstrap list, alert, backoff) on a fake clock. */
@Timeout(10)
class UpstreamLocatorTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private static final long ATTEMPT = 3 * S;
  private final List<String> alerts = new ArrayList<>();
  private String beacon;
  private long now = 1_000 * S;

  private UpstreamLocator locator(boolean discovery, String... bootstrap) {
    UpstreamSearch search = new UpstreamSearch(List.of(bootstrap), discovery ? () -> beacon : null,
        discovery ? "labA" : null, ATTEMPT, 8 * S);
    return new UpstreamLocator("rig", "T", search, event -> event.accept(new EndpointListener() {
      @Override
      public void upstreamNotFound(String upstreamId, String reason) {
        alerts.add(upstreamId + ": " + reason);
      }
    }));
  }

  @Test
  void bootstrapListInOrderThenOneAlertThenBackoff() {
    UpstreamLocator l = locator(false, "tcp://a:1", "tcp://b:2");
    assertEquals("tcp://a:1", l.target(now, false));
    now += ATTEMPT - 1;
    assertEquals("tcp://a:1", l.target(now, false));
    assertEquals(1, l.nanosUntilNext(now));
    now += 1;
    assertEquals("tcp://b:2", l.target(now, false));
    assertTrue(alerts.isEmpty(), "no alert while a candidate is left");
    now += ATTEMPT;
    assertEquals("tcp://b:2", l.target(now, false));
    assertEquals(1, alerts.size());
    assertTrue(alerts.get(0).contains("none of [tcp://a:1, tcp://b:2] answered within 3000 ms each"), alerts.get(0));
    assertEquals(S, l.nanosUntilNext(now), "first backoff");
    now += S;
    assertEquals("tcp://a:1", l.target(now, false), "the list again from the top");
    now += ATTEMPT;
    l.target(now, false);
    now += ATTEMPT;
    l.target(now, false);
    assertEquals(2 * S, l.nanosUntilNext(now), "backoff doubles");
    assertEquals(1, alerts.size(), "one alert per failure");
    for (int round = 0; round < 5; round++) {
      now += l.nanosUntilNext(now);
      l.target(now, false);
    }
    assertTrue(l.nanosUntilNext(now) <= 8 * S, "backoff capped");
    assertEquals(1, alerts.size());
  }

  @Test
  void answeringEndsTheSearchAndLosingStartsItAgainWithAFreshAlert() {
    UpstreamLocator l = locator(false, "tcp://a:1", "tcp://b:2");
    l.target(now, false);
    now += ATTEMPT;
    assertEquals("tcp://b:2", l.target(now, false));
    assertEquals("tcp://b:2", l.target(now + 1, true));
    now += 100 * S;
    assertEquals("tcp://b:2", l.target(now, true), "stays while it answers");
    assertEquals(Long.MAX_VALUE, l.nanosUntilNext(now));
    assertEquals("tcp://a:1", l.target(now, false), "lost: the list from the top");
    now += ATTEMPT;
    l.target(now, false);
    now += ATTEMPT;
    l.target(now, false);
    assertEquals(1, alerts.size(), "alerted again after having found one");
    assertEquals(S, l.nanosUntilNext(now), "backoff starts over");
  }

  @Test
  void beaconsFirstThenTheList() {
    UpstreamLocator l = locator(true, "tcp://a:1");
    assertNull(l.target(now, false), "waits for a beacon first");
    now += ATTEMPT;
    assertEquals("tcp://a:1", l.target(now, false), "no beacon: the list");
    beacon = "tcp://10.0.0.2:5560";
    assertEquals(beacon, l.target(now + 1, false), "a new beacon starts a round at once");
    now += 1 + ATTEMPT;
    assertEquals("tcp://a:1", l.target(now, false), "the beacon's Station did not answer: the list");
    now += ATTEMPT;
    l.target(now, false);
    assertEquals(1, alerts.size());
    assertTrue(alerts.get(0).contains("at tcp://10.0.0.2:5560 did not answer"), alerts.get(0));
    now += S;
    assertEquals(beacon, l.target(now, false), "next round: the beacon first again");
  }

  @Test
  void aRestartedStationOnANewPortIsFoundByItsBeacon() {
    UpstreamLocator l = locator(true);
    beacon = "tcp://10.0.0.2:5560";
    assertEquals(beacon, l.target(now, false));
    assertEquals(beacon, l.target(now, true));
    beacon = "tcp://10.0.0.2:6000"; // restarted elsewhere; the link has not noticed yet
    assertEquals("tcp://10.0.0.2:5560", l.target(now + S, true));
    assertEquals("tcp://10.0.0.2:6000", l.target(now + 6 * S, false), "lost: the new beacon");
    assertTrue(alerts.isEmpty());
  }

  @Test
  void discoveryAloneAlertsWhenNoBeaconComes() {
    UpstreamLocator l = locator(true);
    assertNull(l.target(now, false));
    now += ATTEMPT;
    assertNull(l.target(now, false));
    assertEquals(List.of("T: no Station 'T' announced itself on network 'labA' within 3000 ms"), alerts);
    beacon = "tcp://10.0.0.2:5560";
    assertEquals(beacon, l.target(now + 1, false), "a beacon during the backoff is tried at once");
  }
}
