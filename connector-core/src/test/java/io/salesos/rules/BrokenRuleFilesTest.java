package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each file under src/test/resources/rules/broken replaces one default rule file (named after
 * "--") and must be rejected with a problem at the exact file and line (and column).
 */
class BrokenRuleFilesTest {

  // one loader for all cases: building the CEL environments is the slow part, and a loader is reusable
  private static final RuleSetLoader LOADER = new RuleSetLoader(RuleVocabulary.standard());

  @ParameterizedTest(name = "{0} -> {1}:{2}:{3}")
  @CsvSource(delimiter = '|', textBlock = """
      01-yaml-bad-indent--exit-criteria.yaml            | exit-criteria.yaml | 5  | 4  | YAML: expected <block end>
      02-yaml-unclosed-quote--exit-criteria.yaml        | exit-criteria.yaml | 4  | 14 | never closed
      03-yaml-tab-indent--exit-criteria.yaml            | exit-criteria.yaml | 3  | 1  | TAB
      04-unknown-key-typo--exit-criteria.yaml           | exit-criteria.yaml | 4  | 5  | unknown key 'condtion'
      05-unknown-deal-field--exit-criteria.yaml         | exit-criteria.yaml | 5  | 38 | undefined field 'amuont'
      06-unknown-field-in-macro--exit-criteria.yaml     | exit-criteria.yaml | 6  | 13 | undefined field 'knd'
      07-type-error-compare-string--exit-criteria.yaml  | exit-criteria.yaml | 4  | 26 | no matching overload for '_>_' applied to '(double, string)'
      08-require-not-bool--exit-criteria.yaml           | exit-criteria.yaml | 4  | 14 | must give a bool
      09-unknown-stage--exit-criteria.yaml              | exit-criteria.yaml | 8  | 17 | unknown stage 'Negotation'; did you mean 'Negotiation'?
      10-closed-stage--exit-criteria.yaml               | exit-criteria.yaml | 3  | 24 | stage 'Closed Won' is closed
      11-bad-flag-code--exit-criteria.yaml              | exit-criteria.yaml | 5  | 11 | UPPER_CASE
      12-unknown-field-in-placeholder--exit-criteria.yaml | exit-criteria.yaml | 6 | 41 | undefined field 'nam'
      13-unclosed-placeholder--exit-criteria.yaml       | exit-criteria.yaml | 6  | 35 | never closed
      14-duplicate-id--exit-criteria.yaml               | exit-criteria.yaml | 7  | 9  | duplicate id 'amount'
      15-stages-and-from-stage--exit-criteria.yaml      | exit-criteria.yaml | 7  | 5  | exactly one of
      16-undeclared-variable--exit-criteria.yaml        | exit-criteria.yaml | 4  | 14 | undeclared reference to 'opportunity'
      17-cel-syntax-in-block--exit-criteria.yaml        | exit-criteria.yaml | 6  | 30 | token recognition error
      18-unknown-function--exit-criteria.yaml           | exit-criteria.yaml | 4  | 23 | undeclared reference to 'days_snce'
      19-unknown-category--forecast.yaml                | forecast.yaml      | 7  | 3  | unknown forecast category 'Comit'; did you mean 'Commit'?
      20-unknown-key-in-requirement--forecast.yaml      | forecast.yaml      | 4  | 7  | did you mean 'require'?
      21-type-error-date-vs-int--forecast.yaml          | forecast.yaml      | 5  | 32 | '(timestamp, int)'
      22-unknown-subject--follow-up.yaml                | follow-up.yaml     | 3  | 10 | unknown subject 'opportunity'
      23-due-not-timestamp--follow-up.yaml              | follow-up.yaml     | 6  | 12 | must give a timestamp
      24-bad-priority--follow-up.yaml                   | follow-up.yaml     | 7  | 17 | priority 'Urgent'
      25-deal-in-contact-rule--follow-up.yaml           | follow-up.yaml     | 6  | 53 | undeclared reference to 'deal'
      26-allow-list-violation--follow-up.yaml           | follow-up.yaml     | 8  | 9  | writes activity.check_in_lat, which write-policy.yaml does not allow
      27-unknown-activity-field--follow-up.yaml         | follow-up.yaml     | 8  | 9  | unknown activity field 'colour'
      28-max-stops-not-number--routing.yaml             | routing.yaml       | 5  | 14 | max_stops must be a whole number
      29-visit-value-not-number--routing.yaml           | routing.yaml       | 1  | 14 | must give a number
      30-flags-not-allowed--write-policy.yaml           | write-policy.yaml  | 2  | 9  | lacks deal.salesos_flags
      31-unknown-object--write-policy.yaml              | write-policy.yaml  | 7  | 3  | unknown canonical object 'opportunity'
      32-bad-decision--write-policy.yaml                | write-policy.yaml  | 4  | 9  | 'sometimes' is not a write decision
      33-file-name-typo--exit-critera.yaml              | exit-critera.yaml  | 1  | 1  | did you mean 'exit-criteria.yaml'?
      34-unknown-stage-in-expression--follow-up.yaml    | follow-up.yaml     | 4  | 37 | unknown stage 'Qualfication'; did you mean 'Qualification'?
      35-unknown-category-in-expression--forecast.yaml  | forecast.yaml      | 4  | 42 | unknown forecast category 'Comitt'
      36-days-not-a-number--cadence.yaml                | cadence.yaml       | 3  | 9  | must be a whole number, got 'weekly'
      37-account-cadence-for-calls--cadence.yaml        | cadence.yaml       | 3  | 9  | 'account' (the account's visit_every_days) is a visit cadence
      38-unknown-kind--cadence.yaml                     | cadence.yaml       | 5  | 5  | unknown key 'vist'
      """)
  void brokenFileIsRejectedAtItsFileAndLine(String broken, String file, int line, int column, String message)
      throws IOException {
    // the broken file, plus the default write policy (always required) and, for a broken write
    // policy, the default exit criteria whose flag writes it must allow
    var defaults = TestRules.defaultFiles();
    var files = new java.util.TreeMap<String, String>();
    files.put(RuleSetLoader.WRITE_POLICY, defaults.get(RuleSetLoader.WRITE_POLICY));
    files.put(RuleSetLoader.EXIT_CRITERIA, defaults.get(RuleSetLoader.EXIT_CRITERIA));
    var target = broken.substring(broken.indexOf("--") + 2);
    if (!target.equals(RuleSetLoader.WRITE_POLICY)) {
      files.remove(RuleSetLoader.EXIT_CRITERIA);
    }
    files.put(target, Files.readString(Path.of("src/test/resources/rules/broken", broken)));

    var result = LOADER.load("rules", files);

    assertThat(result).isInstanceOf(LoadResult.Rejected.class);
    var problems = ((LoadResult.Rejected) result).problems();
    assertThat(problems).hasSize(1);
    var p = problems.get(0);
    assertThat(p.file()).isEqualTo(Path.of("rules", file).toString());
    assertThat(p.line()).as(p.toString()).isEqualTo(line);
    assertThat(p.column()).as(p.toString()).isEqualTo(column);
    assertThat(p.message()).contains(message);
    assertThat(p.toString()).startsWith("rules/" + file + ":" + line + ":" + column + ": ");
  }
}
