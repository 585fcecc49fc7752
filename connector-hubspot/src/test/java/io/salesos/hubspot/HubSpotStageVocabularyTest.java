package io.salesos.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.PullRequest;
import io.salesos.spi.StageVocabulary;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The connector reads every deal pipeline of the portal with its stages, as GET /crm/v3/pipelines/deals gives them. */
class HubSpotStageVocabularyTest {

  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

  @Test
  void aStockPortalReportsBothPipelinesWithStageIdsProbabilitiesAndClosedStages() throws Exception {
    try (var sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults()).stockPortal();
        var c = TestConnections.connect(sandbox)) {
      var v = c.stageVocabulary().orElseThrow();
      assertThat(v.pipelines()).extracting(StageVocabulary.Pipeline::label).containsExactly("Sales Pipeline", "Renewals");
      var sales = v.pipelines().get(0);
      assertThat(sales.id()).isEqualTo("default");
      assertThat(sales.stages()).extracting(StageVocabulary.Stage::id).containsExactly("appointmentscheduled",
          "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost");
      var qualified = v.stageById("qualifiedtobuy").orElseThrow();
      assertThat(qualified.label()).isEqualTo("Qualified To Buy");
      assertThat(qualified.probability()).hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("40"));
      assertThat(qualified.closed()).isFalse();
      assertThat(v.stageById("closedwon").orElseThrow().won()).isTrue();
      assertThat(v.stageById("closedlost").orElseThrow().won()).isFalse();
      assertThat(v.stageById("closedlost").orElseThrow().closed()).isTrue();
      var renewals = v.pipelines().get(1);
      assertThat(renewals.stages()).extracting(StageVocabulary.Stage::label).containsExactly("Renewal Due", "Usage Review",
          "Renewal Proposal", "Negotiation", "Renewed", "Churned");
      assertThat(renewals.stages().get(4).won()).isTrue();
    }
  }

  @Test
  void aDemoOrgSeededIntoAStockPortalStandsInBothPipelinesWithoutCustomInputs() throws Exception {
    try (var sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults()).stockPortal();
        var c = TestConnections.connect(sandbox)) {
      sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW)));
      var v = c.stageVocabulary().orElseThrow();
      var perPipeline = new HashMap<String, Integer>();
      for (var batch : TestConnections.drain(c, new PullRequest("deals", List.of("dealstage", "pipeline",
          "mutual_action_plan"), Checkpoint.INITIAL, 100))) {
        for (var r : batch.records()) {
          var pipeline = (String) r.fields().get("pipeline");
          var stage = (String) r.fields().get("dealstage");
          var p = v.pipelines().stream().filter(x -> x.id().equals(pipeline)).findFirst().orElseThrow();
          assertThat(p.stages()).extracting(StageVocabulary.Stage::id).as(pipeline).contains(stage);
          assertThat(r.fields().get("mutual_action_plan")).isNull();
          perPipeline.merge(p.label(), 1, Integer::sum);
        }
      }
      assertThat(perPipeline).containsOnlyKeys("Sales Pipeline", "Renewals");
      assertThatThrownBy(sandbox::stockPortal).hasMessageContaining("before seeding");
    }
  }
}
