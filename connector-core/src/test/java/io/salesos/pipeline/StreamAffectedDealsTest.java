package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.rules.Change;
import io.salesos.rules.RuleVocabulary;
import io.salesos.spi.CurrencySettings;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The changes of a stream step whose effect reaches deals the stream never named, each found by
 * {@link IncrementalEvaluationPropertiesTest} and pinned here: a contact taken off a deal (deal
 * contacts come by the pull of what the stream does not carry), a call moved from one deal to
 * another (the deal it left), and a rate gone (every deal in that currency loses its amount).
 */
class StreamAffectedDealsTest {

  Database db;
  MemoryCrm crm;
  Pipeline engine;

  @BeforeEach
  void setUp() {
    db = TestDatabases.fresh();
    crm = new MemoryCrm("mem");
    crm.currencies(euros(Optional.of(new BigDecimal("1.10"))));
    crm.save("users", List.of(row("id", "u2", "name", "Rep Two", "first_name", "Rep", "role", "rep", "time_zone", "UTC")));
    crm.save("accounts", List.of(row("id", "a1", "name", "Harbour Foods", "owner_id", "u2", "lat", "52.0", "lng", "4.0"),
        row("id", "a2", "name", "Dune Farms", "owner_id", "u2", "lat", "52.0", "lng", "4.0")));
    crm.save("contacts", List.of(row("id", "c1", "account_id", "a1", "first_name", "Ann", "last_name", "Buyer",
        "buying_role", "Economic Buyer", "lifecycle", "customer")));
    var close = IncrementalEvaluationPropertiesTest.World.date(20);
    crm.save("deals", List.of(
        row("id", "d1", "name", "Cold room", "account_id", "a1", "owner_id", "u2", "stage", "Proposal", "amount", "50000",
            "currency", "EUR", "close_date", close, "forecast_category", "Pipeline", "is_closed", "false", "is_won", "false"),
        row("id", "d2", "name", "Irrigation", "account_id", "a2", "owner_id", "u2", "stage", "Proposal", "amount", "40000",
            "currency", "USD", "close_date", close, "forecast_category", "Pipeline", "is_closed", "false", "is_won", "false")));
    crm.save("roles", List.of(row("id", "r1", "deal_id", "d1", "contact_id", "c1", "role", "Economic Buyer", "is_primary", "true")));
    crm.save("calls", List.of(row("id", "k1", "subject", "Call", "owner_id", "u2", "deal_id", "d1", "start_at",
        IncrementalEvaluationPropertiesTest.World.day(-2), "status", "completed")));
    crm.streams(List.of("accounts", "contacts", "deals", "tasks", "events", "calls"));
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", IncrementalEvaluationPropertiesTest.MAPPING)), true);
    engine = new Pipeline(db, List.of(connection), LiveRuleSet.of(LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard())),
        ConflictPolicy.defaults(), new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000,
            io.salesos.config.SalesosConfig.DEFAULT_PULL_LANES, io.salesos.mirror.MirrorStore.DEFAULT_QUARANTINE_PAYLOAD_BYTES,
            io.salesos.outbox.RunLimits.NONE, Duration.ZERO, 10),
        Clock.fixed(IncrementalEvaluationPropertiesTest.START, ZoneOffset.UTC));
    engine.pull(Optional.empty());
    engine.stream("mem"); // takes the head
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void aContactTakenOffADealAffectsThatDealWhenThePullOfDealContactsBringsIt() {
    crm.delete("roles", "r1");
    crm.save("accounts", List.of(row("id", "a2", "name", "Dune Farms BV")));

    var affected = engine.applyStream("mem").affected();

    assertThat(affected.dealIds()).contains("d1", "d2");
    assertThat(flagsOf("d1")).contains("NO_ECONOMIC_BUYER");
  }

  @Test
  void aCallMovedToAnotherDealAffectsTheDealItLeft() {
    crm.save("calls", List.of(row("id", "k1", "deal_id", "d2")));

    var affected = engine.applyStream("mem").affected();

    assertThat(affected.dealIds()).contains("d1", "d2");
  }

  @Test
  void aRateGoneAffectsEveryDealInThatCurrency() {
    crm.currencies(euros(Optional.empty()));
    engine.sync().amounts().refresh(engine.connection("mem"), true);
    crm.save("accounts", List.of(row("id", "a2", "name", "Dune Farms BV")));

    var affected = engine.applyStream("mem").affected();

    assertThat(affected.dealIds()).contains("d1", "d2");
    assertThat(flagsOf("d1")).contains("NO_AMOUNT");
  }

  /** The flags an evaluation of the affected deals would write on {@code deal}. */
  private String flagsOf(String deal) {
    var changes = engine.evaluateDeals("mem", List.of(deal), true).orElseThrow().changes();
    return changes.stream().filter(c -> c instanceof Change.FlagsChanged f && f.dealId().equals(deal))
        .map(c -> ((Change.FlagsChanged) c).after()).findFirst().orElse("");
  }

  static CurrencySettings euros(Optional<BigDecimal> rate) {
    return new CurrencySettings("USD", rate.map(r -> List.of(new CurrencySettings.Rate("EUR", r,
        CurrencySettings.Quote.CORPORATE_PER_UNIT, Optional.empty(), Optional.empty(), true, 2))).orElse(List.of()),
        CurrencySettings.DatedBy.CLOSED_DEALS);
  }

  static Map<String, Object> row(Object... pairs) {
    var out = new TreeMap<String, Object>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], pairs[i + 1]);
    }
    return out;
  }
}
