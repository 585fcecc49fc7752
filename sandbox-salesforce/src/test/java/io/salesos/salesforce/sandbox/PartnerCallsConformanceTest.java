package io.salesos.salesforce.sandbox;

import static io.salesos.salesforce.sandbox.ConformanceOrg.assertFault;
import static io.salesos.salesforce.sandbox.ConformanceOrg.column;
import static org.assertj.core.api.Assertions.assertThat;

import com.sforce.soap.partner.LeadConvert;
import com.sforce.soap.partner.MergeRequest;
import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.StatusCode;
import com.sforce.soap.partner.fault.ExceptionCode;
import com.sforce.soap.partner.sobject.SObject;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The partner SOAP calls beyond query and save, as force-wsc makes them, each answered with the
 * documented result per record (success, or errors with statusCode, message and fields).
 * Sources (SOAP API Developer Guide, Core Calls):
 * retrieve() https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_retrieve.htm
 * undelete() https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_undelete.htm
 * merge() https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm
 * convertLead() https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
 * search() https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_search.htm
 * and the SOSL FIND syntax https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm
 */
class PartnerCallsConformanceTest {

  static ConformanceOrg org;
  static PartnerConnection p;

  @BeforeAll
  static void start() throws Exception {
    org = new ConformanceOrg();
    p = org.login();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  @BeforeEach
  void clearFaults() {
    org.sandbox.faults().clear();
  }

  // ---- retrieve ----

  @Test
  void retrieveAnswersInTheOrderOfTheIdsWithNullForIdsItCannotFind() throws Exception {
    var a = org.create("Account", "Name", "Retrieve A", "Phone", "555-0100");
    var b = org.create("Account", "Name", "Retrieve B");
    var gone = org.create("Account", "Name", "Retrieve gone");
    org.sandbox.deleteAsUser(java.util.List.of(gone));
    var contact = org.create("Contact", "LastName", "Not an account");
    var result = p.retrieve("Name, Phone", "Account", new String[] {b, gone, a, contact});
    assertThat(result).hasSize(4);
    assertThat(result[0].getId()).isEqualTo(b);
    assertThat(result[0].getField("Name")).isEqualTo("Retrieve B");
    assertThat(result[1]).isNull();
    assertThat(result[2].getField("Phone")).isEqualTo("555-0100");
    assertThat(result[3]).isNull();
  }

  @Test
  void retrieveReadsParentFieldsToo() throws Exception {
    var acme = org.create("Account", "Name", "Retrieve Parent");
    var c = org.create("Contact", "LastName", "Child", "AccountId", acme);
    var result = p.retrieve("LastName, Account.Name", "Contact", new String[] {c});
    assertThat(result[0].getChild("Account").getField("Name")).isEqualTo("Retrieve Parent");
  }

  @Test
  void retrieveOfAnUnknownFieldOrTypeIsAFault() {
    assertFault(() -> p.retrieve("Bogus", "Account", new String[] {"001000000000000AAA"}),
        ExceptionCode.INVALID_FIELD);
    assertFault(() -> p.retrieve("Id", "Bogus", new String[] {"001000000000000AAA"}), ExceptionCode.INVALID_TYPE);
  }

  // ---- undelete ----

  @Test
  void undeleteBringsARecordBackFromTheRecycleBin() throws Exception {
    var id = org.create("Account", "Name", "Undelete me");
    org.sandbox.deleteAsUser(java.util.List.of(id));
    assertThat(column(p, "SELECT Id FROM Account WHERE Name = 'Undelete me'", "Id")).isEmpty();
    var results = p.undelete(new String[] {id});
    assertThat(results[0].isSuccess()).isTrue();
    assertThat(results[0].getId()).isEqualTo(id);
    assertThat(column(p, "SELECT Id FROM Account WHERE Name = 'Undelete me'", "Id")).containsExactly(id);
  }

  @Test
  void undeleteOfALiveRecordFailsForThatRecordOnly() throws Exception {
    var live = org.create("Account", "Name", "Never deleted");
    var deleted = org.create("Account", "Name", "Deleted once");
    org.sandbox.deleteAsUser(java.util.List.of(deleted));
    var results = p.undelete(new String[] {live, deleted, "garbage"});
    assertThat(results[0].isSuccess()).isFalse();
    assertThat(results[0].getErrors()[0].getStatusCode()).isEqualTo(StatusCode.UNDELETE_FAILED);
    assertThat(results[1].isSuccess()).isTrue();
    assertThat(results[2].getErrors()[0].getStatusCode()).isEqualTo(StatusCode.MALFORMED_ID);
  }

  // ---- merge ----

  @Test
  void mergeMovesChildrenToTheMasterAndDeletesTheLosers() throws Exception {
    var master = org.create("Account", "Name", "Merge master");
    var loser1 = org.create("Account", "Name", "Merge loser 1");
    var loser2 = org.create("Account", "Name", "Merge loser 2");
    var contact = org.create("Contact", "LastName", "Moves", "AccountId", loser1);
    var opp = org.create("Opportunity", "Name", "Moves too", "AccountId", loser2, "StageName", "Prospecting",
        "CloseDate", "2026-12-01");
    var request = new MergeRequest();
    var m = new SObject("Account");
    m.setId(master);
    m.setField("Phone", "555-0199");
    request.setMasterRecord(m);
    request.setRecordToMergeIds(new String[] {loser1, loser2});
    var result = p.merge(new MergeRequest[] {request})[0];
    assertThat(result.isSuccess()).isTrue();
    assertThat(result.getId()).isEqualTo(master);
    assertThat(result.getMergedRecordIds()).containsExactlyInAnyOrder(loser1, loser2);
    assertThat(result.getUpdatedRelatedIds()).contains(contact, opp);
    assertThat(column(p, "SELECT AccountId FROM Contact WHERE Id = '" + contact + "'", "AccountId"))
        .containsExactly(master);
    assertThat(column(p, "SELECT Phone FROM Account WHERE Id = '" + master + "'", "Phone"))
        .containsExactly("555-0199");
    assertThat(column(p, "SELECT Id FROM Account WHERE Id IN ('" + loser1 + "','" + loser2 + "')", "Id")).isEmpty();
    assertThat(p.queryAll("SELECT Id FROM Account WHERE IsDeleted = true AND Id = '" + loser1 + "'").getSize())
        .isEqualTo(1);
  }

  @Test
  void mergeOfAnObjectThatCannotMergeFailsWithoutChangingAnything() throws Exception {
    var a = org.create("Opportunity", "Name", "Opp A", "StageName", "Prospecting", "CloseDate", "2026-12-01");
    var b = org.create("Opportunity", "Name", "Opp B", "StageName", "Prospecting", "CloseDate", "2026-12-01");
    var request = new MergeRequest();
    var m = new SObject("Opportunity");
    m.setId(a);
    request.setMasterRecord(m);
    request.setRecordToMergeIds(new String[] {b});
    var result = p.merge(new MergeRequest[] {request})[0];
    assertThat(result.isSuccess()).isFalse();
    assertThat(result.getErrors()[0].getStatusCode()).isEqualTo(StatusCode.INVALID_TYPE);
    assertThat(column(p, "SELECT Id FROM Opportunity WHERE Id = '" + b + "'", "Id")).containsExactly(b);
  }

  @Test
  void mergeOfMoreThanTwoRecordsIntoAMasterFails() throws Exception {
    var ids = new String[4];
    for (int i = 0; i < 4; i++) {
      ids[i] = org.create("Account", "Name", "Too many " + i);
    }
    var request = new MergeRequest();
    var m = new SObject("Account");
    m.setId(ids[0]);
    request.setMasterRecord(m);
    request.setRecordToMergeIds(Arrays.copyOfRange(ids, 1, 4));
    var result = p.merge(new MergeRequest[] {request})[0];
    assertThat(result.isSuccess()).isFalse();
    assertThat(column(p, "SELECT Id FROM Account WHERE Name LIKE 'Too many%'", "Id")).hasSize(4);
  }

  // ---- convertLead ----

  @Test
  void convertLeadMakesAnAccountAContactAndAnOpportunity() throws Exception {
    var lead = org.create("Lead", "FirstName", "Lin", "LastName", "Converted", "Company", "Lead Co",
        "Email", "lin@example.com", "Status", "Working - Contacted");
    var c = new LeadConvert();
    c.setLeadId(lead);
    c.setConvertedStatus("Closed - Converted");
    var r = p.convertLead(new LeadConvert[] {c})[0];
    assertThat(r.isSuccess()).isTrue();
    assertThat(r.getLeadId()).isEqualTo(lead);
    assertThat(column(p, "SELECT Name FROM Account WHERE Id = '" + r.getAccountId() + "'", "Name"))
        .containsExactly("Lead Co");
    var contact = p.retrieve("LastName, Email, AccountId", "Contact", new String[] {r.getContactId()})[0];
    assertThat(contact.getField("Email")).isEqualTo("lin@example.com");
    assertThat(contact.getField("AccountId")).isEqualTo(r.getAccountId());
    assertThat(column(p, "SELECT AccountId FROM Opportunity WHERE Id = '" + r.getOpportunityId() + "'",
        "AccountId")).containsExactly(r.getAccountId());
    assertThat(column(p, "SELECT IsConverted FROM Lead WHERE Id = '" + lead + "'", "IsConverted"))
        .containsExactly("true");
  }

  @Test
  void convertLeadIntoAnExistingAccountWithoutAnOpportunity() throws Exception {
    var account = org.create("Account", "Name", "Existing Co");
    var lead = org.create("Lead", "LastName", "Joiner", "Company", "Existing Co");
    var c = new LeadConvert();
    c.setLeadId(lead);
    c.setAccountId(account);
    c.setDoNotCreateOpportunity(true);
    c.setConvertedStatus("Closed - Converted");
    var r = p.convertLead(new LeadConvert[] {c})[0];
    assertThat(r.isSuccess()).isTrue();
    assertThat(r.getAccountId()).isEqualTo(account);
    assertThat(r.getOpportunityId()).isNull();
    assertThat(column(p, "SELECT Id FROM Account WHERE Name = 'Existing Co'", "Id")).containsExactly(account);
  }

  @Test
  void convertLeadWithAStatusThatIsNotConvertedFailsAndCreatesNothing() throws Exception {
    var lead = org.create("Lead", "LastName", "Wrong status", "Company", "Nothing Co");
    var c = new LeadConvert();
    c.setLeadId(lead);
    c.setConvertedStatus("Working - Contacted");
    var r = p.convertLead(new LeadConvert[] {c})[0];
    assertThat(r.isSuccess()).isFalse();
    assertThat(r.getErrors()[0].getStatusCode()).isEqualTo(StatusCode.INVALID_STATUS);
    assertThat(column(p, "SELECT Id FROM Account WHERE Name = 'Nothing Co'", "Id")).isEmpty();
  }

  @Test
  void aLeadConvertsOnlyOnce() throws Exception {
    var lead = org.create("Lead", "LastName", "Twice", "Company", "Twice Co");
    var c = new LeadConvert();
    c.setLeadId(lead);
    c.setConvertedStatus("Closed - Converted");
    c.setDoNotCreateOpportunity(true);
    assertThat(p.convertLead(new LeadConvert[] {c})[0].isSuccess()).isTrue();
    var again = p.convertLead(new LeadConvert[] {c})[0];
    assertThat(again.isSuccess()).isFalse();
    assertThat(again.getErrors()[0].getStatusCode()).isEqualTo(StatusCode.CANNOT_UPDATE_CONVERTED_LEAD);
  }

  // ---- search ----

  @Test
  void searchFindsATermInAnyTextFieldOfTheObjectsReturned() throws Exception {
    var hit = org.create("Account", "Name", "Zyxwidget Holdings");
    org.create("Account", "Name", "Unrelated");
    var contact = org.create("Contact", "LastName", "Zyxwidget");
    var result = p.search("FIND {zyxwidget} IN ALL FIELDS RETURNING Account(Id, Name), Contact(Id, LastName)");
    var ids = Arrays.stream(result.getSearchRecords()).map(r -> r.getRecord().getId()).toList();
    assertThat(ids).containsExactlyInAnyOrder(hit, contact);
    var account = Arrays.stream(result.getSearchRecords()).map(r -> r.getRecord())
        .filter(r -> r.getType().equals("Account")).findFirst().orElseThrow();
    assertThat(account.getField("Name")).isEqualTo("Zyxwidget Holdings");
  }

  @Test
  void searchTakesWildcardsAndPerObjectFiltersAndLimits() throws Exception {
    org.create("Account", "Name", "Quuxtron North");
    org.create("Account", "Name", "Quuxtron South");
    var result = p.search("FIND {quux*} RETURNING Account(Name WHERE Name LIKE '%South' LIMIT 5)");
    assertThat(Arrays.stream(result.getSearchRecords()).map(r -> r.getRecord().getField("Name")))
        .containsExactly("Quuxtron South");
    var limited = p.search("FIND {quux*} RETURNING Account(Name ORDER BY Name LIMIT 1)");
    assertThat(limited.getSearchRecords()).hasSize(1);
  }

  @Test
  void aOneCharacterSearchTermIsAMalformedSearch() {
    assertFault(() -> p.search("FIND {a} RETURNING Account"), ExceptionCode.MALFORMED_SEARCH);
    assertFault(() -> p.search("SELECT Id FROM Account"), ExceptionCode.MALFORMED_SEARCH);
  }

  // ---- describeLayout ----

  @Test
  void describeLayoutAnswersThatTheSandboxDoesNotServeIt() {
    assertFault(() -> p.describeLayout("Account", null, null), ExceptionCode.INVALID_OPERATION);
  }
}
