package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.connection.CrmConnection;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.evaluate.MirrorContextSource;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.rules.ForecastRollup;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.RuleVocabulary;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A multi-currency org (USD corporate, EUR at 0.8 per dollar): a EUR opportunity and a USD one of
 * one rep roll up into one forecast total in dollars at the org's own rate; with advanced currency
 * management the rate of each opportunity's close date applies.
 */
class MultiCurrencyForecastTest {

  static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");

  SalesforceSandbox sandbox;
  Database db;

  @AfterEach
  void stop() {
    if (db != null) {
      db.close();
    }
    sandbox.close();
  }

  @Test
  void aEuroAndADollarOpportunityRollUpIntoOneDollarTotalAtTheOrgsRate() throws Exception {
    sandbox = start(SalesforceSandbox.builder().multiCurrency("USD", Map.of("EUR", new BigDecimal("0.8"))));
    var rep = rep();
    var eur = opportunity(rep, "8000", "EUR", LocalDate.of(2026, 12, 10));
    var usd = opportunity(rep, "5000", "USD", LocalDate.of(2026, 12, 15));

    var rollup = syncAndRollUp(rep);

    assertThat(amount(eur)).isEqualByComparingTo("10000.00");
    assertThat(amount(usd)).isEqualByComparingTo("5000.00");
    assertThat(rollup.called("Pipeline")).isEqualByComparingTo("15000.00");
    assertThat(rollup.deals()).isEqualTo(2);
  }

  @Test
  void datedRatesApplyByEachOpportunitysCloseDate() throws Exception {
    sandbox = start(SalesforceSandbox.builder().multiCurrency("USD", Map.of("EUR", new BigDecimal("0.8")))
        .datedRates(List.of(new SalesforceSandbox.DatedRate("EUR", new BigDecimal("0.5"), LocalDate.of(2026, 1, 1)),
            new SalesforceSandbox.DatedRate("EUR", new BigDecimal("0.4"), LocalDate.of(2026, 12, 1)))));
    var rep = rep();
    var november = opportunity(rep, "100", "EUR", LocalDate.of(2026, 11, 30));
    var december = opportunity(rep, "100", "EUR", LocalDate.of(2026, 12, 1));

    var rollup = syncAndRollUp(rep);

    assertThat(amount(november)).isEqualByComparingTo("200.00");
    assertThat(amount(december)).isEqualByComparingTo("250.00");
    assertThat(rollup.called("Pipeline")).isEqualByComparingTo("450.00");
  }


  @Test
  void aSingleCurrencyOrgKeepsItsAmountsAsGivenInItsOwnCurrency() throws Exception {
    sandbox = start(SalesforceSandbox.builder().orgCurrency("EUR"));
    var settings = SandboxConnections.connector(sandbox, Map.of()).currencies();
    assertThat(settings).as("getUserInfo's orgDefaultCurrencyIsoCode").isPresent();
    assertThat(settings.get().corporate()).isEqualTo("EUR");
    assertThat(settings.get().rates()).isEmpty();

    var rep = rep();
    var opp = opportunity(rep, "7000", null, LocalDate.of(2026, 12, 10));
    var rollup = syncAndRollUp(rep);
    assertThat(amount(opp)).isEqualByComparingTo("7000.00");
    assertThat(rollup.called("Pipeline")).isEqualByComparingTo("7000.00");
    // the amounts are in euros, and whatever shows or writes them says so
    assertThat(new MirrorContextSource(db, "salesforce", NOW).corporateCurrency()).contains("EUR");
    assertThat(new io.salesos.currency.CurrencyStore(db).corporate("salesforce")).contains("EUR");
  }

  @Test
  void aMultiCurrencyOrgNamesItsCorporateCurrency() throws Exception {
    sandbox = start(SalesforceSandbox.builder().multiCurrency("GBP", Map.of("EUR", new BigDecimal("1.17"))));
    var settings = SandboxConnections.connector(sandbox, Map.of()).currencies();
    assertThat(settings).isPresent();
    assertThat(settings.get().corporate()).isEqualTo("GBP");
  }

  private static SalesforceSandbox start(SalesforceSandbox.Builder b) {
    return b.clock(SandboxClock.frozenAt(NOW)).seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW))).start();
  }

  /** A rep of their own, so that their rollup holds exactly the test's opportunities. */
  private String rep() {
    var u = new HashMap<String, Object>();
    u.put("LastName", "Currency");
    u.put("FirstName", "Rep");
    u.put("Username", "currency.rep@example.com");
    u.put("Email", "currency.rep@example.com");
    u.put("IsActive", Boolean.TRUE);
    return sandbox.createAsUser("User", u);
  }

  private String opportunity(String owner, String amount, String currency, LocalDate close) {
    var v = new HashMap<String, Object>();
    v.put("Name", "Deal " + amount + " " + currency + " " + close);
    v.put("StageName", "Qualification");
    v.put("ForecastCategoryName", "Pipeline");
    v.put("CloseDate", close);
    v.put("Amount", new BigDecimal(amount));
    v.put("OwnerId", owner);
    v.put("AccountId", sandbox.ids("Account").get(0));
    if (currency != null) {
      v.put("CurrencyIsoCode", currency);
    }
    return sandbox.createAsUser("Opportunity", v);
  }

  private ForecastRollup syncAndRollUp(String rep) throws Exception {
    sandbox.clock().advance(Duration.ofMinutes(1));
    db = TestDatabases.fresh();
    var connection = new CrmConnection("salesforce", "salesforce", SandboxConnections.connector(sandbox, Map.of()),
        Mapping.load(Path.of("../config/mappings/salesforce.yaml")), false);
    var clock = java.time.Clock.fixed(NOW.plus(Duration.ofMinutes(2)), java.time.ZoneOffset.UTC);
    var engine = new SyncEngine(db, List.of(connection), new SyncEngine.PullSettings(500, 1000, 1), clock);
    assertThat(engine.pullAll(Optional.empty())).allSatisfy(s -> assertThat(s.error()).as(s.crmObject()).isEmpty());
    var rules = new RuleSetLoader(RuleVocabulary.standard()).load(Path.of("../rules"));
    assertThat(rules).isInstanceOf(LoadResult.Loaded.class);
    var state = new RuleEvaluator(((LoadResult.Loaded) rules).ruleSet())
        .evaluate(new MirrorContextSource(db, "salesforce", clock.instant()), clock.instant());
    return state.rollups().stream().filter(r -> r.level() == ForecastRollup.Level.REP && r.id().equals(rep))
        .findFirst().orElseThrow();
  }

  private BigDecimal amount(String id) throws Exception {
    try (var c = db.connection(); var ps = c.prepareStatement("SELECT amount FROM deal WHERE id = ?")) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).as("deal %s mirrored", id).isTrue();
        return rs.getBigDecimal(1);
      }
    }
  }
}
