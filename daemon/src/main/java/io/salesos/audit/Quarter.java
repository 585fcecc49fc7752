package io.salesos.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.regex.Pattern;

/** A calendar quarter such as {@code 2026-Q3}, the period the slipped and forecast audits look at. */
public record Quarter(int year, int number) {

  private static final Pattern SYNTAX = Pattern.compile("(\\d{4})-?Q([1-4])", Pattern.CASE_INSENSITIVE);

  public Quarter {
    if (number < 1 || number > 4) {
      throw new IllegalArgumentException("a quarter is Q1 to Q4, got Q" + number);
    }
  }

  /** Parses {@code 2026-Q3}; the error says what is expected. */
  public static Quarter parse(String text) {
    Objects.requireNonNull(text, "text");
    var m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a quarter; write it like 2026-Q3");
    }
    return new Quarter(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  public static Quarter of(LocalDate day) {
    return new Quarter(day.getYear(), (day.getMonthValue() - 1) / 3 + 1);
  }

  /** The last quarter that ended before {@code today}. */
  public static Quarter lastComplete(LocalDate today) {
    return of(today).previous();
  }

  public Quarter previous() {
    return number == 1 ? new Quarter(year - 1, 4) : new Quarter(year, number - 1);
  }

  public LocalDate firstDay() {
    return LocalDate.of(year, (number - 1) * 3 + 1, 1);
  }

  public LocalDate lastDay() {
    return firstDay().plusMonths(3).minusDays(1);
  }

  public boolean contains(LocalDate day) {
    return day != null && !day.isBefore(firstDay()) && !day.isAfter(lastDay());
  }

  /** Midnight UTC at the start of the quarter. */
  public Instant start() {
    return firstDay().atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** Midnight UTC after the quarter's last day (exclusive end). */
  public Instant end() {
    return lastDay().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  @Override
  public String toString() {
    return year + "-Q" + number;
  }
}
