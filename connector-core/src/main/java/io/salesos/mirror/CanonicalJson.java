package io.salesos.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON form of canonical values (sorted keys, ISO dates, plain decimals) used for record
 * history, outbox rows, journal images and row hashes, so equal values always hash equal.
 */
public final class CanonicalJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
      .build();

  private CanonicalJson() {}

  public static String write(Map<String, ?> values) {
    // streamed with the keys sorted once, rather than copied into a TreeMap that Jackson then
    // sorts again: the same bytes (String.compareTo order, Jackson's escaping), so stored row
    // hashes stay valid (CanonicalJsonTest pins one)
    return writeSorted(sortedKeys(values.keySet()), values);
  }

  /** The keys of a record set, sorted once for {@link #writeSorted}. */
  public static String[] sortedKeys(java.util.Collection<String> keys) {
    var sorted = keys.toArray(new String[0]);
    Arrays.sort(sorted);
    return sorted;
  }

  /**
   * What {@link #write} writes for a map holding exactly {@code sortedKeys} (a key {@code values}
   * lacks is written as null): for many records of one object, whose keys are sorted once.
   */
  public static String writeSorted(String[] sortedKeys, Map<String, ?> values) {
    // written by hand: the mirror writes one per record, and a Jackson generator per record was a
    // sixth of the load's CPU; the bytes are Jackson's (its escaping, its number forms), which
    // CanonicalJsonTest checks against the mapper on random records and strings
    var out = new StringBuilder(32 + 24 * sortedKeys.length);
    out.append('{');
    for (int i = 0; i < sortedKeys.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      quoted(out, sortedKeys[i]);
      out.append(':');
      value(out, values.get(sortedKeys[i]));
    }
    return out.append('}').toString();
  }

  private static void value(StringBuilder out, Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      quoted(out, s);
    } else if (v instanceof BigDecimal d) {
      out.append('"').append(d.toPlainString()).append('"');
    } else if (v instanceof Instant t) {
      out.append('"').append(instantText(t)).append('"');
    } else if (v instanceof LocalDate) {
      out.append('"').append(v).append('"');
    } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
      out.append(v);
    } else if (v instanceof Double d && Double.isFinite(d)) {
      // what Jackson writes for a finite double (Double.toString), without a generator per value;
      // NaN and the infinities, which it quotes, still go through it
      out.append(d.doubleValue());
    } else {
      // anything else (doubles, lists, nested maps) as the mapper writes it, nested maps sorted
      try {
        out.append(MAPPER.writeValueAsString(v));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write values as JSON: " + e.getOriginalMessage(), e);
      }
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** A JSON string as Jackson writes it by default: quote, backslash and control characters escaped, nothing else. */
  private static void quoted(StringBuilder out, String s) {
    out.append('"');
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, from, i);
      from = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(s, from, s.length()).append('"');
  }

  /** Reads values written by {@link #write}; dates and timestamps come back as ISO strings. */
  public static Map<String, Object> read(String json) {
    if (json == null || json.isBlank()) {
      return new LinkedHashMap<>();
    }
    try {
      return MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
    }
  }

  public static Map<String, String> readStrings(String json) {
    var out = new TreeMap<String, String>();
    read(json).forEach((k, v) -> out.put(k, v == null ? null : v.toString()));
    return out;
  }

  /** sha-256 hex of the canonical JSON of {@code values}. */
  public static String hash(Map<String, ?> values) {
    return hashOfJson(write(values));
  }

  /** sha-256 hex of JSON {@link #write} made: what {@link #hash} answers for the same values. */
  public static String hashOfJson(String json) {
    // one digest per thread: the provider lookup of getInstance was a fifth of the hashing
    var digest = SHA_256.get().digest(json.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest);
  }

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  /** A value's canonical text, so a typed mirror value and its JSON form compare equal. */
  public static String comparable(Object v) {
    // a cleared field reads back as null from one CRM and "" from another
    if (v == null || (v instanceof String str && str.isEmpty())) {
      return null;
    }
    var p = plainValue(v);
    if (p instanceof Double d && d == Math.rint(d)) {
      return Long.toString(d.longValue());
    }
    if (p instanceof String s && s.matches("-?\\d+\\.\\d+")) {
      // 12.50 and 12.5 are one amount
      return new BigDecimal(s).stripTrailingZeros().toPlainString();
    }
    return p.toString();
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Seconds from 1970 to the end of year 9999, the range {@link #instantText} writes by hand. */
  private static final long END_OF_9999 = 253_402_300_800L;

  /**
   * {@link Instant#toString()}'s text (seconds always, the fraction in groups of three digits),
   * written by hand for years 1970 to 9999: the formatter it goes through was a visible share of
   * a mirror load, where every record carries stamps.
   */
  static String instantText(Instant t) {
    long secs = t.getEpochSecond();
    if (secs < 0 || secs >= END_OF_9999) {
      return t.toString();
    }
    var d = LocalDateTime.ofEpochSecond(secs, 0, ZoneOffset.UTC);
    int nano = t.getNano();
    var b = new StringBuilder(30);
    digits(b, d.getYear(), 4).append('-');
    digits(b, d.getMonthValue(), 2).append('-');
    digits(b, d.getDayOfMonth(), 2).append('T');
    digits(b, d.getHour(), 2).append(':');
    digits(b, d.getMinute(), 2).append(':');
    digits(b, d.getSecond(), 2);
    if (nano > 0) {
      b.append('.');
      if (nano % 1_000_000 == 0) {
        digits(b, nano / 1_000_000, 3);
      } else if (nano % 1_000 == 0) {
        digits(b, nano / 1_000, 6);
      } else {
        digits(b, nano, 9);
      }
    }
    return b.append('Z').toString();
  }

  private static StringBuilder digits(StringBuilder b, int value, int width) {
    for (int div = (int) Math.pow(10, width - 1); div > 0; div /= 10) {
      b.append((char) ('0' + value / div % 10));
    }
    return b;
  }

  private static Object plainValue(Object v) {
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Instant || v instanceof LocalDate) {
      return v.toString();
    }
    return v;
  }
}
