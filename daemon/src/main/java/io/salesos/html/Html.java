package io.salesos.html;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/** HTML escaping and the few value formats the status page and the audit reports show; every CRM value passes through here. */
public final class Html {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("EEE d MMM HH:mm 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);

  private Html() {}

  /** Escapes text for an element body or a quoted attribute. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    var sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  public static String esc(Optional<String> s) {
    return esc(s.orElse(""));
  }

  /** Whole dollars with grouping: {@code $1,234,500}. */
  public static String money(BigDecimal v) {
    if (v == null) {
      return "";
    }
    var rounded = v.setScale(0, RoundingMode.HALF_UP);
    return (rounded.signum() < 0 ? "-$" : "$") + String.format(Locale.ENGLISH, "%,d", rounded.abs().toBigInteger());
  }

  /** Short dollars for tight places: {@code $340K}, {@code $1.2M}. */
  public static String shortMoney(BigDecimal v) {
    if (v == null) {
      return "";
    }
    double d = v.doubleValue();
    double a = Math.abs(d);
    var sign = d < 0 ? "-$" : "$";
    if (a >= 1_000_000) {
      return sign + String.format(Locale.ENGLISH, "%.1fM", a / 1_000_000);
    }
    if (a >= 1_000) {
      return sign + String.format(Locale.ENGLISH, "%.0fK", a / 1_000);
    }
    return sign + String.format(Locale.ENGLISH, "%.0f", a);
  }

  public static String stamp(Instant t) {
    return t == null ? "" : STAMP.format(t);
  }

  public static String num(double v) {
    return v == Math.rint(v) ? String.format(Locale.ENGLISH, "%,d", (long) v) : String.format(Locale.ENGLISH, "%,.1f", v);
  }

  /** Plain-text number for data attributes (machine-readable, no grouping). */
  public static String plain(BigDecimal v) {
    return v == null ? "" : v.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
