package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rules check, explain and the routing rules the planner reads. */
class RulesToolsTest {

  private static String run(Path dir, int[] exit) {
    var bytes = new ByteArrayOutputStream();
    exit[0] = RulesCheck.run(dir, RuleVocabulary.standard(), new PrintStream(bytes, true, StandardCharsets.UTF_8)).exitCode();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void rulesCheckPrintsOneLineAndExitsZeroWhenAllIsWell() {
    int[] exit = new int[1];
    var out = run(TestRules.dir(), exit);
    assertThat(exit[0]).isZero();
    assertThat(out.lines()).singleElement().asString().startsWith("rules ok: 6 files, 7 exit criteria");
  }

  @Test
  void rulesCheckPrintsEveryProblemAndExitsNonZero(@TempDir Path dir) throws IOException {
    for (var e : TestRules.defaultFiles().entrySet()) {
      Files.writeString(dir.resolve(e.getKey()), e.getValue()
          .replace("from_stage: Discovery", "from_stage: Discovry")
          .replace("priority: Normal", "priority: Meh"));
    }
    int[] exit = new int[1];
    var out = run(dir, exit);
    assertThat(exit[0]).isEqualTo(1);
    assertThat(out).contains(dir.resolve("exit-criteria.yaml") + ":", "unknown stage 'Discovry'")
        .contains(dir.resolve("follow-up.yaml") + ":", "priority 'Meh'")
        .contains("problems in " + dir);
  }

  @Test
  void explainShowsEveryRulesVerdictWithTheValuesItSaw() {
    var deal = new TestRules.Deal("D7").stage("Verbal Commit").map(null).lastVisit(45, true).build();
    var text = Explainer.explain(TestRules.defaults(), deal, TestRules.NOW);
    assertThat(text).startsWith("deal D7 \"Deal D7\" stage=Verbal Commit forecast=Commit")
        .contains("PASS  amount")
        .contains("saw deal.amount=50000")
        .contains("FAIL  mutual_action_plan [NO_MUTUAL_ACTION_PLAN]")
        .contains("saw deal.mutual_action_plan=(absent)")
        .contains("forecast: called Commit, evidence supports Pipeline")
        .contains("FAIL  Commit: commit.recent_meeting (no visit or meeting in the last 14 days)")
        .containsPattern("rules/exit-criteria\\.yaml:\\d+:\\d+");
  }

  @Test
  void dryRunListsEveryWriteWithItsDecisionAndTheForecast() {
    var rules = TestRules.defaults();
    var deal = new TestRules.Deal("D9").map(null).lastVisit(60, true).build();
    var desired = new RuleEvaluator(rules).evaluate(
        InMemoryContextSource.ofDeals(java.util.List.of(deal), java.util.List.of(deal.owner())), TestRules.NOW);
    var changes = DesiredStateDiff.diff(desired, CurrentState.empty(), rules.writePolicy());
    var text = DryRunReport.render(desired, changes);
    assertThat(text).contains("1 deals evaluated, " + changes.size() + " writes")
        .contains("flag      auto  deal     D9           salesos_flags=FORECAST_NOT_SUPPORTED")
        .contains("forecast  draft deal     D9           salesos_forecast_category=Pipeline")
        .contains("task      auto  activity (new)")
        .contains("Commit 50000.00 -> 0.00;");
  }

  @Test
  void routingRulesGiveTheRepDayAndAVisitValue() {
    var routing = TestRules.defaults().routing().orElseThrow();
    var day = routing.repDay("anyone");
    assertThat(day.start()).isEqualTo(LocalTime.of(8, 0));
    assertThat(day.end()).isEqualTo(LocalTime.of(17, 0));
    assertThat(day.maxStops()).isEqualTo(8);
    assertThat(day.serviceMinutes()).isEqualTo(45);
    assertThat(routing.travel(true).minutes(10.0)).isEqualTo(10.0 * 1.4 / 30 * 60);

    var recent = new TestRules.Deal("D1").build();
    var stale = new TestRules.Deal("D2").lastVisit(200, true).build();
    // 50,000 x 80% x close within 30 days (1.5); a visit 200 days ago doubles the value
    assertThat(routing.visitValue(recent, TestRules.NOW)).isEqualTo(new RoutingRules.VisitValue.Worth(50_000 * 0.8 * 1.5));
    assertThat(routing.visitValue(stale, TestRules.NOW)).isEqualTo(new RoutingRules.VisitValue.Worth(50_000 * 0.8 * 1.5 * 2.0));
  }

  @Test
  void contextFunctionsReadNaturally() {
    var deal = new TestRules.Deal("D1").daysInStage(57).build();
    var problems = new java.util.ArrayList<RuleProblem>();
    var compiler = new RuleCompiler(RuleVocabulary.standard());
    java.util.function.Function<String, Object> eval = src -> {
      var site = new ExprSite("t", src, 0, java.util.List.of(new ExprSite.Segment(1, 1, src.length())));
      try {
        return compiler.compile(SubjectKind.DEAL, site, RuleCompiler.Want.ANY, problems)
            .eval(ContextTypes.activation(deal, TestRules.NOW), RuleFunctions.atNow(TestRules.NOW));
      } catch (Exception e) {
        throw new AssertionError(src, e);
      }
    };
    assertThat(eval.apply("days_since(deal.stage_entered_at) > 56")).isEqualTo(true);
    assertThat(eval.apply("now - deal.stage_entered_at > duration('1344h')")).isEqualTo(true);
    assertThat(eval.apply("days_until(deal.close_date)")).isEqualTo(19L);
    assertThat(eval.apply("date(end_of_quarter(now))")).isEqualTo("2026-12-31");
    assertThat(eval.apply("deal.amount > 10000 && deal.amount < 60000.5")).isEqualTo(true);
    assertThat(eval.apply("has(deal.mutual_action_plan) && !has(account.industry)")).isEqualTo(true);
    assertThat((Double) eval.apply("distance_km(41.8781, -87.6298, 42.3601, -71.0589)")).isBetween(1360.0, 1370.0);
    assertThat(eval.apply("money(deal.amount)")).isEqualTo("50,000");
    assertThat(problems).isEmpty();
  }
}
