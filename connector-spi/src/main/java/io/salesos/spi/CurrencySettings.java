package io.salesos.spi;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A CRM's currencies as the org keeps them: the corporate (company) currency every amount is
 * converted to, and the org's own exchange rates against it, undated or dated. A connector reads
 * them from the CRM (Salesforce {@code CurrencyType} and {@code DatedConversionRate}, HubSpot's
 * currencies API); core converts deal amounts with them and never with rates of its own.
 *
 * @param corporate the ISO 4217 code of the corporate currency
 * @param rates every rate the org has, the corporate currency's own (1) included
 * @param datedBy which deals a dated rate applies to by their close date
 */
public record CurrencySettings(String corporate, List<Rate> rates, DatedBy datedBy) {

  private static final Pattern ISO = Pattern.compile("[A-Z]{3}");

  /** Which deals are converted at the rate in force on their close date (the others at the undated or latest rate). */
  public enum DatedBy {
    /** Every deal, open or closed (Salesforce advanced currency management: opportunities by CloseDate). */
    ALL_DEALS,
    /** Closed deals only; open deals take the rate in force today (HubSpot's amount in company currency). */
    CLOSED_DEALS
  }

  public CurrencySettings {
    corporate = isoCode(corporate);
    rates = List.copyOf(Objects.requireNonNull(rates, "rates"));
    Objects.requireNonNull(datedBy, "datedBy");
  }

  /** How a rate is quoted, kept as the CRM quotes it so that no conversion loses a digit. */
  public enum Quote {
    /** {@code rate} units of the currency make one unit of the corporate currency (Salesforce ConversionRate). */
    UNITS_PER_CORPORATE,
    /** One unit of the currency is worth {@code rate} units of the corporate currency (HubSpot conversionRate). */
    CORPORATE_PER_UNIT
  }

  /**
   * One exchange rate of {@code isoCode} against the corporate currency, quoted as {@code quote}
   * says, in force from {@code start} (inclusive) to {@code nextStart} (exclusive, open when empty)
   * when dated, always when undated.
   */
  public record Rate(String isoCode, BigDecimal rate, Quote quote, Optional<LocalDate> start,
      Optional<LocalDate> nextStart, boolean active, int decimalPlaces) {
    public Rate {
      isoCode = CurrencySettings.isoCode(isoCode);
      Objects.requireNonNull(rate, "rate");
      Objects.requireNonNull(quote, "quote");
      if (rate.signum() <= 0) {
        throw new IllegalArgumentException("the rate of " + isoCode + " must be greater than 0, was " + rate.toPlainString());
      }
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(nextStart, "nextStart");
      if (start.isEmpty() && nextStart.isPresent()) {
        throw new IllegalArgumentException("the rate of " + isoCode + " has an end (" + nextStart.get() + ") but no start");
      }
      if (start.isPresent() && nextStart.isPresent() && !nextStart.get().isAfter(start.get())) {
        throw new IllegalArgumentException("the dated rate of " + isoCode + " from " + start.get()
            + " ends on " + nextStart.get() + ", not after it starts");
      }
      if (decimalPlaces < 0 || decimalPlaces > 10) {
        throw new IllegalArgumentException("the decimal places of " + isoCode + " must be 0..10, was " + decimalPlaces);
      }
    }

    /** An undated rate. */
    public static Rate undated(String isoCode, BigDecimal rate, Quote quote, boolean active, int decimalPlaces) {
      return new Rate(isoCode, rate, quote, Optional.empty(), Optional.empty(), active, decimalPlaces);
    }

    public boolean dated() {
      return start.isPresent();
    }

    /** Whether this dated rate is in force on {@code day}. */
    public boolean covers(LocalDate day) {
      return start.isPresent() && !day.isBefore(start.get()) && (nextStart.isEmpty() || day.isBefore(nextStart.get()));
    }
  }

  /** The org's currency code, upper case; a code that is not three letters is refused. */
  public static String isoCode(String code) {
    Objects.requireNonNull(code, "currency code");
    var c = code.trim().toUpperCase(Locale.ROOT);
    if (!ISO.matcher(c).matches()) {
      throw new IllegalArgumentException("'" + code + "' is not an ISO 4217 currency code (three letters)");
    }
    return c;
  }
}
