package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/** Conversions between epoch nanoseconds, instants and message timestamps; the system wall clock. Stateless. */
final class WallTime {
  /** {@link WallClock#system()}: one instance, so an endpoint can tell it from an injected clock. */
  static final WallClock SYSTEM = new WallClock() {
    @Override
    public long epochNanos() {
      return nanos(Clock.systemUTC().instant());
    }

    @Override
    public String toString() {
      return "WallClock.system()";
    }
  };

  private WallTime() {}

  static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  /**
   * Stamps a message with {@code clock}'s time; leaves the builder's own timestamp (the system
   * clock's, read when it was made) when {@code clock} is the system clock.
   */
  static Message.Builder stamp(Message.Builder message, WallClock clock) {
    return clock == SYSTEM ? message : message.timestamp(timestamp(clock));
  }

  /** A message timestamp (local time, no zone, microseconds, as Python writes it) for the clock's now. */
  static LocalDateTime timestamp(WallClock clock) {
    return LocalDateTime.ofInstant(instant(clock.epochNanos()), ZoneId.systemDefault()).truncatedTo(ChronoUnit.MICROS);
  }
}
