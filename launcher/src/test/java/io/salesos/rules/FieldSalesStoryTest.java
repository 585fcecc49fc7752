package io.salesos.rules;

import io.salesos.launcher.DemoContextSource;
import io.salesos.rules.InMemoryContextSource;
import io.salesos.rules.DealContext;
import io.salesos.rules.RuleEvaluator;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo org's stories, told by the default rule files. */
class FieldSalesStoryTest {

  static DemoOrg org;
  static InMemoryContextSource source;
  static DesiredState state;
  static String padder;
  static String staller;

  @BeforeAll
  static void evaluateTheDemoOrg() {
    org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(TestRules.NOW));
    source = DemoContextSource.of(org);
    state = new RuleEvaluator(TestRules.defaults()).evaluate(source, TestRules.NOW);
    var reps = org.users().stream().filter(u -> u.role() == DemoOrg.Role.REP).toList();
    padder = reps.get(0).id();
    staller = reps.get(1).id();
  }

  /** The first rep's Verbal Commit deals on the accounts he stopped visiting (the generator's story). */
  private static List<DealContext> padderStoryDeals() {
    var storyAccounts = org.accounts().stream().filter(a -> a.ownerId().equals(padder)).limit(9)
        .map(DemoOrg.Account::id).collect(Collectors.toSet());
    return source.dealList().stream()
        .filter(d -> d.deal().string("owner_id").orElse("").equals(padder))
        .filter(d -> d.deal().string("stage").orElse("").equals("Verbal Commit"))
        .filter(d -> d.deal().string("name").orElse("").endsWith("- Fleet renewal"))
        .filter(d -> storyAccounts.contains(d.deal().string("account_id").orElse("")))
        .toList();
  }

  @Test
  void nineVerbalCommitDealsOnUnvisitedAccountsAreEachFlaggedAndDowngraded() {
    var story = padderStoryDeals();
    assertThat(story).hasSize(9);
    for (var d : story) {
      var flags = state.flags().stream().filter(f -> f.dealId().equals(d.id())).findFirst();
      assertThat(flags).as("flags of %s", d.id()).isPresent();
      assertThat(flags.get().flags()).extracting(Flag::code).contains("NO_RECENT_VISIT", "FORECAST_NOT_SUPPORTED");
      var adjusted = state.forecasts().stream().filter(f -> f.dealId().equals(d.id())).findFirst();
      assertThat(adjusted).as("forecast of %s", d.id()).isPresent();
      assertThat(adjusted.get().calledCategory()).isEqualTo("Commit");
      assertThat(adjusted.get().supportedCategory()).isNotEqualTo("Commit");
      assertThat(adjusted.get().reasons()).contains("no visit or meeting in the last 14 days");
    }
  }

  @Test
  void thePaddersEvidenceAdjustedCommitDropsBelowHisCalledCommit() {
    var rollup = state.rollups().stream()
        .filter(r -> r.level() == ForecastRollup.Level.REP && r.id().equals(padder)).findFirst().orElseThrow();
    var storyAmount = padderStoryDeals().stream()
        .filter(d -> !d.deal().instant("close_date").orElseThrow().isAfter(RuleFunctions.endOfQuarter(TestRules.NOW)))
        .map(d -> d.deal().decimal("amount").orElseThrow()).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
    assertThat(storyAmount).isPositive();
    assertThat(rollup.adjusted("Commit")).isLessThanOrEqualTo(rollup.called("Commit").subtract(storyAmount));
    var manager = org.users().stream().filter(u -> u.id().equals(padder)).findFirst().orElseThrow().managerId().orElseThrow();
    assertThat(state.rollups()).anySatisfy(r -> {
      assertThat(r.level()).isEqualTo(ForecastRollup.Level.MANAGER);
      assertThat(r.id()).isEqualTo(manager);
      assertThat(r.adjusted("Commit")).isLessThan(r.called("Commit"));
    });
    assertThat(state.rollups()).filteredOn(r -> r.level() == ForecastRollup.Level.TEAM).hasSize(1);
  }

  @Test
  void threeDealsEightWeeksInQualificationGetStallTasksForTheirOwner() {
    var storyAccounts = org.accounts().stream().filter(a -> a.ownerId().equals(staller)).skip(1).limit(3)
        .map(DemoOrg.Account::id).collect(Collectors.toSet());
    var stalled = source.dealList().stream()
        .filter(d -> d.deal().string("owner_id").orElse("").equals(staller))
        .filter(d -> storyAccounts.contains(d.deal().string("account_id").orElse("")))
        .filter(d -> d.deal().instant("stage_entered_at").orElseThrow().isBefore(TestRules.daysAgo(55)))
        .filter(d -> d.deal().string("stage").orElse("").equals("Qualification"))
        .filter(d -> d.deal().string("name").orElse("").endsWith("- Expansion"))
        .map(DealContext::id).collect(Collectors.toSet());
    assertThat(stalled).hasSize(3);
    var stallTasks = state.tasks().stream().filter(t -> t.ruleId().equals("stall.stage"))
        .filter(t -> t.dealId().map(stalled::contains).orElse(false)).toList();
    assertThat(stallTasks).hasSize(3).allSatisfy(t -> {
      assertThat(t.ownerId()).isEqualTo(staller);
      assertThat(t.subject()).startsWith("Stalled ").contains("in Qualification");
      assertThat(t.priority()).isEqualTo("High");
      assertThat(t.dueDate()).isEqualTo(TestRules.inDays(2));
    });
  }

  @Test
  void aMeetingCancelledTodayGetsAFollowUpTaskWithADraftedMessage() {
    var tasks = state.tasks().stream().filter(t -> t.ruleId().equals("meeting.cancelled_today")).toList();
    assertThat(tasks).hasSize(1);
    assertThat(tasks.get(0).ownerId()).isEqualTo(staller);
    assertThat(tasks.get(0).body()).contains("Sorry we could not meet today").contains("Best regards,");
    assertThat(tasks.get(0).accountId()).isPresent();
  }

  @Test
  void untouchedLeadsAndClosedWonDealsWithoutHandOffGetTasks() {
    var leadTasks = state.tasks().stream().filter(t -> t.ruleId().equals("sla.lead_untouched")).toList();
    assertThat(leadTasks).isNotEmpty().allSatisfy(t -> assertThat(t.contactId()).isPresent());
    for (var t : leadTasks) {
      var lead = source.contactList().stream().filter(c -> c.id().equals(t.contactId().orElseThrow())).findFirst().orElseThrow();
      assertThat(lead.activities()).noneMatch(a -> a.string("status").orElse("").equals("completed"));
    }
    assertThat(state.tasks()).anySatisfy(t -> {
      assertThat(t.ruleId()).isEqualTo("handoff.closed_won");
      assertThat(t.subject()).startsWith("Hand-off to onboarding: ");
    });
  }

  @Test
  void aDealThatMeetsItsCriteriaIsNotFlagged() {
    var good = new TestRules.Deal("D-GOOD").build();
    var result = new RuleEvaluator(TestRules.defaults())
        .evaluate(InMemoryContextSource.ofDeals(List.of(good), List.of(good.owner())), TestRules.NOW);
    assertThat(result.flags()).isEmpty();
    assertThat(result.forecasts()).isEmpty();
    assertThat(result.tasks()).isEmpty();
    assertThat(result.evaluatedDealIds()).isEqualTo(Set.of("D-GOOD"));
  }

  @Test
  void aVisitTypedInFromTheOfficeIsNotEvidence() {
    var onSite = new TestRules.Deal("D-ON").lastVisit(5, true).build();
    var typedIn = new TestRules.Deal("D-OFF").lastVisit(5, false).build();
    var result = new RuleEvaluator(TestRules.defaults())
        .evaluate(InMemoryContextSource.ofDeals(List.of(onSite, typedIn), List.of()), TestRules.NOW);
    assertThat(result.flags()).extracting(DealFlags::dealId).containsExactly("D-OFF");
    assertThat(result.flags().get(0).flags()).extracting(Flag::code).containsExactly("NO_RECENT_VISIT");
  }
}
