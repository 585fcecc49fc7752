package io.salesos.daemon.schema;

import static io.salesos.testing.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.testing.SandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo org in each CRM's stock shape (`--seed stock`): a Salesforce org with its standard
 * stages and no custom input fields, a HubSpot portal with two deal pipelines of stock stage ids and
 * no custom input properties. With the stock rule set, the whole path runs: schema verify lists the
 * missing inputs, and one cycle writes flags, tasks and visit plans into both.
 */
class StockSeedTest {

  @TempDir
  Path dir;

  private SalesforceSandbox salesforce;
  private HubSpotSandbox hubspot;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.now().truncatedTo(ChronoUnit.DAYS)));
    // as `--seed stock` starts them: stock shapes, two currencies (the European team sells in euros)
    salesforce = io.salesos.salesforce.sandbox.SalesforceSandboxProvider.stock(SalesforceSandbox.builder()).seed(org).start();
    hubspot = HubSpotSandbox.start(io.salesos.hubspot.sandbox.HubSpotSandboxProvider.stockCurrencies(
        HubSpotSandbox.Options.defaults().withLimits(RateLimits.unlimited()))).stockPortal();
    hubspot.seed(org);
    config = SandboxConfig.onNewSchema().salesforce(salesforce).hubspot(hubspot)
        .rules(SandboxConfig.repository().resolve("rules/stock")).writeInto(dir);
  }

  @AfterEach
  void stop() {
    salesforce.close();
    hubspot.close();
  }

  @Test
  void schemaVerifyListsTheMissingInputsOfBothAndOneCycleWritesFlagsTasksAndPlans() {
    assertThat(run("schema", "prepare", "--config", config.toString()).exit()).isZero();
    var verify = run("schema", "verify", "--config", config.toString());
    assertThat(verify.out())
        .containsPattern("Account\\s+Opening_Hours__c\\s+account\\.opening_hours")
        .containsPattern("Opportunity\\s+Next_Step_Date__c\\s+deal\\.next_step_date")
        .containsPattern("companies\\s+opening_hours\\s+account\\.opening_hours")
        .containsPattern("deals\\s+mutual_action_plan\\s+deal\\.mutual_action_plan");

    var cfg = SalesosConfig.load(config);
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, Clock.systemUTC())) {
      var pipeline = runtime.pipeline();
      pipeline.pull(Optional.empty());
      assertThat(pipeline.rules().current()).as("the stock rules load on both CRMs' stages: %s", pipeline.rules().problems())
          .isPresent();
      assertThat(pipeline.stages("salesforce").orElseThrow().stageById("Needs Analysis")).isPresent();
      assertThat(pipeline.stages("hubspot").orElseThrow().pipelines()).hasSize(2);
      // euro deals are converted at each CRM's own rate (1 EUR = 1.25 USD in both), dollar deals kept as entered
      for (var source : java.util.List.of("salesforce", "hubspot")) {
        var byCurrency = new HashMap<String, Integer>();
        try (var c = runtime.database().connection(); var ps = c.prepareStatement(
            "SELECT currency, amount, amount_original FROM deal WHERE source = ? AND deleted = FALSE AND amount_original IS NOT NULL")) {
          ps.setString(1, source);
          try (var rs = ps.executeQuery()) {
            while (rs.next()) {
              var currency = rs.getString(1) == null || rs.getString(1).isEmpty() ? "USD" : rs.getString(1);
              var factor = currency.equals("EUR") ? new java.math.BigDecimal("1.25") : java.math.BigDecimal.ONE;
              assertThat(rs.getBigDecimal(2)).as(source + " " + currency + " deal amount").isNotNull()
                  .isEqualByComparingTo(rs.getBigDecimal(3).multiply(factor));
              byCurrency.merge(currency, 1, Integer::sum);
            }
          }
        } catch (java.sql.SQLException e) {
          throw new AssertionError(e);
        }
        assertThat(byCurrency).as(source + " deals by currency").containsKeys("EUR", "USD");
      }

      var runs = pipeline.evaluate(Optional.empty());
      assertThat(runs).hasSize(2).allSatisfy(r -> {
        assertThat(r.flags()).as(r.source() + " flags").isPositive();
        assertThat(r.tasks()).as(r.source() + " tasks").isPositive();
      });
      // a criterion by position applies in both HubSpot pipelines
      var flaggedPipelines = new HashMap<String, Integer>();
      var hubspotRun = runs.stream().filter(r -> r.source().equals("hubspot")).findFirst().orElseThrow();
      hubspotRun.desired().flags().forEach(f -> hubspot.get("deals", f.dealId()).flatMap(o -> o.property("pipeline"))
          .ifPresent(p -> flaggedPipelines.merge(p, 1, Integer::sum)));
      assertThat(flaggedPipelines).containsOnlyKeys("default", "21984736");

      pipeline.planNext(Optional.empty());
      pipeline.outbox().runsInReview().keySet().forEach(run -> pipeline.outbox().releaseRun(run, "test"));
      var pushed = pipeline.push();
      assertThat(pushed.written()).isPositive();
    }
    // evidence-adjusted categories are drafts for a person's approval under the shipped write policy
    var sf = salesforce.summary();
    assertThat(sf.get("opportunities flagged")).isPositive();
    assertThat(sf.get("tasks created by salesos")).isPositive();
    assertThat(sf.get("visit events planned by salesos")).isPositive();
    var hs = hubspot.summary();
    assertThat(hs.get("deals flagged")).isPositive();
    assertThat(hs.get("tasks created by salesos")).isPositive();
  }
}
