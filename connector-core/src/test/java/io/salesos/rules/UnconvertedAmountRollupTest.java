package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A deal whose currency has no rate is left out of the forecast rollup: never counted 1:1, nor as 0. */
class UnconvertedAmountRollupTest {

  @Test
  void aDealInACurrencyWithNoRateIsLeftOutOfTheRollup() {
    var converted = new TestRules.Deal("D1").amount("40000.00").original("36000.00", "EUR").build();
    var noRate = new TestRules.Deal("D2").amount(null).original("1000.00", "GBP").build();
    var asGiven = new TestRules.Deal("D3").amount("5000.00").build();
    var source = InMemoryContextSource.ofDeals(List.of(converted, noRate, asGiven),
        List.of(TestRules.owner("U1", "M1"), CrmRecord.of("M1", "name", "Manager")));

    var state = new RuleEvaluator(TestRules.defaults()).evaluate(source, TestRules.NOW);

    var rep = state.rollups().stream().filter(r -> r.level() == ForecastRollup.Level.REP && r.id().equals("U1"))
        .findFirst().orElseThrow();
    assertThat(rep.deals()).isEqualTo(2);
    var called = rep.called().values().stream().reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
    assertThat(called).isEqualByComparingTo("45000.00");
  }
}
