package io.salesos.daemon.schema;

import static io.salesos.testing.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.testing.SandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Salesforce org as it ships, with none of the custom input fields the default mapping reads:
 * {@code schema verify} lists each with what salesos does without it, and {@code schema prepare
 * --inputs} creates them on request.
 */
class StockOrgSchemaTest {

  @TempDir
  Path dir;

  private SalesforceSandbox salesforce;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    salesforce = SalesforceSandbox.builder().stockOrg()
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.now().truncatedTo(ChronoUnit.DAYS)))).start();
    config = SandboxConfig.onNewSchema().salesforce(salesforce)
        .rules(stockStageRules(SandboxConfig.repository().resolve("rules"), dir.resolve("rules"))).writeInto(dir);
  }

  /**
   * The shipped rules with the demo's stage names moved onto a stock org's stages (in order), so the
   * rule files load on the stages this org reports; otherwise as shipped.
   */
  static Path stockStageRules(Path shipped, Path into) throws java.io.IOException {
    var names = new java.util.LinkedHashMap<String, String>();
    names.put("Verbal Commit", "Negotiation/Review");
    names.put("Negotiation", "Proposal/Price Quote");
    names.put("Proposal", "Value Proposition");
    names.put("Discovery", "Needs Analysis");
    Files.createDirectories(into);
    try (var files = Files.list(shipped)) {
      for (var f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        var text = Files.readString(f);
        var m = java.util.regex.Pattern.compile("\\b(Verbal Commit|Negotiation|Proposal|Discovery)\\b").matcher(text);
        var out = new StringBuilder();
        while (m.find()) {
          m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(names.get(m.group(1))));
        }
        m.appendTail(out);
        Files.writeString(into.resolve(f.getFileName()), out.toString());
      }
    }
    return into;
  }

  @AfterEach
  void stop() {
    salesforce.close();
  }

  @Test
  void verifyListsTheMissingInputsWithWhatSalesosDoesWithoutThemAndPrepareInputsCreatesThem() {
    var verify = run("schema", "verify", "--config", config.toString());
    assertThat(verify.out())
        .containsPattern("Account\\s+Opening_Hours__c\\s+account\\.opening_hours\\s+visits are planned within office hours")
        .containsPattern("User\\s+Sales_Role__c\\s+owner\\.role\\s+every record gets the mapping's default, 'rep'")
        .containsPattern("Account\\s+Tier__c\\s+account\\.tier\\s+mirrored as empty")
        .containsPattern("Opportunity\\s+Next_Step_Date__c\\s+deal\\.next_step_date\\s+mirrored as empty")
        .containsPattern("User\\s+Urban__c\\s+owner\\.urban\\s+routing judges urban or rural");
    // the fields salesos writes are listed as before, not as inputs
    assertThat(verify.out()).doesNotContainPattern("Salesos_Flags__c\\s+deal\\.salesos_flags");

    var prepare = run("schema", "prepare", "--config", config.toString(), "--inputs");
    assertThat(prepare.exit()).as(prepare.out()).isZero();

    var after = run("schema", "verify", "--config", config.toString());
    assertThat(after.exit()).as(after.out()).isZero();
    assertThat(after.out()).contains("every input field the mapping reads is in place");
  }

  @Test
  void withoutInputsPrepareLeavesTheInputsToTheAdmin() {
    assertThat(run("schema", "prepare", "--config", config.toString()).exit()).isZero();
    var after = run("schema", "verify", "--config", config.toString());
    assertThat(after.exit()).as("only inputs are missing: nothing salesos writes").isZero();
    assertThat(after.out()).contains("input field(s) the mapping reads are not in the CRM");
  }

  @Test
  void aRuleThatReadsAFieldTheOrgLacksGivesNoVerdictThereInsteadOfFlaggingEveryDeal() {
    // the fields salesos writes are created, the inputs are not: a stock org on its first day
    assertThat(run("schema", "prepare", "--config", config.toString()).exit()).isZero();
    assertThat(run("sync", "--config", config.toString(), "--once").exit()).isZero();

    var errors = run("dry-run", "--config", config.toString(), "--errors");
    assertThat(errors.exit()).isEqualTo(2);
    assertThat(errors.out()).containsPattern("dated_next_step\\s+\\d+ records.*reads deal\\.next_step_date"
        + " \\(Opportunity\\.Next_Step_Date__c\\), which this CRM lacks");
    var dryRun = run("dry-run", "--config", config.toString());
    assertThat(dryRun.out()).as("has(deal.next_step_date) is false on every deal of a stock org: no flag from it")
        .doesNotContain("NO_DATED_NEXT_STEP").doesNotContain("NO_MUTUAL_ACTION_PLAN")
        .as("rules that read only standard fields still run").contains("Commit deal with no activity for a week")
        .as("and the flags of the criteria that were evaluated are written beside the kept ones").contains("salesos_flags=");
  }
}
