package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * How field values look on the wire (SOAP text, Bulk CSV) and how wire text becomes a typed value
 * of a field: datetimes with milliseconds and Z, plain decimals, lower-case booleans.
 */
final class WireFormat {

  private static final DateTimeFormatter DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private WireFormat() {}

  static String format(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Instant i) {
      return DATETIME.format(i.truncatedTo(ChronoUnit.MILLIS));
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Double d) {
      return BigDecimal.valueOf(d).toPlainString();
    }
    return value.toString();
  }

  /** The typed value of {@code text} for {@code field}; IllegalArgumentException names the problem. */
  static Object parse(FieldDef field, String text) {
    if (text == null) {
      return null;
    }
    try {
      return switch (field.type()) {
        case "currency", "double", "percent" -> new BigDecimal(text.trim());
        case "int" -> Integer.parseInt(text.trim());
        case "boolean" -> {
          if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("not a boolean");
          }
          yield Boolean.parseBoolean(text);
        }
        case "date" -> LocalDate.parse(text.length() > 10 ? text.substring(0, 10) : text);
        case "datetime" -> parseInstant(text);
        case "id", "reference" -> {
          if (text.isEmpty()) {
            yield null;
          }
          if (!IdMinter.wellFormed(text)) {
            throw new IllegalArgumentException("not a valid id");
          }
          yield IdMinter.normalize(text);
        }
        default -> text;
      };
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a valid value for the type " + field.soapType(), e);
    }
  }

  static Instant parseInstant(String text) {
    var t = text.trim();
    if (t.endsWith("Z")) {
      return Instant.parse(t);
    }
    return OffsetDateTime.parse(t.replaceFirst("([+-]\\d\\d)(\\d\\d)$", "$1:$2")).toInstant();
  }

  static String xmlEscape(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '&' -> "&amp;";
        case '"' -> "&quot;";
        default -> null;
      };
      if (rep != null) {
        if (out == null) {
          out = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        out.append(rep);
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }
}
