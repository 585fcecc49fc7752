package io.salesos.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * Reads the one stamp shape CRMs send for nearly every value, {@code 2024-05-01T12:34:56.789Z}
 * (also with {@code +0000} or {@code +00:00}), without a DateTimeFormatter: the formatter's parse
 * was a tenth of a load's CPU. Anything else (other offsets, leap seconds, odd widths) answers
 * empty, so the caller falls back to its full parser and reports errors as before.
 */
public final class UtcStamp {

  private UtcStamp() {}

  /** The instant of {@code s} when it has the common UTC shape; empty for anything else. */
  public static Optional<Instant> parse(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return Optional.empty();
    }
    int end;
    if (s.charAt(n - 1) == 'Z') {
      end = n - 1;
    } else if (s.endsWith("+0000")) {
      end = n - 5;
    } else if (s.endsWith("+00:00")) {
      end = n - 6;
    } else {
      return Optional.empty();
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
        || second > 59) {
      return Optional.empty();
    }
    int nanos = 0;
    if (end > 19) {
      int fraction = end - 20;
      if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return Optional.empty();
      }
      nanos = digits(s, 20, end);
      if (nanos < 0) {
        return Optional.empty();
      }
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    } else if (end != 19) {
      return Optional.empty();
    }
    try {
      long days = LocalDate.of(year, month, day).toEpochDay();
      return Optional.of(Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The decimal value of {@code s[from, to)}, or -1 when a character is not a digit. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
