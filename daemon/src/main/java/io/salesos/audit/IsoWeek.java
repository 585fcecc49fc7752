package io.salesos.audit;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An ISO-8601 week such as {@code 2026-W47}, Monday 00:00 to Sunday 24:00 in {@code zone} (the org's
 * zone; UTC when none is given), the period of the capture audit and of the forecast audit's rows.
 */
public record IsoWeek(int year, int number, ZoneId zone) {

  private static final Pattern SYNTAX = Pattern.compile("(\\d{4})-?W(\\d{1,2})", Pattern.CASE_INSENSITIVE);

  public IsoWeek {
    int weeks = (int) LocalDate.of(year, 6, 1).range(IsoFields.WEEK_OF_WEEK_BASED_YEAR).getMaximum();
    if (number < 1 || number > weeks) {
      throw new IllegalArgumentException(year + " has ISO weeks W01 to W" + weeks + ", not W" + number);
    }
    Objects.requireNonNull(zone, "zone");
  }

  public IsoWeek(int year, int number) {
    this(year, number, ZoneOffset.UTC);
  }

  /** Parses {@code 2026-W47}; the error says what is expected. */
  public static IsoWeek parse(String text) {
    return parse(text, ZoneOffset.UTC);
  }

  /** Parses {@code 2026-W47} as a week in {@code zone}; the error says what is expected. */
  public static IsoWeek parse(String text, ZoneId zone) {
    Objects.requireNonNull(text, "text");
    var m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a week; write it like 2026-W47");
    }
    return new IsoWeek(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), zone);
  }

  public static IsoWeek of(LocalDate day) {
    return of(day, ZoneOffset.UTC);
  }

  /** The week that holds {@code day}, a date in {@code zone}. */
  public static IsoWeek of(LocalDate day, ZoneId zone) {
    return new IsoWeek(day.get(IsoFields.WEEK_BASED_YEAR), day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), zone);
  }

  /** The last Monday-to-Sunday week that ended before {@code today}. */
  public static IsoWeek lastComplete(LocalDate today) {
    return of(today.minusWeeks(1));
  }

  /** The last Monday-to-Sunday week in {@code zone} that ended before {@code today} (a date there). */
  public static IsoWeek lastComplete(LocalDate today, ZoneId zone) {
    return of(today.minusWeeks(1), zone);
  }

  /** The same week counted in {@code other}. */
  public IsoWeek withZone(ZoneId other) {
    return new IsoWeek(year, number, other);
  }

  public LocalDate monday() {
    return LocalDate.of(year, 6, 1).with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, number).with(DayOfWeek.MONDAY);
  }

  public LocalDate sunday() {
    return monday().plusDays(6);
  }

  /** Monday 00:00 in the week's zone. */
  public Instant start() {
    return monday().atStartOfDay(zone).toInstant();
  }

  /** Midnight in the week's zone after Sunday (exclusive end). */
  public Instant end() {
    return monday().plusDays(7).atStartOfDay(zone).toInstant();
  }

  @Override
  public String toString() {
    return String.format("%d-W%02d", year, number);
  }
}
