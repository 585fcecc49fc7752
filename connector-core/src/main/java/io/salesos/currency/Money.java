package io.salesos.currency;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;

/**
 * Amounts as a person reads them, in the currency they are in: a connection's amounts are in its
 * corporate currency, which is the org's own (euros in a European org), never a dollar sign by
 * default. A currency with a symbol of its own is written with it ({@code $1,234}, {@code €1,234},
 * {@code £1,234}, {@code CA$1,234}); one whose symbol is its code is written with the code and a
 * space ({@code CHF 1,234}); an amount whose currency is not known is written as grouped digits
 * alone, not in a currency it may not be in.
 */
public final class Money {

  private Money() {}

  /** Whole units with grouping: {@code €1,234,500}, {@code -$5}, {@code SEK 40,000}. */
  public static String whole(BigDecimal amount, Optional<String> currency) {
    if (amount == null) {
      return "";
    }
    var rounded = amount.setScale(0, RoundingMode.HALF_UP);
    return sign(rounded.signum()) + prefix(currency) + String.format(Locale.ENGLISH, "%,d", rounded.abs().toBigInteger());
  }

  /** Short form for tight places: {@code €340K}, {@code $1.2M}, {@code CHF 900}. */
  public static String compact(BigDecimal amount, Optional<String> currency) {
    if (amount == null) {
      return "";
    }
    double d = amount.doubleValue();
    double a = Math.abs(d);
    String digits;
    if (a >= 1_000_000) {
      digits = String.format(Locale.ENGLISH, "%.1fM", a / 1_000_000);
    } else if (a >= 1_000) {
      digits = String.format(Locale.ENGLISH, "%.0fK", a / 1_000);
    } else {
      digits = String.format(Locale.ENGLISH, "%.0f", a);
    }
    return sign(Math.round(d) == 0 ? 0 : (int) Math.signum(d)) + prefix(currency) + digits;
  }

  private static String sign(int signum) {
    return signum < 0 ? "-" : "";
  }

  private static String prefix(Optional<String> currency) {
    if (currency.isEmpty() || currency.get().isBlank()) {
      return "";
    }
    var code = currency.get().trim().toUpperCase(Locale.ROOT);
    String symbol;
    try {
      symbol = Currency.getInstance(code).getSymbol(Locale.US);
    } catch (IllegalArgumentException e) {
      return code + " ";
    }
    return symbol.equals(code) ? code + " " : symbol;
  }
}
