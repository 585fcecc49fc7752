package io.salesos.salesforce.sandbox;

import static io.salesos.salesforce.sandbox.ConformanceOrg.assertFault;
import static io.salesos.salesforce.sandbox.ConformanceOrg.column;
import static org.assertj.core.api.Assertions.assertThat;

import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.fault.ExceptionCode;
import com.sforce.soap.partner.sobject.SObject;
import com.sforce.ws.bind.XmlObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Relationship queries: child-to-parent fields by dot notation, answered as a nested parent
 * sObject (nil when the lookup is empty) and usable in WHERE and ORDER BY; parent-to-child
 * subqueries answered as a nested QueryResult per record (nil when there are no children); and
 * semi-joins. Sources: "Using Relationship Queries",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
 * and "Comparison Operators" (semi-joins),
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
 */
class SoqlRelationshipConformanceTest {

  static ConformanceOrg org;
  static PartnerConnection p;
  static String acme;
  static String globex;

  @BeforeAll
  static void seed() throws Exception {
    org = new ConformanceOrg();
    acme = org.create("Account", "Name", "Acme");
    globex = org.create("Account", "Name", "Globex");
    org.create("Contact", "LastName", "Ada", "AccountId", acme);
    org.create("Contact", "LastName", "Grace", "AccountId", acme);
    org.create("Contact", "LastName", "Orphan");
    org.create("Opportunity", "Name", "Acme renewal", "AccountId", acme, "StageName", "Prospecting",
        "CloseDate", "2026-12-01");
    org.create("Opportunity", "Name", "Globex expansion", "AccountId", globex, "StageName", "Prospecting",
        "CloseDate", "2026-12-01");
    org.create("Opportunity", "Name", "No account", "StageName", "Prospecting", "CloseDate", "2026-12-01");
    p = org.login();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  private static SObject only(String soql) throws Exception {
    var records = p.query(soql).getRecords();
    assertThat(records).hasSize(1);
    return records[0];
  }

  @Test
  void aParentFieldComesBackAsANestedParentRecord() throws Exception {
    var opp = only("SELECT Name, Account.Name FROM Opportunity WHERE Name = 'Acme renewal'");
    var account = opp.getChild("Account");
    assertThat(account).isNotNull();
    assertThat(account.getField("type")).isEqualTo("Account");
    assertThat(account.getField("Name")).isEqualTo("Acme");
  }

  @Test
  void ownerNameIsReadThroughTheOwnerLookup() throws Exception {
    var opp = only("SELECT Owner.Name, Owner.Email FROM Opportunity WHERE Name = 'Acme renewal'");
    assertThat(opp.getChild("Owner").getField("Name")).isEqualTo("Integration User");
    assertThat(opp.getChild("Owner").getField("Email")).isEqualTo(org.sandbox.username());
  }

  @Test
  void anEmptyLookupAnswersWithANilParent() throws Exception {
    var opp = only("SELECT Name, Account.Name FROM Opportunity WHERE Name = 'No account'");
    var account = opp.getChild("Account");
    assertThat(account == null || account.getValue() == null && !account.getChildren().hasNext()).isTrue();
  }

  @Test
  void aParentFieldFiltersAndOrders() throws Exception {
    assertThat(column(p, "SELECT Name FROM Opportunity WHERE Account.Name = 'globex'", "Name"))
        .containsExactly("Globex expansion");
    assertThat(column(p, "SELECT Name FROM Opportunity WHERE Account.Name != null ORDER BY Account.Name DESC",
        "Name")).containsExactly("Globex expansion", "Acme renewal");
  }

  @Test
  void aPathGoesUpMoreThanOneLevel() throws Exception {
    var contact = only("SELECT Account.Owner.Name FROM Contact WHERE LastName = 'Ada'");
    assertThat(contact.getChild("Account").getChild("Owner").getField("Name")).isEqualTo("Integration User");
  }

  @Test
  void anUnknownRelationshipIsAnInvalidField() {
    assertFault(() -> p.query("SELECT Accnt.Name FROM Opportunity"), ExceptionCode.INVALID_FIELD);
    assertFault(() -> p.query("SELECT Account.Bogus FROM Opportunity"), ExceptionCode.INVALID_FIELD);
  }

  @Test
  void aSubqueryAnswersWithTheChildrenOfEachRecord() throws Exception {
    var account = only("SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account "
        + "WHERE Name = 'Acme'");
    var contacts = account.getChild("Contacts");
    assertThat(contacts.getField("size")).isEqualTo("2");
    assertThat(contacts.getField("done")).isEqualTo("true");
    var names = new ArrayList<Object>();
    for (var it = contacts.getChildren("records"); it.hasNext(); ) {
      XmlObject r = it.next();
      names.add(r.getField("LastName"));
    }
    assertThat(names).containsExactly("Ada", "Grace");
  }

  @Test
  void aSubqueryFiltersAndLimitsTheChildren() throws Exception {
    var account = only("SELECT Name, (SELECT LastName FROM Contacts WHERE LastName LIKE 'G%' LIMIT 1) FROM Account "
        + "WHERE Name = 'Acme'");
    assertThat(account.getChild("Contacts").getField("size")).isEqualTo("1");
  }

  @Test
  void aRecordWithoutChildrenAnswersWithANilSubquery() throws Exception {
    var account = only("SELECT Name, (SELECT Id FROM Contacts) FROM Account WHERE Name = 'Globex'");
    var contacts = account.getChild("Contacts");
    assertThat(contacts == null || !contacts.getChildren("records").hasNext()).isTrue();
  }

  @Test
  void anUnknownChildRelationshipIsAnInvalidType() {
    assertFault(() -> p.query("SELECT Name, (SELECT Id FROM Contact) FROM Account"), ExceptionCode.INVALID_TYPE);
  }

  @Test
  void aSemiJoinFiltersByTheIdsOfAnotherQuery() throws Exception {
    assertThat(column(p, "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) ORDER BY Name",
        "Name")).containsExactly("Acme");
    assertThat(column(p, "SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity "
        + "WHERE Name LIKE 'Acme%') ORDER BY Name", "Name")).containsExactly("Globex");
  }

  @Test
  void aSemiJoinMustSelectAnIdField() {
    assertFault(() -> p.query("SELECT Name FROM Account WHERE Id IN (SELECT Name FROM Contact)"),
        ExceptionCode.MALFORMED_QUERY);
  }

  static List<String> names(SObject[] records) {
    var out = new ArrayList<String>();
    for (var r : records) {
      out.add(String.valueOf(r.getField("Name")));
    }
    return out;
  }
}
