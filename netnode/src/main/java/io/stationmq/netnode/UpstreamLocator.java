package io.stationmq.netnode;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which address an endpoint's upstream DEALER connects to when it searches ({@link
 * UpstreamSearch}): a round tries the address of a current beacon first (waiting up to one
 * attempt time for one), then each bootstrap address in order, each for {@code attemptNanos}.
 * When a round ends with none answering, it alerts once (a log line and {@link
 * EndpointListener#upstreamNotFound}) and starts the next round after a backoff (1 s, doubling,
 * at most {@code maxBackoffNanos}); it alerts again only after an upstream answered meanwhile.
 * A beacon with an address not tried yet starts a round at once. Once the upstream answers it
 * stays there until the link loses it, then searches again (beacons first: a restarted Station
 * on a new port is found by its beacon).
 *
 * <p>Confined to the socket thread; time comes from the caller (testable with a fake clock).
 * Not public API.
 */
final class UpstreamLocator {
  private static final Logger log = LoggerFactory.getLogger(UpstreamLocator.class);
  static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  private enum Phase { SEARCHING, WAITING, FOUND }

  private final String id;
  private final String upstreamId;
  private final UpstreamSearch search;
  private final Consumer<Consumer<EndpointListener>> events;
  private Phase phase;
  private int slot; // -1: the beacon's; 0..: a bootstrap address
  private long slotStart;
  private long retryAt;
  private long backoff = FIRST_BACKOFF_NANOS;
  private String target;
  private String beaconTried;
  private boolean alerted;

  UpstreamLocator(String id, String upstreamId, UpstreamSearch search, Consumer<Consumer<EndpointListener>> events) {
    this.id = id;
    this.upstreamId = upstreamId;
    this.search = search;
    this.events = events;
  }

  /**
   * The address to connect to now (null while there is none yet), given whether the upstream
   * at the current one answers.
   */
  String target(long now, boolean answering) {
    if (phase == null) {
      startRound(now);
    }
    if (answering) {
      if (phase != Phase.FOUND) {
        if (alerted) {
          log.info("{}: upstream '{}' found at {}", id, upstreamId, target);
        }
        phase = Phase.FOUND;
        alerted = false;
        backoff = FIRST_BACKOFF_NANOS;
      }
      return target;
    }
    if (phase == Phase.FOUND) {
      startRound(now); // lost: search again, beacons first
    }
    String beacon = search.beacons() == null ? null : search.beacons().get();
    if (beacon != null && !beacon.equals(target) && !beacon.equals(beaconTried) && slot != -1) {
      startRound(now); // a Station announced an address not tried yet
    }
    if (phase == Phase.WAITING) {
      if (now - retryAt < 0) {
        return target;
      }
      startRound(now);
    }
    if (slot == -1 && beacon != null && !beacon.equals(target)) {
      target = beacon;
      beaconTried = beacon;
      slotStart = now;
    }
    if (now - slotStart >= search.attemptNanos()) {
      advance(now);
    }
    return target;
  }

  /** Nanoseconds until {@link #target} may decide something new without a new answer. */
  long nanosUntilNext(long now) {
    if (phase == Phase.FOUND) {
      return Long.MAX_VALUE;
    }
    long due = phase == Phase.WAITING ? retryAt : slotStart + search.attemptNanos();
    // a beacon is looked for at least once a second while searching
    return Math.max(0, Math.min(due - now, search.beacons() == null ? Long.MAX_VALUE : FIRST_BACKOFF_NANOS));
  }

  private void startRound(long now) {
    phase = Phase.SEARCHING;
    slotStart = now;
    beaconTried = null;
    slot = search.beacons() != null ? -1 : 0;
    if (slot == 0) {
      target = search.bootstrap().get(0);
    }
  }

  private void advance(long now) {
    List<String> list = search.bootstrap();
    slot++;
    if (slot < list.size()) {
      target = list.get(slot);
      slotStart = now;
      return;
    }
    phase = Phase.WAITING;
    retryAt = now + backoff;
    if (!alerted) {
      alerted = true;
      String reason = reason();
      log.warn("{}: upstream '{}' not found: {}; trying again in {} ms, then at most every {} s", id, upstreamId, reason,
          backoff / 1_000_000, search.maxBackoffNanos() / 1_000_000_000);
      events.accept(listener -> listener.upstreamNotFound(upstreamId, reason));
    } else {
      log.debug("{}: upstream '{}' still not found; next round in {} ms", id, upstreamId, backoff / 1_000_000);
    }
    backoff = Math.min(search.maxBackoffNanos(), backoff * 2);
  }

  private String reason() {
    long ms = search.attemptNanos() / 1_000_000;
    StringBuilder s = new StringBuilder();
    if (search.network() != null) {
      s.append(beaconTried == null
          ? "no Station '" + upstreamId + "' announced itself on network '" + search.network() + "' within " + ms + " ms"
          : "the Station announced on network '" + search.network() + "' at " + beaconTried + " did not answer within "
              + ms + " ms");
    }
    if (!search.bootstrap().isEmpty()) {
      s.append(s.length() == 0 ? "" : ", and ").append("none of ").append(search.bootstrap())
          .append(" answered within ").append(ms).append(" ms each");
    }
    return s.toString();
  }
}
