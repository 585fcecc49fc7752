package io.salesos.hubspot.sandbox;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One exchange rate of a portal (Settings > Account defaults > Currency): one unit of {@code
 * fromCurrencyCode} is worth {@code conversionRate} units of the company currency, from {@code
 * effectiveAt} on. A portal keeps every rate it had, so closed deals convert at the rate of their
 * close date.
 */
public record ExchangeRate(String fromCurrencyCode, BigDecimal conversionRate, Instant effectiveAt) {
  public ExchangeRate {
    Objects.requireNonNull(fromCurrencyCode, "fromCurrencyCode");
    Objects.requireNonNull(conversionRate, "conversionRate");
    Objects.requireNonNull(effectiveAt, "effectiveAt");
    if (conversionRate.signum() <= 0 || conversionRate.scale() > 6) {
      // HubSpot: greater than 0, at most 6 decimal places
      throw new IllegalArgumentException("a conversion rate must be greater than 0 with at most 6 decimals, was "
          + conversionRate.toPlainString());
    }
  }
}
