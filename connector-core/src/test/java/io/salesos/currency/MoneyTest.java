package io.salesos.currency;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MoneyTest {

  @Test
  void wholeAmountsAreWrittenInTheirOwnCurrency() {
    assertThat(Money.whole(new BigDecimal("1234567.6"), Optional.of("USD"))).isEqualTo("$1,234,568");
    assertThat(Money.whole(new BigDecimal("1234567.6"), Optional.of("EUR"))).isEqualTo("€1,234,568");
    assertThat(Money.whole(new BigDecimal("-5"), Optional.of("GBP"))).isEqualTo("-£5");
    assertThat(Money.whole(new BigDecimal("40000"), Optional.of("CHF"))).isEqualTo("CHF 40,000");
    assertThat(Money.whole(new BigDecimal("40000"), Optional.of("cad"))).isEqualTo("CA$40,000");
  }

  @Test
  void anAmountOfUnknownCurrencyCarriesNoSymbol() {
    assertThat(Money.whole(new BigDecimal("1500.4"), Optional.empty())).isEqualTo("1,500");
    assertThat(Money.compact(new BigDecimal("1250000"), Optional.empty())).isEqualTo("1.3M");
    assertThat(Money.whole(new BigDecimal("7"), Optional.of("XYZ"))).isEqualTo("XYZ 7");
    assertThat(Money.whole(null, Optional.of("USD"))).isEmpty();
  }

  @Test
  void compactAmountsKeepTheCurrency() {
    assertThat(Money.compact(new BigDecimal("340000"), Optional.of("EUR"))).isEqualTo("€340K");
    assertThat(Money.compact(new BigDecimal("1200000"), Optional.of("USD"))).isEqualTo("$1.2M");
    assertThat(Money.compact(new BigDecimal("-900"), Optional.of("SEK"))).isEqualTo("-SEK 900");
    assertThat(Money.compact(new BigDecimal("0.2"), Optional.of("USD"))).isEqualTo("$0");
  }
}
