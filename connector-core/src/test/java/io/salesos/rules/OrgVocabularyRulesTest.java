package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.spi.StageVocabulary;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Rule files are checked against the stages the CRMs report: a typo names the stages that exist. */
class OrgVocabularyRulesTest {

  static final String POLICY = """
      writes: {flag: auto, forecast: draft, task: auto, visit_plan: auto}
      allow:
        deal: [salesos_flags, salesos_forecast_category]
      """;

  @Test
  void aStageNoConnectionHasIsRejectedWithItsPlaceAndTheStageMeant() {
    var result = new RuleSetLoader(RuleVocabulary.standard()).load("rules", Map.of("write-policy.yaml", POLICY,
        "exit-criteria.yaml", """
            criteria:
              - id: amount
                from_stage: Negociation
                require: has(deal.amount)
                flag: NO_AMOUNT
                message: "Enter the amount."
            """));
    assertThat(result).isInstanceOf(LoadResult.Rejected.class);
    assertThat(((LoadResult.Rejected) result).problems()).singleElement().satisfies(p -> {
      assertThat(p.toString()).startsWith("rules/exit-criteria.yaml:3:17: unknown stage 'Negociation'; did you mean 'Negotiation'?");
      assertThat(p.message()).contains("open stages: Prospecting, Qualification, Discovery, Proposal, Negotiation, Verbal Commit");
    });
  }

  @Test
  void aStageNamedInAnExpressionIsCheckedAgainstTheCrmsStagesToo() {
    var vocabulary = RuleVocabulary.of(List.of(stock()), Map.of());
    var result = new RuleSetLoader(vocabulary).load("rules", Map.of("write-policy.yaml", POLICY,
        "forecast.yaml", """
            categories:
              Commit:
                - id: commit.late
                  require: deal.stage == 'Negotiation Review'
                  reason: "too early"
            """));
    assertThat(((LoadResult.Rejected) result).problems()).singleElement()
        .satisfies(p -> assertThat(p.toString()).contains("forecast.yaml:4:").contains("did you mean 'Negotiation/Review'?"));
    var ok = new RuleSetLoader(vocabulary).load("rules", Map.of("write-policy.yaml", POLICY,
        "exit-criteria.yaml", """
            criteria:
              - id: needs
                stages: [Needs Analysis, Proposal/Price Quote]
                require: deal.pipeline == 'Opportunity' && deal.stage != 'Id. Decision Makers'
                flag: X
                message: "x"
            """));
    assertThat(ok).isInstanceOf(LoadResult.Loaded.class);
  }

  @Test
  void theStockRuleSetLoadsOnAStockOrgTwoPipelinesAndTheDemoAndSharesTheUnchangedFiles() throws IOException {
    var dir = TestRules.dir().resolve("stock");
    for (var v : List.of(RuleVocabulary.of(List.of(stock()), Map.of()), RuleVocabulary.standard(),
        RuleVocabulary.of(List.of(stock(), RuleVocabulary.standardStages()), Map.of()))) {
      var r = new RuleSetLoader(v).load(dir);
      assertThat(r).as(v.openStages().toString()).isInstanceOf(LoadResult.Loaded.class);
    }
    for (var same : List.of("write-policy.yaml", "routing.yaml", "cadence.yaml")) {
      assertThat(Files.readString(dir.resolve(same))).as(same + " is the shipped one")
          .isEqualTo(Files.readString(TestRules.dir().resolve(same)));
    }
  }

  @Test
  void aDealReadsItsPlaceThroughTheStagesOfItsPipeline() {
    var facts = new StageFacts(new StageVocabulary(List.of(
        new StageVocabulary.Pipeline("default", "Sales Pipeline", List.of(
            stage("s1", "Intro", 0, 20, false), stage("s2", "Demo", 1, 60, false), stage("won", "Won", 2, 100, true))),
        new StageVocabulary.Pipeline("9", "Renewals", List.of(
            stage("r1", "Due", 0, 30, false), stage("r2", "Demo", 1, 70, false))))));
    var deal = facts.deal(CrmRecord.of("D1", "stage", "r2", "pipeline", "9", "is_closed", true));
    assertThat(deal.values()).containsEntry("stage", "Demo").containsEntry("pipeline", "Renewals")
        .containsEntry("stage_order", 2L).containsEntry("is_closed", false).containsEntry("is_won", false);
    assertThat(deal.decimal("stage_probability")).hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("70"));
    // a label shared by two pipelines is read in the deal's own pipeline
    assertThat(facts.deal(CrmRecord.of("D2", "stage", "Demo", "pipeline", "default")).decimal("stage_probability"))
        .hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("60"));
    assertThat(facts.deal(CrmRecord.of("D3", "stage", "won")).values()).containsEntry("is_won", true)
        .containsEntry("stage", "Won");
    var unknown = facts.deal(CrmRecord.of("D4", "stage", "Gone", "pipeline", "9"));
    assertThat(unknown.values()).containsEntry("stage", "Gone").containsEntry("pipeline", "Renewals")
        .doesNotContainKeys("stage_order", "stage_probability");
  }

  static StageVocabulary.Stage stage(String id, String label, int order, int probability, boolean closed) {
    return new StageVocabulary.Stage(id, label, order, Optional.of(BigDecimal.valueOf(probability)), Optional.empty(),
        closed, closed && probability == 100, true);
  }

  static StageVocabulary stock() {
    String[] names = {"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
        "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"};
    int[] probabilities = {10, 10, 20, 50, 60, 70, 75, 90, 100, 0};
    var stages = new ArrayList<StageVocabulary.Stage>();
    for (int i = 0; i < names.length; i++) {
      stages.add(stage(names[i], names[i], i + 1, probabilities[i], i >= 8));
    }
    return new StageVocabulary(List.of(new StageVocabulary.Pipeline("Opportunity", "Opportunity", stages)));
  }

  static Map<String, String> files(String... nameThenContent) {
    var m = new TreeMap<String, String>();
    for (int i = 0; i < nameThenContent.length; i += 2) {
      m.put(nameThenContent[i], nameThenContent[i + 1]);
    }
    return m;
  }
}
