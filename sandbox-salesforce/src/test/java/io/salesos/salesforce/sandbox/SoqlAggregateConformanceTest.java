package io.salesos.salesforce.sandbox;

import static io.salesos.salesforce.sandbox.ConformanceOrg.assertFault;
import static org.assertj.core.api.Assertions.assertThat;

import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.fault.ExceptionCode;
import com.sforce.soap.partner.sobject.SObject;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Aggregate functions answer with AggregateResult records whose unaliased columns are expr0,
 * expr1... in SELECT order; GROUP BY folds rows per value, HAVING filters the groups, ORDER BY and
 * LIMIT apply to groups; a field neither grouped nor aggregated is a malformed query. Sources:
 * "Aggregate Functions",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_agg_functions.htm
 * "GROUP BY",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_groupby.htm
 * and "HAVING",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_having.htm
 */
class SoqlAggregateConformanceTest {

  static ConformanceOrg org;
  static PartnerConnection p;

  @BeforeAll
  static void seed() throws Exception {
    org = new ConformanceOrg();
    var acme = org.create("Account", "Name", "Acme");
    org.create("Opportunity", "Name", "A", "AccountId", acme, "StageName", "Prospecting", "CloseDate", "2026-12-01",
        "Amount", "1000");
    org.create("Opportunity", "Name", "B", "AccountId", acme, "StageName", "Prospecting", "CloseDate", "2026-12-05",
        "Amount", "3000");
    org.create("Opportunity", "Name", "C", "StageName", "Proposal", "CloseDate", "2027-01-10", "Amount", "500");
    org.create("Opportunity", "Name", "D", "StageName", "Negotiation", "CloseDate", "2027-02-01");
    p = org.login();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  private static BigDecimal num(SObject r, String field) {
    return new BigDecimal(String.valueOf(r.getField(field)));
  }

  @Test
  void anAggregateWithoutGroupByAnswersWithOneAggregateResult() throws Exception {
    var records = p.query("SELECT COUNT(Id), SUM(Amount), MIN(CloseDate), MAX(Amount), AVG(Amount) "
        + "FROM Opportunity").getRecords();
    assertThat(records).hasSize(1);
    var r = records[0];
    assertThat(r.getType()).isEqualTo("AggregateResult");
    assertThat(num(r, "expr0")).isEqualByComparingTo("4");
    assertThat(num(r, "expr1")).isEqualByComparingTo("4500");
    // MIN of a date field is typed xsd:date, which force-wsc reads as a java.util.Date at UTC midnight
    assertThat(r.getField("expr2")).isInstanceOfSatisfying(java.util.Date.class,
        d -> assertThat(d.toInstant()).isEqualTo(java.time.Instant.parse("2026-12-01T00:00:00Z")));
    assertThat(num(r, "expr3")).isEqualByComparingTo("3000");
    assertThat(num(r, "expr4")).isEqualByComparingTo("1500");
  }

  @Test
  void countOfAFieldSkipsNullsAndCountDistinctCountsValues() throws Exception {
    var r = p.query("SELECT COUNT(Amount), COUNT_DISTINCT(StageName), COUNT(AccountId) FROM Opportunity")
        .getRecords()[0];
    assertThat(num(r, "expr0")).isEqualByComparingTo("3");
    assertThat(num(r, "expr1")).isEqualByComparingTo("3");
    assertThat(num(r, "expr2")).isEqualByComparingTo("2");
  }

  @Test
  void groupByAnswersWithOneRowPerValueNamedByTheField() throws Exception {
    var records = p.query("SELECT StageName, COUNT(Id) n, SUM(Amount) FROM Opportunity GROUP BY StageName "
        + "ORDER BY StageName").getRecords();
    Map<String, String> byStage = new LinkedHashMap<>();
    for (var r : records) {
      byStage.put(String.valueOf(r.getField("StageName")), num(r, "n") + "/" + r.getField("expr0"));
    }
    assertThat(byStage.keySet()).containsExactly("Negotiation", "Proposal", "Prospecting");
    assertThat(num(records[2], "n")).isEqualByComparingTo("2");
    assertThat(num(records[2], "expr0")).isEqualByComparingTo("4000");
    assertThat(records[0].getField("expr0")).isNull();
  }

  @Test
  void havingFiltersGroupsAndOrderByAnAggregateSortsThem() throws Exception {
    var records = p.query("SELECT StageName, SUM(Amount) total FROM Opportunity GROUP BY StageName "
        + "HAVING SUM(Amount) > 100 ORDER BY SUM(Amount) DESC").getRecords();
    assertThat(records).extracting(r -> r.getField("StageName")).containsExactly("Prospecting", "Proposal");
    assertThat(p.query("SELECT StageName FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1")
        .getRecords()).extracting(r -> r.getField("StageName")).containsExactly("Prospecting");
  }

  @Test
  void limitAppliesToGroups() throws Exception {
    assertThat(p.query("SELECT StageName FROM Opportunity GROUP BY StageName ORDER BY StageName LIMIT 2")
        .getRecords()).hasSize(2);
  }

  @Test
  void groupingByAParentFieldNamesTheColumnByTheField() throws Exception {
    var records = p.query("SELECT Account.Name, COUNT(Id) FROM Opportunity WHERE AccountId != null "
        + "GROUP BY Account.Name").getRecords();
    assertThat(records).hasSize(1);
    assertThat(records[0].getField("Name")).isEqualTo("Acme");
    assertThat(num(records[0], "expr0")).isEqualByComparingTo("2");
  }

  @Test
  void aFieldNeitherGroupedNorAggregatedIsAMalformedQuery() {
    assertFault(() -> p.query("SELECT Name, COUNT(Id) FROM Opportunity GROUP BY StageName"),
        ExceptionCode.MALFORMED_QUERY);
  }

  @Test
  void aFieldThatCannotBeGroupedIsAnInvalidField() {
    assertFault(() -> p.query("SELECT Amount FROM Opportunity GROUP BY Amount"), ExceptionCode.INVALID_FIELD);
  }

  @Test
  void sumOfATextFieldIsAMalformedQuery() {
    assertFault(() -> p.query("SELECT SUM(Name) FROM Opportunity"), ExceptionCode.MALFORMED_QUERY);
  }

  @Test
  void countWithoutAFieldStillAnswersWithTheSizeOnly() throws Exception {
    var r = p.query("SELECT COUNT() FROM Opportunity WHERE StageName = 'Prospecting'");
    assertThat(r.getSize()).isEqualTo(2);
    assertThat(r.getRecords()).isEmpty();
  }
}
