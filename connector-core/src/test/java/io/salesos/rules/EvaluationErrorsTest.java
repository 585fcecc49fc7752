package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An expression that errors on a record is no verdict for it: the record gets no flag change, no
 * forecast change, no task and no visit value from that rule, the others are evaluated as usual,
 * and the error is counted per rule and record.
 */
class EvaluationErrorsTest {

  /** Negotiation deals need a next step within 14 days; next_step_date is used without has(), so it errors when empty. */
  static final String NEXT_STEP_CRITERION = """

        - id: negotiation.next_step_soon
          stages: [Negotiation]
          require: days_until(deal.next_step_date) <= 14
          flag: NEXT_STEP_FAR
          message: "Bring the next step on {{deal.name}} within two weeks."
      """;

  static RuleSet rulesWith(String exitCriteria, String followUps) {
    var files = new java.util.TreeMap<>(TestRules.defaultFiles());
    files.merge("exit-criteria.yaml", exitCriteria, String::concat);
    files.merge("follow-up.yaml", followUps, String::concat);
    return TestRules.load(files);
  }

  static String followUp(String id, String when, String key, String due) {
    return """

          - id: %s
            when: %s
        %s    task:
              subject: "Chase the next step on {{deal.name}}"
              due: %s
        """.formatted(id, when, key.isEmpty() ? "" : "    key: " + key + "\n", due);
  }

  /** Meets every default criterion, next step in 3 days. */
  static DealContext ok() {
    return new TestRules.Deal("D-OK").build();
  }

  /** Meets every default criterion, next step in 30 days: fails the added criterion. */
  static DealContext far() {
    return new TestRules.Deal("D-FAR").nextStep("Call", TestRules.inDays(30)).build();
  }

  /** No next step date: the added criterion errors on it. */
  static DealContext absent() {
    return new TestRules.Deal("D-ABSENT").nextStep("Call", null).build();
  }

  static DesiredState evaluate(RuleSet rules, DealContext... deals) {
    return new RuleEvaluator(rules).evaluate(
        InMemoryContextSource.ofDeals(List.of(deals), List.of(TestRules.owner("U1", "M1"))), TestRules.NOW);
  }

  @Test
  void aDealACriterionErrorsOnKeepsItsFlagsWhileTheOthersAreEvaluated() {
    var rules = rulesWith(NEXT_STEP_CRITERION, "");
    var desired = evaluate(rules, ok(), far(), absent());

    assertThat(desired.ruleErrors()).hasSize(1);
    var error = desired.ruleErrors().get(0);
    assertThat(error.ruleId()).isEqualTo("negotiation.next_step_soon");
    assertThat(error.subject()).isEqualTo("deal");
    assertThat(error.recordId()).isEqualTo("D-ABSENT");
    assertThat(error.message()).contains("exit-criteria.yaml:").contains("next_step_date");
    assertThat(desired.ruleErrorCounts()).containsExactly(Map.entry("negotiation.next_step_soon", 1L));
    assertThat(desired.flagsUndecided()).containsExactly("D-ABSENT");
    assertThat(desired.flagCodesKept()).containsExactly(Map.entry("D-ABSENT", new java.util.TreeSet<>(Set.of("NEXT_STEP_FAR"))));
    var far = desired.flags().stream().filter(f -> f.dealId().equals("D-FAR")).findFirst().orElseThrow();
    assertThat(far.text()).contains("NEXT_STEP_FAR: ");
    // the absent deal's other criteria were evaluated (its undated next step fails the shipped one)
    var decided = desired.flags().stream().filter(f -> f.dealId().equals("D-ABSENT")).findFirst().orElseThrow();
    assertThat(decided.text()).doesNotContain("NEXT_STEP_FAR").contains("NO_DATED_NEXT_STEP");

    // the errored criterion's line is neither cleared nor replaced; the deal's other lines follow
    // their own criteria (NO_AMOUNT no longer holds), and the other deals are reconciled
    var current = new CurrentState(Map.of("D-ABSENT", "NEXT_STEP_FAR: from last week\nNO_AMOUNT: old",
        "D-OK", "NO_AMOUNT: fixed since"), Map.of(), Set.of());
    var changes = DesiredStateDiff.diff(desired, current, rules.writePolicy());
    assertThat(changes).filteredOn(c -> c instanceof Change.FlagsChanged).extracting(c -> ((Change.FlagsChanged) c).dealId())
        .containsExactlyInAnyOrder("D-OK", "D-FAR", "D-ABSENT");
    var absent = changes.stream().filter(c -> c instanceof Change.FlagsChanged f && f.dealId().equals("D-ABSENT"))
        .map(c -> (Change.FlagsChanged) c).findFirst().orElseThrow();
    assertThat(absent.after()).contains("NEXT_STEP_FAR: from last week").doesNotContain("NO_AMOUNT")
        .contains(decided.text().split("\n"));

    // with the kept line and the decided ones there already, nothing changes on that deal
    var onlyKept = new CurrentState(Map.of("D-ABSENT", absent.after()), Map.of(), Set.of());
    assertThat(DesiredStateDiff.diff(desired, onlyKept, rules.writePolicy()))
        .noneMatch(c -> c.recordId().filter("D-ABSENT"::equals).isPresent());
  }

