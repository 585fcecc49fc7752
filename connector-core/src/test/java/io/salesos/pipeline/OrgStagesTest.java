package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.mirror.StageVocabularyStore;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.rules.DealFlags;
import io.salesos.rules.RuleVocabulary;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.StageVocabulary;
import io.salesos.spi.StageVocabulary.Stage;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules run on the org's own stages, read from its CRM: a rule may name a stage the CRM has
 * (and only such a stage), address stages by pipeline and position, and a connection whose stages
 * were never read is not evaluated.
 */
class OrgStagesTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: users
          canonical: owner
          fields: {name: name}
        - crm_object: deals
          canonical: deal
          fields: {name: name, stage: stage, pipeline: pipeline, amount: amount, close: close_date, owner: owner_id}
      """;

  /** The stages of a Salesforce org as it ships (one pipeline). */
  static StageVocabulary stockSalesforce() {
    String[] names = {"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
        "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"};
    int[] probabilities = {10, 10, 20, 50, 60, 70, 75, 90, 100, 0};
    var stages = new ArrayList<Stage>();
    for (int i = 0; i < names.length; i++) {
      stages.add(new Stage(names[i], names[i], i + 1, Optional.of(BigDecimal.valueOf(probabilities[i])),
          Optional.of(i == 8 ? "Closed" : i == 9 ? "Omitted" : "Pipeline"), i >= 8, i == 8, true));
    }
    return new StageVocabulary(List.of(new StageVocabulary.Pipeline("Opportunity", "Opportunity", stages)));
  }

  /** A HubSpot portal with two deal pipelines: stage ids on the deals, labels in the pipelines. */
  static StageVocabulary twoPipelines() {
    return new StageVocabulary(List.of(
        new StageVocabulary.Pipeline("default", "Sales Pipeline", List.of(
            stage("appointmentscheduled", "Appointment Scheduled", 0, "0.2", false),
            stage("qualifiedtobuy", "Qualified To Buy", 1, "0.4", false),
            stage("presentationscheduled", "Presentation Scheduled", 2, "0.6", false),
            stage("closedwon", "Closed Won", 3, "1.0", true))),
        new StageVocabulary.Pipeline("77", "Renewals", List.of(
            stage("101", "Renewal Due", 0, "0.3", false),
            stage("102", "Usage Review", 1, "0.5", false),
            stage("103", "Renewal Proposal", 2, "0.7", false),
            stage("104", "Negotiation", 3, "0.85", false),
            stage("105", "Renewed", 4, "1.0", true)))));
  }

  static Stage stage(String id, String label, int order, String probability, boolean closed) {
    var p = new BigDecimal(probability).multiply(BigDecimal.valueOf(100));
    return new Stage(id, label, order, Optional.of(p), Optional.empty(), closed, closed && p.compareTo(BigDecimal.valueOf(100)) == 0,
        true);
  }

  final Database db = TestDatabases.fresh();
  @TempDir
  Path rulesDir;

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aRuleWrittenAgainstNeedsAnalysisFlagsExactlyTheDealsInThatStage() throws IOException {
    var crm = crm();
    crm.stages(stockSalesforce());
    var ids = crm.save("deals", List.of(deal("Prospecting", null), deal("Needs Analysis", null), deal("Needs Analysis", null),
        deal("Value Proposition", null), deal("Negotiation/Review", null), deal("Closed Won", null)));
    rules("""
        criteria:
          - id: needs_analysis.big_enough
            stages: [Needs Analysis]
            require: has(deal.amount) && deal.amount > 1000000
            flag: TOO_SMALL
            message: "Under a million in {{deal.stage}}."
        """);
    try (var live = LiveRuleSet.watching(rulesDir, RuleVocabulary.standard())) {
      assertThat(live.current()).as("the demo stages have no Needs Analysis").isEmpty();
      assertThat(live.problems()).singleElement().satisfies(p -> assertThat(p.toString())
          .contains("exit-criteria.yaml:3:").contains("unknown stage 'Needs Analysis'"));
      var engine = pipeline(crm, live);
      engine.pull(Optional.empty());

      assertThat(live.current()).as("loaded against the stages the CRM reports").isPresent();
      var run = engine.evaluate(Optional.empty());
      assertThat(flagged(run, "TOO_SMALL")).containsExactlyInAnyOrder(ids.get(1), ids.get(2));
      assertThat(engine.stages("mem")).contains(stockSalesforce());
    }
  }

  @Test
  void aRuleByStageOrderAppliesToBothPipelinesAndStageIdsReadAsTheirLabels() throws IOException {
    var crm = crm();
    crm.stages(twoPipelines());
    var ids = crm.save("deals", List.of(deal("appointmentscheduled", "default"), deal("qualifiedtobuy", "default"),
        deal("presentationscheduled", "default"), deal("101", "77"), deal("102", "77"), deal("103", "77"),
        deal("104", "77"), deal("closedwon", "default")));
    rules("""
        criteria:
          - id: late
            stages: open
            require: deal.stage_order < 3
            flag: LATE_STAGE
            message: "{{deal.stage}} is stage {{deal.stage_order}} of {{deal.pipeline}}."
          - id: renewals_only
            stages: open
            require: deal.pipeline != 'Renewals'
            flag: IN_RENEWALS
            message: "In renewals."
          - id: usage_review
            stages: [Usage Review]
            require: deal.stage_probability > 50
            flag: USAGE_REVIEW
            message: "At {{deal.stage_probability}}%."
          - id: from_qualified
            from_stage: Qualified To Buy
            require: "false"
            flag: FROM_QUALIFIED
            message: "From Qualified To Buy on."
        """);
    try (var live = LiveRuleSet.watching(rulesDir, RuleVocabulary.standard())) {
      var engine = pipeline(crm, live);
      engine.pull(Optional.empty());
      var run = engine.evaluate(Optional.empty());

      assertThat(flagged(run, "LATE_STAGE")).as("third stage and later, in either pipeline")
          .containsExactlyInAnyOrder(ids.get(2), ids.get(5), ids.get(6));
      assertThat(flagged(run, "IN_RENEWALS")).containsExactlyInAnyOrder(ids.get(3), ids.get(4), ids.get(5), ids.get(6));
      assertThat(flagged(run, "USAGE_REVIEW")).containsExactly(ids.get(4));
      assertThat(flagged(run, "FROM_QUALIFIED")).as("from_stage follows the order of its own pipeline only")
          .containsExactlyInAnyOrder(ids.get(1), ids.get(2));
      assertThat(engine.explain(ids.get(5), Optional.empty()).orElseThrow()).contains("Renewal Proposal");
    }
  }

  @Test
  void aConnectionWhoseStagesWereNeverReadIsNotEvaluatedUntilTheyAre() throws IOException {
    var crm = crm();
    crm.stages(stockSalesforce());
    crm.stagesFail(new ConnectorException(ConnectorException.Kind.PERMANENT, "INSUFFICIENT_ACCESS on OpportunityStage"));
    crm.save("deals", List.of(deal("Needs Analysis", null)));
    rules("""
        criteria:
          - id: any
            stages: open
            require: "false"
            flag: ANY
            message: "Flagged."
        """);
    try (var live = LiveRuleSet.watching(rulesDir, RuleVocabulary.standard())) {
      var engine = pipeline(crm, live);
      engine.pull(Optional.empty());
      assertThat(engine.readiness("mem").ready()).as("the records are all mirrored").isTrue();
      assertThat(engine.evaluate(Optional.empty())).as("but the stages are not").isEmpty();
      assertThat(engine.outbox().depth()).isZero();

      crm.stagesFail(null);
      engine.readStages(Optional.empty());
      assertThat(engine.evaluate(Optional.empty())).singleElement().satisfies(r -> assertThat(r.flags()).isEqualTo(1));
    }
  }

  @Test
  void aStageTheCrmNoLongerHasTakesTheRuleSetOutOfForceUntilTheRulesAreFixed() throws IOException {
    var crm = crm();
    crm.stages(twoPipelines());
    crm.save("deals", List.of(deal("102", "77")));
    rules("""
        criteria:
          - id: usage_review
            stages: [Usage Review]
            require: "false"
            flag: USAGE_REVIEW
            message: "In review."
        """);
    try (var live = LiveRuleSet.watching(rulesDir, RuleVocabulary.standard())) {
      var engine = pipeline(crm, live);
      engine.pull(Optional.empty());
      assertThat(live.current()).isPresent();

      // an admin renames the stage in HubSpot
      var renamed = new ArrayList<>(twoPipelines().pipelines());
      var renewals = renamed.get(1);
      var stages = new ArrayList<>(renewals.stages());
      stages.set(1, stage("102", "Adoption Review", 1, "0.5", false));
      renamed.set(1, new StageVocabulary.Pipeline(renewals.id(), renewals.label(), stages));
      crm.stages(new StageVocabulary(renamed));
      engine.readStages(Optional.empty());

      assertThat(live.current()).as("checked against stages the CRM no longer has: fail closed").isEmpty();
      assertThat(live.allowList()).isEmpty();
      assertThat(live.problems()).singleElement().satisfies(p -> assertThat(p.toString())
          .contains("unknown stage 'Usage Review'").contains("Adoption Review"));
      assertThat(engine.evaluate(Optional.empty())).isEmpty();
      assertThat(new StageVocabularyStore(db, Clock.systemUTC()).latest("mem").orElseThrow().version()).isEqualTo(2);
    }
  }

  @Test
  void theMirrorKeepsANewVersionOnlyWhenTheStagesChange() {
    var store = new StageVocabularyStore(db, Clock.systemUTC());
    assertThat(store.latest("sf")).isEmpty();
    assertThat(store.record("sf", stockSalesforce()).version()).isEqualTo(1);
    assertThat(store.record("sf", stockSalesforce()).version()).isEqualTo(1);
    assertThat(store.record("hs", twoPipelines()).version()).as("per connection").isEqualTo(1);
    var changed = new ArrayList<>(stockSalesforce().pipelines().get(0).stages());
    var na = changed.get(2);
    changed.set(2, new Stage(na.id(), na.label(), na.order(), Optional.of(new BigDecimal("25")), na.forecastCategory(),
        false, false, true));
    var v2 = store.record("sf", new StageVocabulary(List.of(new StageVocabulary.Pipeline("Opportunity", "Opportunity", changed))));
    assertThat(v2.version()).isEqualTo(2);
    assertThat(store.latest("sf").orElseThrow().vocabulary().stageById("Needs Analysis").orElseThrow().probability())
        .hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("25"));
    assertThat(store.latest("hs").orElseThrow().vocabulary()).isEqualTo(twoPipelines());
  }

  // ---- fixtures

  MemoryCrm crm() {
    var crm = new MemoryCrm("mem");
    crm.save("users", List.of(Map.of("id", "u1", "name", "Trent Walsh")));
    return crm;
  }

  static Map<String, Object> deal(String stage, String pipeline) {
    var m = new java.util.HashMap<String, Object>();
    m.put("name", "Deal in " + stage);
    m.put("stage", stage);
    if (pipeline != null) {
      m.put("pipeline", pipeline);
    }
    m.put("amount", "5000");
    m.put("close", LocalDate.ofInstant(Instant.now(), ZoneOffset.UTC).plusDays(30).toString());
    m.put("owner", "u1");
    return m;
  }

  void rules(String exitCriteria) throws IOException {
    Files.writeString(rulesDir.resolve("exit-criteria.yaml"), exitCriteria);
    Files.writeString(rulesDir.resolve("write-policy.yaml"), """
        writes: {flag: auto, forecast: draft, task: auto, visit_plan: auto}
        allow:
          deal: [salesos_flags, salesos_forecast_category]
        """);
  }

  static List<String> flagged(List<io.salesos.evaluate.RulesRunner.RunResult> runs, String code) {
    var out = new TreeSet<String>();
    for (var r : runs) {
      for (DealFlags f : r.desired().flags()) {
        if (f.flags().stream().anyMatch(x -> x.code().equals(code))) {
          out.add(f.dealId());
        }
      }
    }
    return List.copyOf(out);
  }

  Pipeline pipeline(MemoryCrm crm, LiveRuleSet live) {
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    return new Pipeline(db, List.of(connection), live, ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000), Clock.systemUTC());
  }
}
