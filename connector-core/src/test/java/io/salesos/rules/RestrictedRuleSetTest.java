package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rule that reads a field the CRM lacks is turned off there; the others run as written. */
class RestrictedRuleSetTest {

  private static RuleSet shipped() {
    return ((LoadResult.Loaded) new RuleSetLoader(RuleVocabulary.standard()).load(Path.of("../rules"))).ruleSet();
  }

  @Test
  void theReadsOfAnExpressionNameTheirObjectsThroughComprehensions() {
    var rules = shipped();
    var economicBuyer = rules.exitCriteria().stream().filter(c -> c.id().equals("economic_buyer")).findFirst().orElseThrow();
    assertThat(economicBuyer.require().reads()).contains("contact.buying_role", "contact.role");
    var dated = rules.exitCriteria().stream().filter(c -> c.id().equals("dated_next_step")).findFirst().orElseThrow();
    assertThat(dated.require().reads()).contains("deal.next_step", "deal.next_step_date").doesNotContain("contact.role");
  }

  @Test
  void onlyTheRulesReadingAnAbsentFieldAreOffAndTheVersionStays() {
    var rules = shipped();
    var restricted = rules.restrictedTo(Map.of("deal.next_step_date", "Opportunity.Next_Step_Date__c"));

    assertThat(restricted.off()).anySatisfy(o -> assertThat(o).startsWith("dated_next_step: reads deal.next_step_date"
        + " (Opportunity.Next_Step_Date__c)"));
    assertThat(restricted.off()).noneMatch(o -> o.startsWith("close_date"));
    assertThat(restricted.rules().version()).isEqualTo(rules.version());
    assertThat(rules.restrictedTo(Map.of()).rules()).isSameAs(rules);
  }

  @Test
  void anOffRuleGivesAnErrorVerdictNeverAFalseOne() {
    var rules = shipped().restrictedTo(Map.of("deal.next_step_date", "Opportunity.Next_Step_Date__c")).rules();
    var dated = rules.exitCriteria().stream().filter(c -> c.id().equals("dated_next_step")).findFirst().orElseThrow();
    var verdict = dated.require().verdict(Map.of("deal", Map.of("next_step", "call")), null);
    assertThat(verdict).isInstanceOf(Verdict.Error.class);
    assertThat(((Verdict.Error) verdict).message()).contains("which this CRM lacks");
  }
}
