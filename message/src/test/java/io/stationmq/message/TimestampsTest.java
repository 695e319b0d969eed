package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-written timestamp format and parse are exactly Python's isoformat with microseconds. */
@Timeout(10)
class TimestampsTest {
  private static final DateTimeFormatter ISO_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

  @Test
  void formatMatchesTheIsoFormatForManyTimes() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      LocalDateTime t = LocalDateTime.of(r.nextInt(1000, 10000), r.nextInt(1, 13), r.nextInt(1, 29),
          r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1_000_000) * 1_000);
      assertEquals(ISO_MICROS.format(t), Timestamps.format(t));
    }
    for (int i = 0; i < 100_000; i++) {
      LocalDateTime t = LocalDateTime.of(r.nextInt(1000, 10000), r.nextInt(1, 13), r.nextInt(1, 29),
          r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1_000_000) * 1_000);
      assertEquals(t, Timestamps.parse(Timestamps.format(t)), "the exact form read by hand");
    }
    for (String bad : List.of("2026-13-30T09:05:07.000000", "2026-02-30T09:05:07.000000", "2026-11-30T24:05:07.000000",
        "2026-11-30T09:05:07.00000x", "2026-11-30X09:05:07.000000", "+026-11-30T09:05:07.000000")) {
      assertThrows(MessageFormatException.class, () -> Timestamps.parse(bad), bad);
    }
    LocalDateTime zeroMicros = LocalDateTime.of(2026, 11, 30, 9, 5, 7);
    assertEquals("2026-11-30T09:05:07.000000", Timestamps.format(zeroMicros), "microseconds always written");
    assertEquals(zeroMicros, Timestamps.parse(Timestamps.format(zeroMicros)));
  }
}
