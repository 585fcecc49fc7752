package io.salesos.hubspot.sandbox;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One property definition of a HubSpot object type, as the properties API describes it. {@code
 * type} is HubSpot's data type: string, number, date, datetime, enumeration, bool; the description
 * is what the portal shows beside the property (empty when none was given).
 */
record PropertyDef(
    String name,
    String label,
    String type,
    String fieldType,
    String groupName,
    List<String> options,
    boolean hasUniqueValue,
    boolean readOnly,
    boolean hubspotDefined,
    String description) {

  /** Stands for the object's own information group ("dealinformation"); the table resolves it. */
  static final String OBJECT_INFO = "info";

  /** The group of the custom properties the portal's admins added for field sales. */
  static final String FIELD_SALES = "fieldsales";

  PropertyDef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    label = label == null ? name : label;
    fieldType = fieldType == null ? defaultFieldType(type) : fieldType;
    groupName = groupName == null ? OBJECT_INFO : groupName;
    options = List.copyOf(options == null ? List.of() : options);
    description = description == null ? "" : description;
  }

  PropertyDef(String name, String label, String type, String fieldType, String groupName, List<String> options,
      boolean hasUniqueValue, boolean readOnly, boolean hubspotDefined) {
    this(name, label, type, fieldType, groupName, options, hasUniqueValue, readOnly, hubspotDefined, "");
  }

  static PropertyDef standard(String name, String type) {
    return new PropertyDef(name, null, type, null, OBJECT_INFO, List.of(), false, false, true);
  }

  static PropertyDef readOnly(String name, String type) {
    return new PropertyDef(name, null, type, null, OBJECT_INFO, List.of(), name.equals("hs_object_id"), true, true);
  }

  static PropertyDef enumeration(String name, List<String> options) {
    return new PropertyDef(name, null, "enumeration", "select", OBJECT_INFO, options, false, false, true);
  }

  static PropertyDef custom(String name, String type, boolean unique) {
    return new PropertyDef(name, null, type, null, FIELD_SALES, List.of(), unique, false, false);
  }

  PropertyDef inGroup(String group) {
    return new PropertyDef(name, label, type, fieldType, group, options, hasUniqueValue, readOnly, hubspotDefined,
        description);
  }

  private static String defaultFieldType(String type) {
    return switch (type) {
      case "number" -> "number";
      case "date" -> "date";
      case "datetime" -> "date";
      case "enumeration" -> "select";
      case "bool" -> "booleancheckbox";
      default -> "text";
    };
  }

  /**
   * Why {@code value} does not fit this property, in HubSpot's words and error code, or empty when
   * it fits. An empty string always fits: it clears the value.
   */
  Optional<String[]> invalid(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    switch (type) {
      case "number" -> {
        try {
          new BigDecimal(value);
        } catch (NumberFormatException e) {
          return Optional.of(new String[] {"INVALID_FLOAT", value + " was not a valid number."});
        }
      }
      case "enumeration" -> {
        if (!options.contains(value)) {
          return Optional.of(new String[] {"INVALID_OPTION",
              value + " was not one of the allowed options: " + options});
        }
      }
      case "bool" -> {
        if (!value.equals("true") && !value.equals("false")) {
          return Optional.of(new String[] {"INVALID_BOOLEAN", value + " was not a valid boolean."});
        }
      }
      case "date", "datetime" -> {
        if (epochMillis(value).isEmpty()) {
          return Optional.of(new String[] {"INVALID_DATE", value + " was not a valid date."});
        }
      }
      default -> { }
    }
    return Optional.empty();
  }

  /** A date or datetime value as epoch milliseconds: HubSpot takes ms-epoch or ISO-8601. */
  static Optional<Long> epochMillis(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(value));
    } catch (NumberFormatException notMillis) {
      try {
        return Optional.of(Instant.parse(value).toEpochMilli());
      } catch (RuntimeException notInstant) {
        try {
          return Optional.of(LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli());
        } catch (RuntimeException notDate) {
          return Optional.empty();
        }
      }
    }
  }

  /** The value as HubSpot stores and returns it: datetimes become ISO-8601 with milliseconds. */
  String normalize(String value) {
    if (value == null || value.isEmpty() || !(type.equals("datetime") || type.equals("date"))) {
      return value;
    }
    var ms = epochMillis(value).orElseThrow();
    var instant = Instant.ofEpochMilli(ms);
    return type.equals("date") ? LocalDate.ofInstant(instant, ZoneOffset.UTC).toString() : iso(instant);
  }

  private static final java.time.format.DateTimeFormatter ISO_MILLIS =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Seconds from 1970 to the end of year 9999, the range {@link #iso} writes by hand. */
  private static final long END_OF_9999 = 253_402_300_800L;

  /**
   * An instant as HubSpot writes it on the wire: ISO-8601, UTC, always three fraction digits. Written
   * by hand for 1970 to 9999 (what the formatter writes; every list page carries two per record,
   * and the formatter was a thirteenth of the sandbox's CPU during a load), by the formatter otherwise.
   */
  static String iso(Instant instant) {
    long secs = instant.getEpochSecond();
    if (secs < 0 || secs >= END_OF_9999) {
      return ISO_MILLIS.format(instant);
    }
    var d = java.time.LocalDateTime.ofEpochSecond(secs, 0, ZoneOffset.UTC);
    var b = new StringBuilder(24);
    digits(b, d.getYear(), 4).append('-');
    digits(b, d.getMonthValue(), 2).append('-');
    digits(b, d.getDayOfMonth(), 2).append('T');
    digits(b, d.getHour(), 2).append(':');
    digits(b, d.getMinute(), 2).append(':');
    digits(b, d.getSecond(), 2).append('.');
    return digits(b, instant.getNano() / 1_000_000, 3).append('Z').toString();
  }

  private static StringBuilder digits(StringBuilder b, int value, int width) {
    for (int div = width == 4 ? 1000 : width == 3 ? 100 : 10; div > 0; div /= 10) {
      b.append((char) ('0' + value / div % 10));
    }
    return b;
  }
}
