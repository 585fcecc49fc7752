package io.salesos.currency;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.Database;
import io.salesos.spi.CurrencySettings;
import io.salesos.spi.CurrencySettings.DatedBy;
import io.salesos.spi.CurrencySettings.Quote;
import io.salesos.spi.CurrencySettings.Rate;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** deal.amount filled from the amount as given in the mirror; a currency with no rate gets none and is reported. */
class AmountConversionTest {

  static final Instant NOW = Instant.parse("2026-11-02T09:00:00Z");
  static final CurrencySettings ORG = new CurrencySettings("USD", List.of(
      Rate.undated("USD", BigDecimal.ONE, Quote.UNITS_PER_CORPORATE, true, 2),
      Rate.undated("EUR", new BigDecimal("0.8"), Quote.UNITS_PER_CORPORATE, true, 2)), DatedBy.ALL_DEALS);

  Database db;
  AmountConversion conversion;

  @BeforeEach
  void start() {
    db = TestDatabases.fresh();
    conversion = new AmountConversion(db, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    db.close();
  }

  @Test
  void eachDealIsConvertedAtItsCurrencysRateAndOneWithNoRateIsLeftEmptyAndCounted() throws SQLException {
    deal("D1", "8000", "EUR", "999");
    deal("D2", "5000", "USD", null);
    deal("D3", "1000", "GBP", "1000");
    deal("D4", "1000", "GBP", null);

    var report = conversion.convert("sf", Optional.of(new CurrencyRates(ORG)), LocalDate.of(2026, 11, 2));

    assertThat(amount("D1")).isEqualByComparingTo("10000.00");
    assertThat(amount("D2")).isEqualByComparingTo("5000.00");
    assertThat(amount("D3")).as("a stale 1:1 amount is cleared").isNull();
    assertThat(amount("D4")).isNull();
    assertThat(report.unconverted()).isEqualTo(Map.of("GBP", 2));
    assertThat(report.corporate()).isEqualTo("USD");
    assertThat(conversion.store().unconverted("sf")).isEqualTo(Map.of("GBP", 2));

    var again = conversion.convert("sf", Optional.of(new CurrencyRates(ORG)), LocalDate.of(2026, 11, 2));
    assertThat(again.changed()).as("nothing to change the second time").isZero();
  }

  @Test
  void aSingleCurrencyOrgKeepsAmountsAsGivenButNotOnesThatNameACurrency() throws SQLException {
    deal("D1", "700", null, null);
    deal("D2", "700", "EUR", null);
    var report = conversion.convert("sf", Optional.empty(), LocalDate.of(2026, 11, 2));
    assertThat(amount("D1")).isEqualByComparingTo("700.00");
    assertThat(amount("D2")).isNull();
    assertThat(report.unconverted()).isEqualTo(Map.of("EUR", 1));
  }

  @Test
  void storedRatesRoundTripAndAnUnchangedRefreshIsNoChange() {
    var store = conversion.store();
    assertThat(store.save("sf", Optional.of(ORG), NOW)).isTrue();
    assertThat(store.load("sf")).contains(ORG);
    assertThat(store.save("sf", Optional.of(ORG), NOW.plusSeconds(60))).isFalse();
    assertThat(store.save("sf", Optional.empty(), NOW)).isTrue();
    assertThat(store.load("sf")).isEmpty();
  }

  private void deal(String id, String original, String currency, String amount) throws SQLException {
    try (var c = db.connection(); var ps = c.prepareStatement("INSERT INTO deal (source, crm_object, id, crm_modified_at,"
        + " synced_at, row_hash, amount_original, currency, amount, close_date, is_closed) VALUES ('sf', 'Opportunity', ?,"
        + " NOW(), NOW(), 'x', ?, ?, ?, '2026-12-01', FALSE)")) {
      ps.setString(1, id);
      ps.setBigDecimal(2, new BigDecimal(original));
      ps.setString(3, currency);
      ps.setBigDecimal(4, amount == null ? null : new BigDecimal(amount));
      ps.executeUpdate();
    }
  }

  private BigDecimal amount(String id) throws SQLException {
    try (var c = db.connection(); var ps = c.prepareStatement("SELECT amount FROM deal WHERE id = ?")) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getBigDecimal(1);
      }
    }
  }
}
