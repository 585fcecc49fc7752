package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The closure compiler gives the same answers as CEL's own interpreter. */
class ClosureCompilerTest {

  private static final RuleCompiler COMPILER = new RuleCompiler(RuleVocabulary.standard());

  /** Expressions beyond the default rules, exercising CEL semantics the closures must match. */
  private static final List<String> CORPUS = List.of(
      "true",
      "deal.next_step_date > now || true",
      "true || deal.next_step_date > now",
      "deal.next_step_date > now && false",
      "false && deal.next_step_date > now",
      "deal.next_step_date > now && true",
      "!has(deal.next_step_date) ? 'none' : date(deal.next_step_date)",
      "deal.amount > 10000 && deal.amount < 1e6",
      "deal.amount >= 50000",
      "deal.amount == 50000.0",
      "deal.probability / 100.0 * deal.amount",
      "days_since(deal.stage_entered_at) * 2 - 1",
      "days_until(deal.close_date) % 7",
      "-days_until(deal.close_date)",
      "now - deal.stage_entered_at > duration('1344h')",
      "deal.stage_entered_at + duration('90m') < now",
      "deal.stage in ['Negotiation', 'Verbal Commit']",
      "'Commit' in [deal.forecast_category]",
      "size(activities) + activities.size()",
      "activities.filter(a, a.kind == 'visit').size()",
      "activities.map(a, a.kind)",
      "activities.all(a, has(a.check_in_lat))",
      "activities.exists_one(a, a.kind == 'visit')",
      "activities.exists(a, distance_km(a.check_in_lat, a.check_in_lng, account.lat, account.lng) < 1.0)",
      "activities.all(a, distance_km(a.check_in_lat, a.check_in_lng, account.lat, account.lng) < 1.0)",
      "contacts.exists(c, c.is_primary && c.role.startsWith('Econ'))",
      "contacts.map(c, c.buying_role)",
      "deal.name.contains('D') && deal.name.endsWith('0') || deal.name.matches('^Deal')",
      "deal.name + ' / ' + deal.stage",
      "int(deal.amount) / 1000",
      "double(days_since(deal.stage_entered_at)) / 7.0",
      "string(days_since(deal.stage_entered_at))",
      "quarter(now) + ' ' + iso_week(now)",
      "end_of_quarter(now) > deal.close_date",
      "add_days(start_of_quarter(now), 10) < now",
      "money(deal.amount)",
      "[1, 2, 3][1] == 2",
      "stage_history.size() == 0 ? 'none' : stage_history[0].stage",
      "1 / 0 == 1 || true",
      "deal.amount / 0.0 > 1.0");

  private static List<CompiledExpr> defaultRuleExpressions() {
    var rules = TestRules.defaults();
    var out = new ArrayList<CompiledExpr>();
    for (var c : rules.exitCriteria()) {
      out.add(c.require());
      templateParts(c.message(), out);
    }
    rules.forecast().appliesTo().ifPresent(out::add);
    rules.forecast().inPeriod().ifPresent(out::add);
    rules.forecast().byCategory().values().forEach(reqs -> reqs.forEach(r -> {
      out.add(r.require());
      templateParts(r.reason(), out);
    }));
    for (var r : rules.followUps()) {
      if (r.subject() == SubjectKind.DEAL) {
        out.add(r.when());
        r.key().ifPresent(out::add);
        out.add(r.due());
        templateParts(r.title(), out);
        templateParts(r.body(), out);
      }
    }
    rules.routing().ifPresent(r -> out.add(r.visitValueExpr()));
    return out;
  }

  private static void templateParts(Template t, List<CompiledExpr> out) {
    t.parts().stream().filter(p -> p instanceof CompiledExpr).map(p -> (CompiledExpr) p).forEach(out::add);
  }

  private static CompiledExpr compile(String source) {
    var problems = new ArrayList<RuleProblem>();
    var site = new ExprSite("test", source, 0, List.of(new ExprSite.Segment(1, 1, source.length())));
    var e = COMPILER.compile(SubjectKind.DEAL, site, RuleCompiler.Want.ANY, problems);
    assertThat(problems).as(source).isEmpty();
    return e;
  }

  @Provide
  Arbitrary<DealContext> deals() {
    return TestRules.randomDeals();
  }

  @Test
  void everyDefaultRuleExpressionRunsOnClosures() {
    assertThat(defaultRuleExpressions()).isNotEmpty()
        .allSatisfy(e -> assertThat(e.fast()).as(e.source()).isPresent());
  }

  @Property(tries = 100)
  void closuresAgreeWithCelOnTheDefaultRules(@ForAll("deals") DealContext deal) {
    var act = ContextTypes.activation(deal, TestRules.NOW);
    for (var e : defaultRuleExpressions()) {
      assertSame(e, act);
    }
  }

  private static List<CompiledExpr> compiledCorpus;

  private static synchronized List<CompiledExpr> corpus() {
    if (compiledCorpus == null) {
      compiledCorpus = CORPUS.stream().map(ClosureCompilerTest::compile).toList();
    }
    return compiledCorpus;
  }

  @Property(tries = 100)
  void closuresAgreeWithCelOnTheCorpus(@ForAll("deals") DealContext deal) {
    var act = ContextTypes.activation(deal, TestRules.NOW);
    for (var e : corpus()) {
      assertSame(e, act);
    }
  }

  private static void assertSame(CompiledExpr e, Map<String, Object> act) {
    var late = RuleFunctions.atNow(TestRules.NOW);
    Object cel;
    try {
      cel = e.evalWithCel(act, late);
    } catch (Exception ex) {
      cel = "ERROR";
    }
    Object fast;
    try {
      fast = e.fast().isPresent() ? e.fast().get().eval(act) : e.evalWithCel(act, late);
    } catch (Exception ex) {
      fast = "ERROR";
    }
    if (cel instanceof List<?> l) {
      cel = List.copyOf(l);
    }
    if (fast instanceof List<?> l) {
      fast = List.copyOf(l);
    }
    assertThat(fast).as(e.source()).isEqualTo(cel);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1344h", "90m", "1.5h", "3600s", "250ms", "1h30m"})
  void durationsParseLikeCel(String text) throws Exception {
    var expected = (Duration) compile("duration('" + text + "')").evalWithCel(Map.of(), RuleFunctions.atNow(TestRules.NOW));
    assertThat(ClosureCompiler.parseDuration(text)).isEqualTo(expected);
  }
}
