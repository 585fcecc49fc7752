package io.salesos.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A fiscal quarter, the period the slipped and forecast audits look at: quarter {@code number} of the
 * fiscal year {@code year}, for a year that starts on the first of {@code startMonth} (1: calendar
 * quarters such as {@code 2026-Q3}), counted in the org's {@code zone}. A fiscal year that does not
 * start in January is named by the calendar year it ends in, as Salesforce names standard fiscal
 * years by default ({@code FY2027-Q1} starts on 1 February 2026 for a February year).
 */
public record Quarter(int year, int number, int startMonth, ZoneId zone) {

  private static final Pattern SYNTAX = Pattern.compile("(?:FY)?(\\d{4})-?Q([1-4])", Pattern.CASE_INSENSITIVE);

  public Quarter {
    if (number < 1 || number > 4) {
      throw new IllegalArgumentException("a quarter is Q1 to Q4, got Q" + number);
    }
    if (startMonth < 1 || startMonth > 12) {
      throw new IllegalArgumentException("a fiscal year starts in a month from 1 to 12, not " + startMonth);
    }
    Objects.requireNonNull(zone, "zone");
  }

  /** A calendar quarter in UTC. */
  public Quarter(int year, int number) {
    this(year, number, 1, ZoneOffset.UTC);
  }

  /** Parses {@code 2026-Q3} as a calendar quarter in UTC; the error says what is expected. */
  public static Quarter parse(String text) {
    return parse(text, 1, ZoneOffset.UTC);
  }

  /**
   * Parses {@code 2026-Q3} or {@code FY2027-Q1}, the year being the fiscal year (for a year from
   * January, the calendar year); the error says what is expected.
   */
  public static Quarter parse(String text, int startMonth, ZoneId zone) {
    Objects.requireNonNull(text, "text");
    var m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a quarter; write it like "
          + (startMonth == 1 ? "2026-Q3" : "FY2027-Q3 (the fiscal year, named by the calendar year it ends in)"));
    }
    return new Quarter(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), startMonth, zone);
  }

  /** The calendar quarter of {@code day}, in UTC. */
  public static Quarter of(LocalDate day) {
    return of(day, 1, ZoneOffset.UTC);
  }

  /** The fiscal quarter that holds {@code day} (a date in {@code zone}). */
  public static Quarter of(LocalDate day, int startMonth, ZoneId zone) {
    int offset = Math.floorMod(day.getMonthValue() - startMonth, 12);
    int fiscalYear = startMonth == 1 || day.getMonthValue() < startMonth ? day.getYear() : day.getYear() + 1;
    return new Quarter(fiscalYear, offset / 3 + 1, startMonth, zone);
  }

  /** The fiscal quarter that holds the instant {@code now} in {@code zone}. */
  public static Quarter of(Instant now, int startMonth, ZoneId zone) {
    return of(LocalDate.ofInstant(now, zone), startMonth, zone);
  }

  /** The last quarter that ended before {@code today}. */
  public static Quarter lastComplete(LocalDate today) {
    return of(today).previous();
  }

  /** The last fiscal quarter that ended before {@code today} (a date in {@code zone}). */
  public static Quarter lastComplete(LocalDate today, int startMonth, ZoneId zone) {
    return of(today, startMonth, zone).previous();
  }

  /** The same quarter counted in {@code other}. */
  public Quarter withZone(ZoneId other) {
    return new Quarter(year, number, startMonth, other);
  }

  public Quarter previous() {
    return number == 1 ? new Quarter(year - 1, 4, startMonth, zone) : new Quarter(year, number - 1, startMonth, zone);
  }

  public LocalDate firstDay() {
    var yearStart = LocalDate.of(startMonth == 1 ? year : year - 1, startMonth, 1);
    return yearStart.plusMonths((number - 1) * 3L);
  }

  public LocalDate lastDay() {
    return firstDay().plusMonths(3).minusDays(1);
  }

  public boolean contains(LocalDate day) {
    return day != null && !day.isBefore(firstDay()) && !day.isAfter(lastDay());
  }

  /** Midnight in the org's zone at the start of the quarter. */
  public Instant start() {
    return firstDay().atStartOfDay(zone).toInstant();
  }

  /** Midnight in the org's zone after the quarter's last day (exclusive end). */
  public Instant end() {
    return lastDay().plusDays(1).atStartOfDay(zone).toInstant();
  }

  @Override
  public String toString() {
    return (startMonth == 1 ? "" : "FY") + year + "-Q" + number;
  }
}
