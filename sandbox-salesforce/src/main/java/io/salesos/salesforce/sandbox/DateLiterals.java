package io.salesos.salesforce.sandbox;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/**
 * SOQL date literals as the ranges of days the SOQL reference gives them: each names a span that
 * starts at midnight ({@code [start, end)}), weeks start on Sunday (the en_US locale) and the
 * fiscal variants follow the org's fiscal year start month. Days are UTC days.
 */
final class DateLiterals {

  /** A span of whole days, {@code start} included and {@code end} excluded. */
  record Range(LocalDate start, LocalDate end) {
    boolean contains(LocalDate d) {
      return !d.isBefore(start) && d.isBefore(end);
    }
  }

  private DateLiterals() {}

  /**
   * The range {@code token} names on {@code today}, or empty when the token is no date literal.
   * A literal with a bad {@code :n} throws IllegalArgumentException.
   */
  static Optional<Range> resolve(String token, LocalDate today, int fiscalStartMonth) {
    if (token.isEmpty() || !Character.isLetter(token.charAt(0))) {
      return Optional.empty();
    }
    var t = token.toUpperCase(Locale.ROOT);
    int n = 0;
    int colon = t.indexOf(':');
    if (colon >= 0) {
      var digits = t.substring(colon + 1);
      if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 6) {
        throw new IllegalArgumentException("the date literal " + token + " needs a whole number after the colon");
      }
      n = Integer.parseInt(digits);
      t = t.substring(0, colon + 1);
    }
    Range r = switch (t) {
      case "TODAY" -> days(today, 0, 1);
      case "YESTERDAY" -> days(today, -1, 1);
      case "TOMORROW" -> days(today, 1, 1);
      case "LAST_90_DAYS" -> days(today, -90, 91);
      case "NEXT_90_DAYS" -> days(today, 1, 90);
      case "LAST_N_DAYS:" -> days(today, -n, n + 1);
      case "NEXT_N_DAYS:" -> days(today, 1, n);
      case "N_DAYS_AGO:" -> days(today, -n, 1);
      default -> null;
    };
    if (r != null) {
      return Optional.of(r);
    }
    String unit;
    String form;
    if (t.startsWith("THIS_") || t.startsWith("LAST_") || t.startsWith("NEXT_")) {
      form = t.substring(0, 4);
      unit = t.substring(5);
      if (unit.startsWith("N_") && unit.endsWith("S:")) {
        form = form + "_N";
        unit = unit.substring(2, unit.length() - 2);
      } else if (unit.endsWith(":")) {
        return Optional.empty();
      }
    } else if (t.startsWith("N_") && t.endsWith("S_AGO:")) {
      form = "AGO";
      unit = t.substring(2, t.length() - 6);
    } else {
      return Optional.empty();
    }
    if (form.equals("THIS") && unit.contains(":")) {
      return Optional.empty();
    }
    var start = switch (unit) {
      case "WEEK" -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
      case "MONTH" -> today.withDayOfMonth(1);
      case "QUARTER" -> quarterStart(today, 1);
      case "YEAR" -> today.withDayOfYear(1);
      case "FISCAL_QUARTER" -> quarterStart(today, fiscalStartMonth);
      case "FISCAL_YEAR" -> fiscalYearStart(today, fiscalStartMonth);
      default -> null;
    };
    if (start == null) {
      return Optional.empty();
    }
    var u = unit;
    java.util.function.IntFunction<LocalDate> at = k -> switch (u) {
      case "WEEK" -> start.plusWeeks(k);
      case "MONTH" -> start.plusMonths(k);
      case "QUARTER", "FISCAL_QUARTER" -> start.plusMonths(3L * k);
      default -> start.plusYears(k);
    };
    return Optional.of(switch (form) {
      case "THIS" -> new Range(at.apply(0), at.apply(1));
      case "LAST" -> new Range(at.apply(-1), at.apply(0));
      case "NEXT" -> new Range(at.apply(1), at.apply(2));
      case "LAST_N" -> new Range(at.apply(-n), at.apply(0));
      case "NEXT_N" -> new Range(at.apply(1), at.apply(1 + n));
      default -> new Range(at.apply(-n), at.apply(-n + 1));
    });
  }

  private static Range days(LocalDate today, int from, int length) {
    var start = today.plusDays(from);
    return new Range(start, start.plusDays(length));
  }

  /** The first day of the quarter holding {@code d}, quarters counted from {@code firstMonth}. */
  static LocalDate quarterStart(LocalDate d, int firstMonth) {
    int into = Math.floorMod(d.getMonthValue() - firstMonth, 3);
    return d.withDayOfMonth(1).minusMonths(into);
  }

  /** The first day of the fiscal year holding {@code d}. */
  static LocalDate fiscalYearStart(LocalDate d, int firstMonth) {
    int year = d.getMonthValue() >= firstMonth ? d.getYear() : d.getYear() - 1;
    return LocalDate.of(year, firstMonth, 1);
  }
}
