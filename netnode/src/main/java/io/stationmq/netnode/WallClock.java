package io.stationmq.netnode;

import java.time.Instant;

/**
 * A source of wall-clock time: nanoseconds since the Unix epoch, as the machine's clock tells
 * it. An endpoint reads it for every time it stamps (message and stream batch timestamps, the
 * directory's times, the {@code TIME} exchanges that estimate clock offsets; see {@link
 * EndpointOptions#wallClock()}); the default is {@link #system()}, and tests inject one that is
 * skewed or drifts. Unlike a {@link NanoClock} it may jump (the machine's clock set) and
 * machines disagree about it: {@link ClockOffset} says by how much.
 *
 * <p>Implementations must be thread-safe and cheap: socket loop, worker and caller threads read
 * it. The resolution of {@link #system()} is a microsecond or better.
 */
@FunctionalInterface
public interface WallClock {
  /** The current time in nanoseconds since 1970-01-01T00:00Z. */
  long epochNanos();

  /** The current time as an {@link Instant}. */
  default Instant instant() {
    return WallTime.instant(epochNanos());
  }

  /** The machine's clock ({@link java.time.Clock#systemUTC()}); always the same instance. */
  static WallClock system() {
    return WallTime.SYSTEM;
  }
}
