package io.salesos.salesforce.sandbox;

import static io.salesos.salesforce.sandbox.ConformanceOrg.assertFault;
import static io.salesos.salesforce.sandbox.ConformanceOrg.column;
import static org.assertj.core.api.Assertions.assertThat;

import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.fault.ExceptionCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OFFSET skips rows up to a maximum of 2,000 (more is NUMBER_OUTSIDE_VALID_RANGE) and is not
 * allowed in a subquery; FOR VIEW and FOR REFERENCE are accepted, FOR UPDATE (an Apex lock) is
 * refused; comparison operators a field type does not take are INVALID_QUERY_FILTER_OPERATOR.
 * Sources: "OFFSET",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_offset.htm
 * "FOR VIEW" / "FOR REFERENCE" / "FOR UPDATE",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_for_view.htm
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_for_update.htm
 * and "Comparison Operators",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
 */
class SoqlClauseConformanceTest {

  static ConformanceOrg org;
  static PartnerConnection p;

  @BeforeAll
  static void seed() throws Exception {
    org = new ConformanceOrg();
    for (int i = 1; i <= 5; i++) {
      org.create("Account", "Name", "Account " + i);
    }
    p = org.login();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  @Test
  void offsetSkipsRowsAfterOrdering() throws Exception {
    assertThat(column(p, "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1", "Name"))
        .containsExactly("Account 2", "Account 3");
  }

  @Test
  void anOffsetOfTwoThousandIsAllowed() throws Exception {
    assertThat(column(p, "SELECT Name FROM Account ORDER BY Name OFFSET 2000", "Name")).isEmpty();
  }

  @Test
  void anOffsetOverTwoThousandIsNumberOutsideValidRange() {
    assertFault(() -> p.query("SELECT Name FROM Account ORDER BY Name OFFSET 2001"),
        ExceptionCode.NUMBER_OUTSIDE_VALID_RANGE);
  }

  @Test
  void anOffsetInASubqueryIsAMalformedQuery() {
    assertFault(() -> p.query("SELECT Name, (SELECT Id FROM Contacts OFFSET 1) FROM Account"),
        ExceptionCode.MALFORMED_QUERY);
  }

  @Test
  void forViewAndForReferenceAreAccepted() throws Exception {
    assertThat(column(p, "SELECT Name FROM Account ORDER BY Name LIMIT 1 FOR VIEW", "Name"))
        .containsExactly("Account 1");
    assertThat(column(p, "SELECT Name FROM Account ORDER BY Name LIMIT 1 FOR REFERENCE", "Name"))
        .containsExactly("Account 1");
  }

  @Test
  void forUpdateIsRefusedInAnApiQuery() {
    assertFault(() -> p.query("SELECT Name FROM Account LIMIT 1 FOR UPDATE"), ExceptionCode.MALFORMED_QUERY);
  }

  @Test
  void likeOnANonTextFieldIsAnInvalidFilterOperator() {
    assertFault(() -> p.query("SELECT Id FROM Account WHERE CreatedDate LIKE '2026%'"),
        ExceptionCode.INVALID_QUERY_FILTER_OPERATOR);
  }

  @Test
  void aRangeOperatorOnABooleanIsAnInvalidFilterOperator() {
    assertFault(() -> p.query("SELECT Id FROM Opportunity WHERE IsClosed > false"),
        ExceptionCode.INVALID_QUERY_FILTER_OPERATOR);
  }

  @Test
  void aMalformedIdValueIsAnInvalidFilterOperator() {
    assertFault(() -> p.query("SELECT Id FROM Account WHERE Id = 'not-an-id'"),
        ExceptionCode.INVALID_QUERY_FILTER_OPERATOR);
  }

  @Test
  void aNegativeLimitIsAMalformedQuery() {
    assertFault(() -> p.query("SELECT Id FROM Account LIMIT -1"), ExceptionCode.MALFORMED_QUERY);
  }

  @Test
  void aFieldMayBeQualifiedByItsOwnObjectName() throws Exception {
    assertThat(column(p, "SELECT Account.Name FROM Account WHERE Account.Name = 'Account 4'", "Name"))
        .containsExactly("Account 4");
  }
}
