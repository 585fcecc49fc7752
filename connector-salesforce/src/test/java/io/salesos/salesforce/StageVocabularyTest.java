package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.PullRequest;
import io.salesos.spi.StageVocabulary;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector reads the org's stages from OpportunityStage, consistent with the StageName picklist its deals use. */
class StageVocabularyTest {

  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

  SalesforceSandbox sandbox;

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void aStockOrgReportsTheStandardStagesWithTheirProbabilitiesAndCategories() throws Exception {
    sandbox = start(true);
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var v = c.stageVocabulary().orElseThrow();
      assertThat(v.pipelines()).hasSize(1);
      var stages = v.pipelines().get(0).stages();
      assertThat(stages).extracting(StageVocabulary.Stage::label).containsExactly("Prospecting", "Qualification",
          "Needs Analysis", "Value Proposition", "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
          "Negotiation/Review", "Closed Won", "Closed Lost");
      var needs = v.stageById("Needs Analysis").orElseThrow();
      assertThat(needs.probability()).hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("20"));
      assertThat(needs.forecastCategory()).contains("Pipeline");
      assertThat(needs.closed()).isFalse();
      var won = v.stageById("Closed Won").orElseThrow();
      assertThat(won.closed()).isTrue();
      assertThat(won.won()).isTrue();
      assertThat(v.stageById("Closed Lost").orElseThrow().won()).isFalse();
      assertThat(stages).extracting(StageVocabulary.Stage::order).isSorted();
    }
  }

  @Test
  void everyStageADealStandsInIsOneTheOrgReports() throws Exception {
    for (boolean stock : List.of(true, false)) {
      sandbox = start(stock);
      try (var c = SandboxConnections.connector(sandbox, Map.of())) {
        var v = c.stageVocabulary().orElseThrow();
        var used = new HashSet<String>();
        var cp = Checkpoint.INITIAL;
        io.salesos.spi.PullBatch batch;
        do {
          batch = c.pull(new PullRequest("Opportunity", List.of("StageName", "Probability", "IsClosed"), cp, 2_000));
          batch.records().forEach(r -> {
            var stage = (String) r.fields().get("StageName");
            used.add(stage);
            var s = v.stageById(stage).orElseThrow(() -> new AssertionError("no OpportunityStage row for " + stage));
            assertThat(Boolean.parseBoolean((String) r.fields().get("IsClosed"))).as(stage).isEqualTo(s.closed());
          });
          cp = batch.next();
        } while (batch.hasMore());
        assertThat(used).as("stock=" + stock).hasSizeGreaterThan(3);
        assertThat(used.contains("Needs Analysis")).isEqualTo(stock);
        assertThat(used.contains("Discovery")).isEqualTo(!stock);
      }
      sandbox.close();
    }
    sandbox = start(false);
  }

  private static SalesforceSandbox start(boolean stock) {
    var b = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(NOW))
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW)));
    return (stock ? b.stockOrg() : b).start();
  }
}
