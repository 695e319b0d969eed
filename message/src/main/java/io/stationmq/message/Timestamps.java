package io.stationmq.message;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;

/**
 * Message timestamps in the form the Python toolkit writes: {@code datetime.now().isoformat()},
 * local time without a zone, with microseconds ({@code 2026-11-21T10:15:30.123456}).
 *
 * <p>Reading is lenient: any fraction length (or none), a space instead of {@code T}, and
 * forms with an offset or {@code Z} (converted to the local zone). Thread-safe.
 */
public final class Timestamps {
  private static final DateTimeFormatter PYTHON =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral('T')
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
          .toFormatter();

  private Timestamps() {}

  /** The current local time, truncated to microseconds as Python's datetime is. */
  public static LocalDateTime now() {
    return LocalDateTime.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** Formats as Python's {@code isoformat()} with microseconds always written. */
  public static String format(LocalDateTime time) {
    return PYTHON.format(time);
  }

  /**
   * Parses an ISO-8601 date-time.
   *
   * @throws MessageFormatException if the text is not an ISO-8601 date-time
   */
  public static LocalDateTime parse(String text) {
    if (text == null) {
      throw new MessageFormatException("timestamp is null");
    }
    String t = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
    try {
      TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(t);
      if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
        return java.time.OffsetDateTime.from(parsed).atZoneSameInstant(ZoneId.systemDefault()).toLocalDateTime()
            .truncatedTo(ChronoUnit.MICROS);
      }
      return LocalDateTime.from(parsed).truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeException e) {
      throw new MessageFormatException("not an ISO-8601 date-time: '" + abbreviate(text) + "'", e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
