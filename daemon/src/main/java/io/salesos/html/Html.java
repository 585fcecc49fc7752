package io.salesos.html;

import io.salesos.currency.Money;
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

  /** Whole units with grouping in the currency they are in: {@code $1,234,500}, {@code €1,234,500} (see {@link Money}). */
  public static String money(BigDecimal v, Optional<String> currency) {
    return Money.whole(v, currency);
  }

  /** Short amounts for tight places: {@code $340K}, {@code €1.2M}. */
  public static String shortMoney(BigDecimal v, Optional<String> currency) {
    return Money.compact(v, currency);
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
