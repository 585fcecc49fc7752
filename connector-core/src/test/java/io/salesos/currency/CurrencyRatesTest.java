package io.salesos.currency;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.spi.CurrencySettings;
import io.salesos.spi.CurrencySettings.DatedBy;
import io.salesos.spi.CurrencySettings.Quote;
import io.salesos.spi.CurrencySettings.Rate;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CurrencyRatesTest {

  static final LocalDate TODAY = LocalDate.of(2026, 11, 2);

  static CurrencyRates salesforce(List<Rate> dated) {
    var rates = new java.util.ArrayList<Rate>(List.of(
        Rate.undated("USD", BigDecimal.ONE, Quote.UNITS_PER_CORPORATE, true, 2),
        Rate.undated("EUR", new BigDecimal("0.8"), Quote.UNITS_PER_CORPORATE, true, 2)));
    rates.addAll(dated);
    return new CurrencyRates(new CurrencySettings("USD", rates, DatedBy.ALL_DEALS));
  }

  static Rate dated(String code, String rate, LocalDate start, LocalDate next) {
    return new Rate(code, new BigDecimal(rate), Quote.UNITS_PER_CORPORATE, Optional.of(start), Optional.ofNullable(next), true, 2);
  }

  static BigDecimal converted(CurrencyRates.Conversion c) {
    assertThat(c).isInstanceOf(CurrencyRates.Conversion.Converted.class);
    return ((CurrencyRates.Conversion.Converted) c).amount();
  }

  @Test
  void aEuroAmountIsDividedByItsConversionRateAndACorporateOneIsKept() {
    var rates = salesforce(List.of());
    assertThat(converted(rates.convert(new BigDecimal("8000"), Optional.of("EUR"), Optional.empty(), false, TODAY)))
        .isEqualByComparingTo("10000.00");
    assertThat(converted(rates.convert(new BigDecimal("5000"), Optional.of("USD"), Optional.empty(), false, TODAY)))
        .isEqualByComparingTo("5000.00");
    assertThat(converted(rates.convert(new BigDecimal("5000"), Optional.empty(), Optional.empty(), false, TODAY)))
        .as("no currency: the corporate one").isEqualByComparingTo("5000.00");
  }

  @Test
  void datedRatesApplyByCloseDateOpenOrClosedAndTheUndatedRateCoversWhatNoDatedRateDoes() {
    var rates = salesforce(List.of(dated("EUR", "0.5", LocalDate.of(2026, 1, 1), LocalDate.of(2026, 7, 1)),
        dated("EUR", "0.4", LocalDate.of(2026, 7, 1), null)));
    assertThat(converted(rates.convert(new BigDecimal("100"), Optional.of("EUR"), Optional.of(LocalDate.of(2026, 3, 31)), false, TODAY)))
        .isEqualByComparingTo("200.00");
    assertThat(converted(rates.convert(new BigDecimal("100"), Optional.of("EUR"), Optional.of(LocalDate.of(2026, 7, 1)), true, TODAY)))
        .as("NextStartDate is the next rate's first day").isEqualByComparingTo("250.00");
    assertThat(converted(rates.convert(new BigDecimal("100"), Optional.of("EUR"), Optional.of(LocalDate.of(2025, 12, 31)), false, TODAY)))
        .as("before every dated rate: CurrencyType's").isEqualByComparingTo("125.00");
  }

  @Test
  void aCurrencyWithNoRateIsNotConvertedNorTakenOneToOne() {
    var rates = salesforce(List.of());
    var c = rates.convert(new BigDecimal("100"), Optional.of("GBP"), Optional.empty(), false, TODAY);
    assertThat(c).isInstanceOf(CurrencyRates.Conversion.NoRate.class);
    assertThat(((CurrencyRates.Conversion.NoRate) c).currency()).isEqualTo("GBP");
    assertThat(rates.convert(new BigDecimal("100"), Optional.of("euros"), Optional.empty(), false, TODAY))
        .isInstanceOf(CurrencyRates.Conversion.NoRate.class);
  }

  @Test
  void hubSpotRatesMultiplyAndDateOnlyClosedDeals() {
    var rates = new CurrencyRates(new CurrencySettings("USD", List.of(
        new Rate("EUR", new BigDecimal("1.1"), Quote.CORPORATE_PER_UNIT, Optional.of(LocalDate.of(1, 1, 1)),
            Optional.of(LocalDate.of(2026, 10, 1)), true, 2),
        new Rate("EUR", new BigDecimal("1.2"), Quote.CORPORATE_PER_UNIT, Optional.of(LocalDate.of(2026, 10, 1)),
            Optional.empty(), true, 2)), DatedBy.CLOSED_DEALS));
    var september = Optional.of(LocalDate.of(2026, 9, 15));
    assertThat(converted(rates.convert(new BigDecimal("1000.05"), Optional.of("EUR"), september, true, TODAY)))
        .as("closed: the rate of its close date").isEqualByComparingTo("1100.06");
    assertThat(converted(rates.convert(new BigDecimal("1000"), Optional.of("EUR"), september, false, TODAY)))
        .as("open: today's rate").isEqualByComparingTo("1200.00");
  }
}
