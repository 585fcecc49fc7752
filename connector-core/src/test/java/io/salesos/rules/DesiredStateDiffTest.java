package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesiredStateDiffTest {

  private final RuleSet rules = TestRules.defaults();

  private DesiredState evaluate(DealContext... deals) {
    return new RuleEvaluator(rules).evaluate(InMemoryContextSource.ofDeals(List.of(deals), List.of()), TestRules.NOW);
  }

  @Test
  void aNewFlagIsWrittenOnceAndTaggedWithThePolicyDecision() {
    var desired = evaluate(new TestRules.Deal("D1").map(null).build());
    var changes = DesiredStateDiff.diff(desired, CurrentState.empty(), rules.writePolicy());
    assertThat(changes).hasSize(1);
    var c = (Change.FlagsChanged) changes.get(0);
    assertThat(c.after()).startsWith("NO_MUTUAL_ACTION_PLAN: ");
    assertThat(c.kind()).isEqualTo(WriteKind.FLAG);
    assertThat(c.decision()).isEqualTo(WriteDecision.AUTO);
    assertThat(c.key()).hasSize(32);

    var again = DesiredStateDiff.diff(desired, DesiredStateDiff.apply(CurrentState.empty(), changes), rules.writePolicy());
    assertThat(again).isEmpty();
  }

  @Test
  void aFlagWhoseCauseIsFixedIsCleared() {
    var before = new CurrentState(Map.of("D1", "NO_MUTUAL_ACTION_PLAN: Link the plan."), Map.of(), Set.of());
    var changes = DesiredStateDiff.diff(evaluate(new TestRules.Deal("D1").build()), before, rules.writePolicy());
    assertThat(changes).singleElement().isEqualTo(
        new Change.FlagsChanged("D1", "NO_MUTUAL_ACTION_PLAN: Link the plan.", "", WriteDecision.AUTO));
  }

  @Test
  void aDowngradedForecastIsADraftAndIsWithdrawnWhenTheEvidenceReturns() {
    var stale = evaluate(new TestRules.Deal("D1").lastVisit(60, true).build());
    var changes = DesiredStateDiff.diff(stale, CurrentState.empty(), rules.writePolicy());
    assertThat(changes).filteredOn(c -> c instanceof Change.ForecastCategoryChanged).singleElement()
        .satisfies(c -> {
          assertThat(c.decision()).isEqualTo(WriteDecision.DRAFT);
          assertThat(c.fields()).containsEntry("salesos_forecast_category", "Pipeline");
        });
    var mirror = DesiredStateDiff.apply(CurrentState.empty(), changes);
    var fixed = DesiredStateDiff.diff(evaluate(new TestRules.Deal("D1").build()), mirror, rules.writePolicy());
    assertThat(fixed).extracting(Change::fields)
        .containsExactlyInAnyOrder(Map.of("salesos_flags", ""), Map.of("salesos_forecast_category", ""));
  }

  /** A stall task salesos wrote for D1, open, as the journal says it was written; {@code untouched} as the mirror shows. */
  private static CurrentState withOpenStallTask(boolean untouched) {
    var task = new CurrentState.OpenTask("k-stall-D1", "Task", "00T1", java.util.Optional.of("stall.stage"), untouched,
        Map.of("status", "planned", "subject", "Stalled 60 days in Qualification: D1"), "Agree a dated next step.");
    return new CurrentState(Map.of(), Map.of(), Set.of("k-stall-D1"), List.of(task));
  }

  @Test
  void anUntouchedTaskWhoseRuleNoLongerConcludesItIsClosedWithTheReason() {
    var moved = evaluate(new TestRules.Deal("D1").build());
    var changes = DesiredStateDiff.diff(moved, withOpenStallTask(true), rules.writePolicy(), rules.taskRuleIds());
    assertThat(changes).filteredOn(c -> c instanceof Change.WithdrawTask).singleElement().satisfies(c -> {
      var w = (Change.WithdrawTask) c;
      assertThat(w.kind()).isEqualTo(WriteKind.WITHDRAW);
      assertThat(w.mode()).isEqualTo(TaskWithdrawal.CLOSE);
      assertThat(w.recordId()).hasValue("00T1");
      assertThat(w.fields()).containsEntry("status", "completed");
      assertThat(w.fields().get("body").toString()).startsWith("Agree a dated next step.\n\nClosed by salesos on ")
          .endsWith("rule stall.stage no longer concludes this task.");
      assertThat(w.expected()).containsEntry("status", "planned");
      assertThat(w.held()).isEmpty();
    });
  }

  @Test
  void aTaskIsNotWithdrawnWhenARepTouchedItItsRuleStillHoldsIsUnknownOrErroredOrThePolicyKeepsIt() {
    var moved = evaluate(new TestRules.Deal("D1").build());
    assertThat(DesiredStateDiff.diff(moved, withOpenStallTask(false), rules.writePolicy(), rules.taskRuleIds()))
        .noneMatch(c -> c instanceof Change.WithdrawTask);
    assertThat(DesiredStateDiff.diff(moved, withOpenStallTask(true), rules.writePolicy(), Set.of("sla.lead_untouched")))
        .noneMatch(c -> c instanceof Change.WithdrawTask);
    var keep = new WritePolicy(rules.writePolicy().decisions(), rules.writePolicy().allow(), TaskWithdrawal.KEEP);
    assertThat(DesiredStateDiff.diff(moved, withOpenStallTask(true), keep, rules.taskRuleIds()))
        .noneMatch(c -> c instanceof Change.WithdrawTask);
    var errored = new DesiredState(moved.now(), moved.ruleSetVersion(), moved.evaluatedDealIds(), moved.flags(), moved.forecasts(),
        moved.tasks(), moved.rollups(), moved.ruleHits(), moved.flagCodesKept(), moved.forecastsUndecided(),
        List.of(new RuleError("stall.stage", "deal", "D9", "no such field")));
    assertThat(DesiredStateDiff.diff(errored, withOpenStallTask(true), rules.writePolicy(), rules.taskRuleIds()))
        .noneMatch(c -> c instanceof Change.WithdrawTask);
  }

  @Test
  void aWithdrawalTheAllowListForbidsIsHeldAndDeleteModeWritesNoField() {
    var moved = evaluate(new TestRules.Deal("D1").build());
    var noBody = new WritePolicy(Map.of(WriteKind.TASK, WriteDecision.AUTO),
        Map.of("activity", Set.of("subject", "owner_id", "salesos_key", "kind", "status")));
    assertThat(DesiredStateDiff.diff(moved, withOpenStallTask(true), noBody, rules.taskRuleIds()))
        .filteredOn(c -> c instanceof Change.WithdrawTask).singleElement()
        .satisfies(c -> assertThat(((Change.WithdrawTask) c).held()).hasValueSatisfying(h -> assertThat(h).contains("activity.body")));
    var delete = new WritePolicy(rules.writePolicy().decisions(), rules.writePolicy().allow(), TaskWithdrawal.DELETE);
    assertThat(DesiredStateDiff.diff(moved, withOpenStallTask(true), delete, rules.taskRuleIds()))
        .filteredOn(c -> c instanceof Change.WithdrawTask).singleElement().satisfies(c -> {
          assertThat(c.fields()).isEmpty();
          assertThat(((Change.WithdrawTask) c).held()).isEmpty();
        });
  }

  @Test
  void anExistingTaskKeyIsNotCreatedAgain() {
    var desired = evaluate(new TestRules.Deal("D1").stage("Qualification").category("Pipeline").daysInStage(60).build());
    var task = desired.tasks().stream().filter(t -> t.ruleId().equals("stall.stage")).findFirst().orElseThrow();
    var changes = DesiredStateDiff.diff(desired, new CurrentState(Map.of(), Map.of(), Set.of(task.key())), rules.writePolicy());
    assertThat(changes).noneMatch(c -> c.key().equals(task.key()));
  }

  @Test
  void taskFieldsOutsideTheAllowListAreNeverWritten() {
    var desired = evaluate(new TestRules.Deal("D1").stage("Qualification").category("Pipeline").daysInStage(60).build());
    var narrow = new WritePolicy(Map.of(WriteKind.TASK, WriteDecision.AUTO),
        Map.of("activity", Set.of("subject", "owner_id", "salesos_key", "kind")));
    var changes = DesiredStateDiff.diff(desired, CurrentState.empty(), narrow);
    assertThat(changes).isNotEmpty().allSatisfy(c -> {
      assertThat(c).isInstanceOf(Change.CreateTask.class);
      assertThat(c.fields().keySet()).isSubsetOf("subject", "owner_id", "salesos_key", "kind");
    });
  }

  @Test
  void aKindThatIsOffWritesNothing() {
    var desired = evaluate(new TestRules.Deal("D1").map(null).build());
    var off = new WritePolicy(Map.of(WriteKind.FLAG, WriteDecision.OFF),
        Map.of("deal", Set.of("salesos_flags", "salesos_forecast_category")));
    assertThat(DesiredStateDiff.diff(desired, CurrentState.empty(), off)).isEmpty();
  }
}