  @Test
  void aFollowUpWhoseConditionErrorsCreatesNoTaskForThatDealOnly() {
    var rules = rulesWith("", followUp("next_step.chase", "days_until(deal.next_step_date) <= 7", "", "add_days(now, 1)"));
    var desired = evaluate(rules, ok(), far(), absent());

    assertThat(desired.tasks()).filteredOn(t -> t.ruleId().equals("next_step.chase")).extracting(t -> t.dealId().orElseThrow())
        .containsExactly("D-OK");
    assertThat(desired.ruleErrors()).extracting(RuleError::ruleId, RuleError::recordId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("next_step.chase", "D-ABSENT"));
    assertThat(desired.ruleHits()).containsEntry("next_step.chase", 1L);
  }

  @Test
  void aFailedTaskKeyProducesNoTaskRatherThanAnEmptyKey() {
    var rules = rulesWith("", followUp("next_step.keyed", "deal.stage == 'Negotiation'", "date(deal.next_step_date)",
        "add_days(now, 1)"));
    var desired = evaluate(rules, ok(), absent());

    assertThat(desired.tasks()).filteredOn(t -> t.ruleId().equals("next_step.keyed")).extracting(t -> t.dealId().orElseThrow())
        .containsExactly("D-OK");
    assertThat(desired.ruleErrors()).singleElement().satisfies(e -> {
      assertThat(e.ruleId()).isEqualTo("next_step.keyed");
      assertThat(e.recordId()).isEqualTo("D-ABSENT");
      assertThat(e.message()).startsWith("task key: ").contains("follow-up.yaml:");
    });
  }

  @Test
  void aFailedDueDateProducesNoTaskRatherThanOneDueToday() {
    var rules = rulesWith("", followUp("next_step.due", "deal.stage == 'Negotiation'", "", "deal.next_step_date"));
    var desired = evaluate(rules, ok(), absent());

    assertThat(desired.tasks()).filteredOn(t -> t.ruleId().equals("next_step.due"))
        .singleElement().satisfies(t -> {
          assertThat(t.dealId()).contains("D-OK");
          assertThat(t.dueDate()).isEqualTo(TestRules.inDays(3));
        });
    assertThat(desired.ruleErrors()).singleElement().satisfies(e -> {
      assertThat(e.recordId()).isEqualTo("D-ABSENT");
      assertThat(e.message()).startsWith("task due date: ");
    });
  }

  @Test
  void explainShowsTheErrorOfEachRuleThatErroredOnTheDeal() {
    var rules = rulesWith(NEXT_STEP_CRITERION, followUp("next_step.chase", "days_until(deal.next_step_date) <= 7", "",
        "add_days(now, 1)"));

    var text = Explainer.explain(rules, absent(), TestRules.NOW);

    assertThat(text).containsPattern("ERROR +negotiation\\.next_step_soon: rules/exit-criteria\\.yaml:\\d+:\\d+: .*next_step_date");
    assertThat(text).containsPattern("ERROR +next_step\\.chase: rules/follow-up\\.yaml:\\d+:\\d+: .*\\(no task\\)");
    assertThat(Explainer.explain(rules, ok(), TestRules.NOW)).doesNotContain("ERROR");
  }

  @Test
  void theDryRunListsEachRuleThatErrorsWithItsCountAndAnExample() {
    var rules = rulesWith(NEXT_STEP_CRITERION, "");
    var desired = evaluate(rules, ok(), absent(), new TestRules.Deal("D-ABSENT2").nextStep("Call", null).build());

    assertThat(DryRunReport.erroredRules(desired)).containsExactly(new DryRunReport.ErroredRule("negotiation.next_step_soon", 2,
        "deal", "D-ABSENT", desired.ruleErrors().get(0).message()));
    assertThat(DryRunReport.renderErrors(desired)).contains("negotiation.next_step_soon").contains("2 records")
        .contains("e.g. deal D-ABSENT");
    assertThat(DryRunReport.renderErrors(evaluate(rules, ok()))).startsWith("no rule errored");
  }

  @Test
  void aVisitValueThatErrorsIsUnknownNotZero() {
    var files = new java.util.TreeMap<>(TestRules.defaultFiles());
    files.put("routing.yaml", files.get("routing.yaml").replaceFirst("(?s)visit_value: >-\n.*?\n\n",
        "visit_value: deal.amount * 1.0\n\n"));
    var routing = TestRules.load(files).routing().orElseThrow();

    assertThat(routing.visitValue(ok(), TestRules.NOW)).isEqualTo(new RoutingRules.VisitValue.Worth(50_000.0));
    assertThat(routing.visitValue(new TestRules.Deal("D-NOAMOUNT").amount(null).build(), TestRules.NOW))
        .isInstanceOfSatisfying(RoutingRules.VisitValue.Unknown.class, u -> assertThat(u.message()).contains("amount"));
  }
}
