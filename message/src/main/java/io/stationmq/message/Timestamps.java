package io.stationmq.message;

import java.time.Clock;
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

  /** The zone Python's naive {@code datetime.now()} would use: the process's default, read once. */
  private static final Clock LOCAL = Clock.system(ZoneId.systemDefault());

  private Timestamps() {}

  /** The current local time, truncated to microseconds as Python's datetime is. */
  public static LocalDateTime now() {
    return LocalDateTime.now(LOCAL).truncatedTo(ChronoUnit.MICROS); // no time zone lookup per call
  }

  /** Formats as Python's {@code isoformat()} with microseconds always written. */
  public static String format(LocalDateTime time) {
    int year = time.getYear();
    if (year < 1000 || year > 9999) {
      return PYTHON.format(time);
    }
    // By hand: every message carries a timestamp, and the formatter is the slow part of encoding.
    char[] c = new char[26];
    digits(c, 0, year, 4);
    c[4] = '-';
    digits(c, 5, time.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, time.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, time.getHour(), 2);
    c[13] = ':';
    digits(c, 14, time.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, time.getSecond(), 2);
    c[19] = '.';
    digits(c, 20, time.getNano() / 1_000, 6);
    return new String(c);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
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
    LocalDateTime exact = parseExact(text);
    if (exact != null) {
      return exact;
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

  /**
   * The form every peer writes, {@code YYYY-MM-DDTHH:MM:SS.ffffff}, read by hand (the general
   * parser is the slow part of decoding); null for anything else, which the general parser
   * then reads or refuses.
   */
  private static LocalDateTime parseExact(String t) {
    if (t.length() != 26 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
        || t.charAt(16) != ':' || t.charAt(19) != '.') {
      return null;
    }
    int year = number(t, 0, 4);
    int month = number(t, 5, 2);
    int day = number(t, 8, 2);
    int hour = number(t, 11, 2);
    int minute = number(t, 14, 2);
    int second = number(t, 17, 2);
    int micros = number(t, 20, 6);
    if ((year | month | day | hour | minute | second | micros) < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1_000);
    } catch (DateTimeException e) {
      return null; // out of range: the general parser says why
    }
  }

  /** The decimal number in {@code t[at, at + width)}, or -1 when a character is not a digit. */
  private static int number(String t, int at, int width) {
    int n = 0;
    for (int i = at; i < at + width; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
