package io.salesos.currency;

import io.salesos.spi.CurrencySettings;
import io.salesos.spi.CurrencySettings.DatedBy;
import io.salesos.spi.CurrencySettings.Rate;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One connection's exchange rates, converting a deal's amount as given into the org's corporate
 * currency the way the CRM itself does: a dated rate by the deal's close date where the org dates
 * its rates, the undated rate otherwise. A currency with no rate is never taken 1:1.
 */
public final class CurrencyRates {

  /** What became of one amount: converted, or left out because its currency has no rate. */
  public sealed interface Conversion {
    /** The amount in the corporate currency, and the rate used. */
    record Converted(BigDecimal amount, Rate rate) implements Conversion {}

    /** No rate converts {@code currency} (as the deal gives it) on the deal's date. */
    record NoRate(String currency, String why) implements Conversion {}
  }

  private final CurrencySettings settings;
  private final Map<String, Rate> undated = new HashMap<>();
  private final Map<String, List<Rate>> dated = new HashMap<>();
  private final int scale;

  public CurrencyRates(CurrencySettings settings) {
    this.settings = settings;
    for (var r : settings.rates()) {
      if (r.dated()) {
        dated.computeIfAbsent(r.isoCode(), k -> new ArrayList<>()).add(r);
      } else {
        undated.put(r.isoCode(), r);
      }
    }
    // the corporate currency's own decimal places, as the CRM rounds converted amounts (the mirror keeps at most 2)
    this.scale = Math.min(2, undated.containsKey(settings.corporate()) ? undated.get(settings.corporate()).decimalPlaces() : 2);
  }

  public String corporate() {
    return settings.corporate();
  }

  public CurrencySettings settings() {
    return settings;
  }

  /**
   * {@code original}, in {@code currency} (empty: the corporate currency, as the CRM takes a deal
   * with none), converted to the corporate currency at the rate in force on {@code closeDate}
   * where the org's dated rates apply to the deal ({@code closed} says whether it is closed), at
   * today's rate otherwise.
   */
  public Conversion convert(BigDecimal original, Optional<String> currency, Optional<LocalDate> closeDate, boolean closed,
      LocalDate today) {
    var given = currency.map(String::trim).filter(c -> !c.isEmpty());
    if (given.isEmpty()) {
      return new Conversion.Converted(original.setScale(scale, RoundingMode.HALF_UP), corporateRate());
    }
    String code;
    try {
      code = CurrencySettings.isoCode(given.get());
    } catch (IllegalArgumentException e) {
      return new Conversion.NoRate(given.get(), "not a currency code");
    }
    if (code.equals(settings.corporate())) {
      return new Conversion.Converted(original.setScale(scale, RoundingMode.HALF_UP), corporateRate());
    }
    boolean byCloseDate = settings.datedBy() == DatedBy.ALL_DEALS || closed;
    var day = byCloseDate ? closeDate.orElse(today) : today;
    var rate = datedRate(code, day).or(() -> Optional.ofNullable(undated.get(code)));
    if (rate.isEmpty()) {
      return new Conversion.NoRate(code, dated.containsKey(code) ? "no rate of " + code + " in force on " + day
          : "the org has no rate for " + code);
    }
    return new Conversion.Converted(apply(original, rate.get()), rate.get());
  }

  /** The rate of {@code code} in force on {@code day}, among the org's dated rates. */
  public Optional<Rate> datedRate(String code, LocalDate day) {
    return dated.getOrDefault(code, List.of()).stream().filter(r -> r.covers(day)).findFirst();
  }

  private BigDecimal apply(BigDecimal original, Rate rate) {
    return switch (rate.quote()) {
      case UNITS_PER_CORPORATE -> original.divide(rate.rate(), scale, RoundingMode.HALF_UP);
      case CORPORATE_PER_UNIT -> original.multiply(rate.rate()).setScale(scale, RoundingMode.HALF_UP);
    };
  }

  private Rate corporateRate() {
    return undated.getOrDefault(settings.corporate(),
        Rate.undated(settings.corporate(), BigDecimal.ONE, CurrencySettings.Quote.UNITS_PER_CORPORATE, true, 2));
  }
}
