package io.salesos.mapping;

import io.salesos.model.UtcStamp;
import io.salesos.model.FieldType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Turns a CRM's value (a string, number or boolean as the wire carried it) into the canonical
 * Java type of a field, and back into the string a CRM expects. A value that cannot be read is an
 * {@link IllegalArgumentException} naming the value and the type, so the record can be
 * quarantined with a reason a person understands.
 */
public final class ValueCoercion {

  // Salesforce writes 2013-05-20T20:49:32.000+0000 (offset without colon); ISO parsers refuse it
  private static final DateTimeFormatter FLEXIBLE_OFFSET = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
      .toFormatter();

  private ValueCoercion() {}

  /** The canonical value of {@code raw} for {@code type}; null and blank stay null. */
  public static Object toCanonical(Object raw, FieldType type) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof String s && s.isBlank()) {
      return null;
    }
    try {
      return switch (type) {
        case STRING, ID -> text(raw, 255);
        case TEXT -> text(raw, 65_535);
        case DECIMAL -> decimal(raw).setScale(2, RoundingMode.HALF_EVEN);
        case PERCENT -> decimal(raw).setScale(4, RoundingMode.HALF_EVEN);
        case INTEGER -> raw instanceof Number n && !(raw instanceof Double) ? n.longValue() : decimal(raw).longValueExact();
        case DOUBLE -> raw instanceof Number n ? n.doubleValue() : Double.parseDouble(raw.toString().trim());
        case BOOLEAN -> bool(raw);
        case DATE -> date(raw);
        case DATETIME -> instant(raw);
      };
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException("'" + shorten(raw) + "' is not a valid " + type.name().toLowerCase());
    }
  }

  /** The value as a CRM expects it on the wire: plain strings, ISO dates, UTC timestamps. */
  public static String toCrm(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Instant i) {
      return DateTimeFormatter.ISO_INSTANT.format(i);
    }
    return value.toString();
  }

  private static String text(Object raw, int max) {
    var s = raw.toString();
    if (s.length() > max) {
      throw new IllegalArgumentException("a value of " + s.length() + " characters is longer than the " + max + " allowed");
    }
    return s;
  }

  private static BigDecimal decimal(Object raw) {
    if (raw instanceof BigDecimal d) {
      return d;
    }
    if (raw instanceof Long || raw instanceof Integer) {
      return BigDecimal.valueOf(((Number) raw).longValue());
    }
    if (raw instanceof Number n) {
      return new BigDecimal(n.toString());
    }
    if (raw instanceof Boolean) {
      throw new NumberFormatException();
    }
    return new BigDecimal(raw.toString().trim());
  }

  private static Boolean bool(Object raw) {
    if (raw instanceof Boolean b) {
      return b;
    }
    return switch (raw.toString().trim().toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new NumberFormatException();
    };
  }

  private static LocalDate date(Object raw) {
    if (raw instanceof LocalDate d) {
      return d;
    }
    if (raw instanceof Instant i) {
      return LocalDate.ofInstant(i, ZoneOffset.UTC);
    }
    var s = raw.toString().trim();
    if (epochMillis(s)) {
      return LocalDate.ofInstant(Instant.ofEpochMilli(Long.parseLong(s)), ZoneOffset.UTC);
    }
    if (s.length() > 10) {
      return LocalDate.ofInstant(instant(s), ZoneOffset.UTC);
    }
    return LocalDate.parse(s);
  }

  static Instant instant(Object raw) {
    if (raw instanceof Instant i) {
      return i;
    }
    if (raw instanceof Number n) {
      return Instant.ofEpochMilli(n.longValue());
    }
    var s = raw.toString().trim();
    if (epochMillis(s)) {
      return Instant.ofEpochMilli(Long.parseLong(s));
    }
    if (s.length() == 10) {
      return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    var common = UtcStamp.parse(s);
    if (common.isPresent()) {
      return common.get();
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(s, FLEXIBLE_OFFSET).toInstant();
    }
  }

  /** Whether {@code s} is a (possibly negative) integer of nine or more digits: epoch milliseconds. */
  private static boolean epochMillis(String s) {
    int start = s.startsWith("-") ? 1 : 0;
    if (s.length() - start < 9) {
      return false;
    }
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String shorten(Object raw) {
    var s = String.valueOf(raw);
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
