package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.connection.CrmConnection;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.evaluate.MirrorContextSource;
import io.salesos.hubspot.sandbox.ExchangeRate;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.rules.ForecastRollup;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.RuleVocabulary;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A portal with USD as company currency and EUR at 1.10 (since 2020), then 1.20 (since October
 * 2026): an open EUR deal and a USD deal roll up into one dollar total at today's rate, and a won
 * EUR deal keeps the rate of its close date, as HubSpot's amount in company currency does.
 */
class HubSpotMultiCurrencyTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private HubSpotSandbox sandbox;
  private Database db;

  @BeforeEach
  void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited()).withCurrencies("USD", List.of(
            new ExchangeRate("EUR", new BigDecimal("1.1"), Instant.parse("2020-01-01T00:00:00Z")),
            new ExchangeRate("EUR", new BigDecimal("1.2"), Instant.parse("2026-10-01T00:00:00Z")))));
    db = TestDatabases.fresh();
  }

  @AfterEach
  void stop() {
    db.close();
    sandbox.close();
  }

  @Test
  void aEuroAndADollarDealRollUpIntoOneDollarTotalAtThePortalsRates() throws Exception {
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0));
    var ids = sandbox.seed(org);
    // the VP owns no deal of the demo org: their rollup holds exactly these
    var vp = ids.get(org.users().stream().filter(u -> u.role() == DemoOrg.Role.VP).findFirst().orElseThrow().id());
    var deals = sandbox.ids("deals");
    var eur = deals.get(0);
    var usd = deals.get(1);
    var wonEur = deals.get(2);
    var december = Long.toString(Instant.parse("2026-12-10T00:00:00Z").toEpochMilli());
    sandbox.update("deals", List.of(eur), Map.of("hubspot_owner_id", vp, "dealstage", "qualification", "amount", "1000",
        "deal_currency_code", "EUR", "hs_manual_forecast_category", "PIPELINE", "closedate", december));
    sandbox.update("deals", List.of(usd), Map.of("hubspot_owner_id", vp, "dealstage", "qualification", "amount", "500",
        "deal_currency_code", "USD", "hs_manual_forecast_category", "PIPELINE", "closedate", december));
    sandbox.update("deals", List.of(wonEur), Map.of("dealstage", "closedwon", "amount", "1000", "deal_currency_code", "EUR",
        "closedate", Long.toString(Instant.parse("2026-09-15T00:00:00Z").toEpochMilli())));
    sandbox.clock().advance(Duration.ofMinutes(1));

    var connection = new CrmConnection("hubspot", "hubspot", connect(sandbox),
        Mapping.load(Path.of("../config/mappings/hubspot.yaml")), false);
    var engine = new SyncEngine(db, List.of(connection), new SyncEngine.PullSettings(500, 1000, 1), sandbox.clock());
    assertThat(engine.pullAll(Optional.empty())).allSatisfy(s -> assertThat(s.error()).as(s.crmObject()).isEmpty());

    assertThat(amount(eur)).as("open: today's rate").isEqualByComparingTo("1200.00");
    assertThat(amount(usd)).isEqualByComparingTo("500.00");
    assertThat(amount(wonEur)).as("closed: the rate of its close date").isEqualByComparingTo("1100.00");
    assertThat(engine.amounts().store().unconverted("hubspot")).isEmpty();

    var rules = new RuleSetLoader(RuleVocabulary.standard()).load(Path.of("../rules"));
    assertThat(rules).isInstanceOf(LoadResult.Loaded.class);
    var now = sandbox.clock().instant();
    var state = new RuleEvaluator(((LoadResult.Loaded) rules).ruleSet()).evaluate(new MirrorContextSource(db, "hubspot", now), now);
    var rollup = state.rollups().stream().filter(r -> r.level() == ForecastRollup.Level.REP && r.id().equals(vp))
        .findFirst().orElseThrow();
    assertThat(rollup.deals()).isEqualTo(2);
    assertThat(rollup.called("Pipeline")).isEqualByComparingTo("1700.00");
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
