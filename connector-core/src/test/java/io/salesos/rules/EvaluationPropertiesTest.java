package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of evaluate and reconcile on random deals with the default rule set. */
class EvaluationPropertiesTest {


  @Provide
  Arbitrary<DealContext> deals() {
    return TestRules.randomDeals();
  }

  private static ContextSource source(List<DealContext> deals) {
    var owners = new ArrayList<CrmRecord>();
    owners.add(TestRules.owner("U1", "M1"));
    owners.add(CrmRecord.of("M1", "name", "Manager"));
    // ids may repeat in random lists; the mirror never holds two deals with one id
    var unique = new java.util.LinkedHashMap<String, DealContext>();
    deals.forEach(d -> unique.putIfAbsent(d.id(), d));
    return InMemoryContextSource.ofDeals(List.copyOf(unique.values()), owners);
  }

  @Property(tries = 60)
  void evaluationIsDeterministic(@ForAll @Size(max = 25) List<@From("deals") DealContext> deals) {
    var evaluator = new RuleEvaluator(TestRules.defaults());
    var first = evaluator.evaluate(source(deals), TestRules.NOW);
    var reversed = new ArrayList<>(((InMemoryContextSource) source(deals)).dealList());
    java.util.Collections.reverse(reversed);
    var second = evaluator.evaluate(source(reversed), TestRules.NOW);
    assertThat(second).isEqualTo(first);
  }

  @Property(tries = 60)
  void asecondReconcileOfUnchangedDataWritesNothing(@ForAll @Size(max = 25) List<@From("deals") DealContext> deals) {
    var rules = TestRules.defaults();
    var evaluator = new RuleEvaluator(rules);
    var src = source(deals);
    var firstChanges = DesiredStateDiff.diff(evaluator.evaluate(src, TestRules.NOW), CurrentState.empty(), rules.writePolicy());
    var mirror = DesiredStateDiff.apply(CurrentState.empty(), firstChanges);

    var secondChanges = DesiredStateDiff.diff(evaluator.evaluate(src, TestRules.NOW), mirror, rules.writePolicy());

    assertThat(secondChanges).isEmpty();
  }

  @Property(tries = 60)
  void nothingOutsideTheAllowListIsEverWritten(@ForAll @Size(max = 25) List<@From("deals") DealContext> deals,
      @ForAll("policies") WritePolicy policy) {
    var desired = new RuleEvaluator(TestRules.defaults()).evaluate(source(deals), TestRules.NOW);
    for (var change : DesiredStateDiff.diff(desired, CurrentState.empty(), policy)) {
      assertThat(change.decision()).isNotEqualTo(WriteDecision.OFF);
      assertThat(change.decision()).isEqualTo(policy.decision(change.kind()));
      for (var field : change.fields().keySet()) {
        assertThat(policy.allows(change.object(), field)).as(change.object() + "." + field).isTrue();
      }
    }
  }

  @Provide
  Arbitrary<WritePolicy> policies() {
    var decision = Arbitraries.of(WriteDecision.class);
    var dealFields = Arbitraries.subsetOf("salesos_flags", "salesos_forecast_category", "amount");
    var activityFields = Arbitraries.subsetOf(RuleSetLoader.TASK_FIELDS);
    return Combinators.combine(decision, decision, decision, dealFields, activityFields)
        .as((f, fc, t, df, af) -> new WritePolicy(
            java.util.Map.of(WriteKind.FLAG, f, WriteKind.FORECAST, fc, WriteKind.TASK, t),
            java.util.Map.of("deal", df, "activity", af)));
  }

  @Property(tries = 30)
  void moneyIsSummedExactly(@ForAll @Size(min = 1, max = 25) List<@From("deals") DealContext> deals) {
    var src = source(deals);
    var desired = new RuleEvaluator(TestRules.defaults()).evaluate(src, TestRules.NOW);
    var team = desired.rollups().stream().filter(r -> r.level() == ForecastRollup.Level.TEAM).findFirst();
    team.ifPresent(r -> {
      var called = r.called().values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
      var adjusted = r.adjusted().values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
      assertThat(adjusted).isEqualByComparingTo(called);
    });
  }
}
