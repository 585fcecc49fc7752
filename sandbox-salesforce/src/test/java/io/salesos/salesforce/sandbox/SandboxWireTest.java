package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sforce.async.BatchStateEnum;
import com.sforce.async.BulkConnection;
import com.sforce.async.ContentType;
import com.sforce.async.JobInfo;
import com.sforce.async.OperationEnum;
import com.sforce.soap.partner.Connector;
import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.fault.ApiFault;
import com.sforce.soap.partner.fault.ExceptionCode;
import com.sforce.soap.partner.fault.LoginFault;
import com.sforce.soap.partner.sobject.SObject;
import com.sforce.ws.ConnectorConfig;
import io.salesos.demo.DemoOrgGenerator;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox as any force-wsc client sees it: SOAP login, partner calls and Bulk query jobs. */
class SandboxWireTest {

  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
  static SalesforceSandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(NOW))
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW))).start();
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @BeforeEach
  void clearFaults() {
    sandbox.faults().clear().resetUsage().dailyLimit(100_000);
  }

  static PartnerConnection login() throws Exception {
    var config = new ConnectorConfig();
    config.setUsername(sandbox.username());
    config.setPassword(sandbox.password());
    config.setAuthEndpoint(sandbox.loginUrl());
    return Connector.newConnection(config);
  }

  @Test
  void soapLoginPointsTheClientBackAtTheSandbox() throws Exception {
    var p = login();
    assertThat(p.getConfig().getServiceEndpoint()).startsWith(sandbox.baseUrl() + "/services/Soap/u/65.0/00D");
    assertThat(p.getUserInfo().getUserName()).isEqualTo(sandbox.username());
  }

  @Test
  void getUserInfoNamesTheOrgsCurrencyOnlyWhenItHasOne() throws Exception {
    var info = login().getUserInfo();
    assertThat(info.getOrganizationMultiCurrency()).isFalse();
    assertThat(info.getOrgDefaultCurrencyIsoCode()).isEqualTo("USD");
    assertThat(info.getCurrencySymbol()).isEqualTo("$");
    assertThat(info.getUserDefaultCurrencyIsoCode()).isNull();

    try (var multi = SalesforceSandbox.builder().multiCurrency("EUR", java.util.Map.of("USD", new java.math.BigDecimal("1.1")))
        .start()) {
      var config = new ConnectorConfig();
      config.setUsername(multi.username());
      config.setPassword(multi.password());
      config.setAuthEndpoint(multi.loginUrl());
      var m = Connector.newConnection(config).getUserInfo();
      assertThat(m.getOrganizationMultiCurrency()).isTrue();
      assertThat(m.getOrgDefaultCurrencyIsoCode()).as("set only in a single-currency org").isNull();
      assertThat(m.getUserDefaultCurrencyIsoCode()).isEqualTo("EUR");
    }
  }

  @Test
  void aWrongPasswordGetsTheRealLoginFault() {
    var config = new ConnectorConfig();
    config.setUsername(sandbox.username());
    config.setPassword("wrong");
    config.setAuthEndpoint(sandbox.loginUrl());
    assertThatThrownBy(() -> Connector.newConnection(config)).isInstanceOfSatisfying(LoginFault.class,
        f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.INVALID_LOGIN));
  }

  @Test
  void demoSeedBecomesSalesforceRecordsWithRealKeyPrefixes() throws Exception {
    var p = login();
    var opp = p.query("SELECT Id, StageName, IsClosed, Probability, ForecastCategoryName FROM Opportunity LIMIT 1")
        .getRecords()[0];
    assertThat(opp.getId()).startsWith("006").hasSize(18);
    assertThat(p.query("SELECT COUNT() FROM Lead").getSize()).isPositive();
    assertThat(p.query("SELECT COUNT() FROM OpportunityHistory").getSize()).isPositive();
    assertThat(p.query("SELECT COUNT() FROM OpportunityContactRole").getSize()).isPositive();
    assertThat(p.query("SELECT COUNT() FROM Event WHERE Type = 'Visit'").getSize()).isPositive();
    assertThat(p.query("SELECT COUNT() FROM Task WHERE Type IN ('Call', 'Email')").getSize()).isPositive();
    var user = p.query("SELECT Id, Sales_Role__c, ManagerId FROM User WHERE Sales_Role__c = 'Rep' LIMIT 1")
        .getRecords()[0];
    assertThat(user.getId()).startsWith("005");
    assertThat((String) user.getField("ManagerId")).startsWith("005");
  }

  @Test
  void queryPagesByTheBatchSizeAndLocatorsAreSingleUse() throws Exception {
    for (int i = 0; i < 450; i++) {
      sandbox.createAsUser("Task", Map.of("Subject", "paged " + i));
    }
    var p = login();
    p.setQueryOptions(200);
    var first = p.query("SELECT Id, Subject FROM Task ORDER BY Id");
    assertThat(first.isDone()).isFalse();
    assertThat(first.getRecords()).hasSize(200);
    var ids = new HashSet<String>();
    for (var r : first.getRecords()) {
      ids.add(r.getId());
    }
    var second = p.queryMore(first.getQueryLocator());
    for (var r : second.getRecords()) {
      ids.add(r.getId());
    }
    assertThat(ids).hasSize(200 + second.getRecords().length);
    assertThatThrownBy(() -> p.queryMore(first.getQueryLocator())).isInstanceOfSatisfying(ApiFault.class,
        f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.INVALID_QUERY_LOCATOR));
  }

  @Test
  void idleQueryLocatorsExpire() throws Exception {
    var p = login();
    p.setQueryOptions(200);
    var first = p.query("SELECT Id FROM Task");
    sandbox.clock().advance(Duration.ofMinutes(16));
    try {
      assertThatThrownBy(() -> p.queryMore(first.getQueryLocator())).isInstanceOfSatisfying(ApiFault.class,
          f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.INVALID_QUERY_LOCATOR));
    } finally {
      sandbox.clock().set(NOW);
    }
  }

  @Test
  void badQueriesGetMalformedQueryAndInvalidFieldFaults() throws Exception {
    var p = login();
    assertThatThrownBy(() -> p.query("SELECT Id FROM Opportunity WHERE")).isInstanceOfSatisfying(ApiFault.class,
        f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.MALFORMED_QUERY));
    assertThatThrownBy(() -> p.query("SELECT Bogus__c FROM Opportunity")).isInstanceOfSatisfying(ApiFault.class,
        f -> {
          assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.INVALID_FIELD);
          assertThat(f.getExceptionMessage()).contains("No such column 'Bogus__c'");
        });
    assertThatThrownBy(() -> p.query("SELECT Id FROM Bogus__c")).isInstanceOfSatisfying(ApiFault.class,
        f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.INVALID_TYPE));
  }

  @Test
  void describeShowsCustomFieldsAndTheExternalId() throws Exception {
    var p = login();
    var names = List.of(p.describeGlobal().getSobjects()).stream().map(o -> o.getName()).toList();
    assertThat(names).contains("Account", "Contact", "Opportunity", "OpportunityContactRole", "OpportunityHistory",
        "Task", "Event", "User", "Lead");
    var event = p.describeSObject("Event");
    var key = List.of(event.getFields()).stream().filter(f -> f.getName().equals("Salesos_Key__c")).findFirst()
        .orElseThrow();
    assertThat(key.isExternalId()).isTrue();
    assertThat(key.isCustom()).isTrue();
    assertThat(List.of(event.getFields()).stream().map(f -> f.getName())).contains("Status__c", "Check_In_Latitude__c");
  }

  @Test
  void oneSaveSharesOneStampAndStageDrivesDerivedFieldsAndHistory() throws Exception {
    var p = login();
    var accountId = p.query("SELECT Id FROM Account LIMIT 1").getRecords()[0].getId();
    var records = new SObject[3];
    for (int i = 0; i < 3; i++) {
      var o = new SObject("Opportunity");
      o.setField("Name", "Wire " + i);
      o.setField("AccountId", accountId);
      o.setField("StageName", "Proposal");
      o.setField("CloseDate", "2027-01-15");
      o.setField("Amount", "12000");
      records[i] = o;
    }
    var saved = p.create(records);
    assertThat(saved).allMatch(r -> r.isSuccess());
    var ids = List.of(saved).stream().map(r -> "'" + r.getId() + "'").toList();
    var rows = p.query("SELECT Id, SystemModstamp, IsClosed, Probability, ForecastCategoryName FROM Opportunity WHERE Id IN ("
        + String.join(",", ids) + ")").getRecords();
    assertThat(List.of(rows).stream().map(r -> r.getField("SystemModstamp")).distinct()).hasSize(1);
    assertThat(rows[0].getField("Probability")).isEqualTo("60");
    assertThat(rows[0].getField("ForecastCategoryName")).isEqualTo("Best Case");

    var won = new SObject("Opportunity");
    won.setId(saved[0].getId());
    won.setField("StageName", "Closed Won");
    p.update(new SObject[] {won});
    var after = p.query("SELECT IsClosed, IsWon, Probability FROM Opportunity WHERE Id = '" + saved[0].getId() + "'")
        .getRecords()[0];
    assertThat(after.getField("IsWon")).isEqualTo("true");
    assertThat(p.query("SELECT COUNT() FROM OpportunityHistory WHERE OpportunityId = '" + saved[0].getId() + "'")
        .getSize()).isEqualTo(2);
  }

  @Test
  void formulaFieldsChangeWithoutMovingTheStamp() throws Exception {
    var p = login();
    var soql = "SELECT Id, SystemModstamp, Days_Open__c FROM Opportunity ORDER BY Id LIMIT 1";
    var before = p.query(soql).getRecords()[0];
    sandbox.clock().advance(Duration.ofDays(3));
    try {
      // three days idle outlive the 2-hour session, as they would in Salesforce
      var after = login().query(soql).getRecords()[0];
      assertThat(after.getField("SystemModstamp")).isEqualTo(before.getField("SystemModstamp"));
      assertThat(Double.parseDouble((String) after.getField("Days_Open__c")))
          .isEqualTo(Double.parseDouble((String) before.getField("Days_Open__c")) + 3);
    } finally {
      sandbox.clock().set(NOW);
    }
  }

  @Test
  void moreThan200RecordsInOneCallIsAFaultAndAllOrNoneRollsBack() throws Exception {
    var p = login();
    var many = new SObject[201];
    for (int i = 0; i < many.length; i++) {
      many[i] = new SObject("Task");
      many[i].setField("Subject", "t" + i);
    }
    assertThatThrownBy(() -> p.create(many)).isInstanceOf(ApiFault.class);
    int before = sandbox.count("Task");
    var good = new SObject("Task");
    good.setField("Subject", "fine");
    var bad = new SObject("Task");
    bad.setField("NoSuchField__c", "x");
    p.setAllOrNoneHeader(true);
    var results = p.create(new SObject[] {good, bad});
    p.clearAllOrNoneHeader();
    assertThat(results[0].isSuccess()).isFalse();
    assertThat(results[0].getErrors()[0].getStatusCode().toString()).isEqualTo("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assertThat(results[1].getErrors()[0].getStatusCode().toString()).isEqualTo("INVALID_FIELD");
    assertThat(sandbox.count("Task")).isEqualTo(before);
  }

  @Test
  void getUpdatedAndGetDeletedCoverTheirWindow() throws Exception {
    var p = login();
    var id = sandbox.createAsUser("Task", Map.of("Subject", "replicate me"));
    var gone = sandbox.createAsUser("Task", Map.of("Subject", "delete me"));
    sandbox.deleteAsUser(List.of(gone));
    var start = cal(NOW.minus(Duration.ofMinutes(5)));
    var end = cal(NOW.plus(Duration.ofMinutes(5)));
    sandbox.clock().advance(Duration.ofMinutes(10));
    try {
      assertThat(p.getUpdated("Task", start, end).getIds()).contains(id).doesNotContain(gone);
      assertThat(List.of(p.getDeleted("Task", start, end).getDeletedRecords()).stream().map(d -> d.getId()))
          .containsExactly(gone);
      assertThat(p.queryAll("SELECT Id FROM Task WHERE IsDeleted = true").getSize()).isEqualTo(1);
      assertThat(p.query("SELECT COUNT() FROM Task WHERE Id = '" + gone + "'").getSize()).isZero();
      sandbox.faults().idLimit(0);
      assertThatThrownBy(() -> p.getUpdated("Task", start, end)).isInstanceOfSatisfying(ApiFault.class,
          f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.EXCEEDED_ID_LIMIT));
    } finally {
      sandbox.clock().set(NOW);
    }
  }

  @Test
  void everyResponseCarriesTheLimitInfoHeaderAndTheLimitIsEnforced() throws Exception {
    var p = login();
    p.getServerTimestamp();
    var info = p.getLimitInfoHeader().getLimitInfo()[0];
    assertThat(info.getType()).isEqualTo("API REQUESTS");
    assertThat(info.getCurrent()).isEqualTo((int) sandbox.faults().requestsUsed());
    sandbox.faults().dailyLimit(sandbox.faults().requestsUsed());
    assertThatThrownBy(p::getServerTimestamp).isInstanceOfSatisfying(ApiFault.class,
        f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.REQUEST_LIMIT_EXCEEDED));
  }

  @Test
  void expiredSessionsGetInvalidSessionId() throws Exception {
    var p = login();
    sandbox.faults().expireSessions();
    assertThatThrownBy(p::getServerTimestamp).isInstanceOfSatisfying(ApiFault.class,
        f -> assertThat(f.getExceptionCode()).isEqualTo(ExceptionCode.INVALID_SESSION_ID));
  }

  @Test
  void bulkConnectionRunsAQueryJob() throws Exception {
    var p = login();
    var config = new ConnectorConfig();
    config.setSessionId(p.getConfig().getSessionId());
    config.setRestEndpoint(sandbox.baseUrl() + "/services/async/65.0");
    var bulk = new BulkConnection(config);
    var job = new JobInfo();
    job.setObject("Account");
    job.setOperation(OperationEnum.query);
    job.setContentType(ContentType.CSV);
    job = bulk.createJob(job);
    var batch = bulk.createBatchFromStream(job,
        new ByteArrayInputStream("SELECT Id, Name FROM Account".getBytes(StandardCharsets.UTF_8)));
    batch = bulk.getBatchInfo(job.getId(), batch.getId());
    assertThat(batch.getState()).isEqualTo(BatchStateEnum.Completed);
    var results = bulk.getQueryResultList(job.getId(), batch.getId()).getResult();
    var csv = new String(bulk.getQueryResultStream(job.getId(), batch.getId(), results[0]).readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(csv.lines().count()).isEqualTo(sandbox.count("Account") + 1L);
    assertThat(csv).startsWith("\"Id\",\"Name\"");
    assertThat(bulk.closeJob(job.getId()).getState().toString()).isEqualTo("Closed");
  }

  @Test
  void aSoapRequestWithAnExternalEntityIsRefusedWithAFaultAndNeverReadsTheFile(@TempDir Path dir) throws Exception {
    var secret = secretFile(dir);
    // a query echoes its SOQL in faults, so a parser that expanded the entity would hand the file back
    var envelope = doctype(secret) + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns:urn=\"urn:partner.soap.sforce.com\"><soapenv:Header><urn:SessionHeader><urn:sessionId>"
        + login().getConfig().getSessionId() + "</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body>"
        + "<urn:query><urn:queryString>SELECT Id FROM &xxe;</urn:queryString></urn:query></soapenv:Body></soapenv:Envelope>";
    var answer = post(sandbox.loginUrl(), envelope, Map.of("SOAPAction", "query"));
    assertThat(answer.statusCode()).isEqualTo(500);
    assertThat(answer.body()).contains("<soapenv:Fault>", "<faultcode>sf:UNKNOWN_EXCEPTION</faultcode>", "DOCTYPE")
        .doesNotContain(Files.readString(secret));
  }

  @Test
  void theMetadataAndBulkEndpointsRefuseADoctypeToo(@TempDir Path dir) throws Exception {
    var secret = secretFile(dir);
    var metadata = post(sandbox.baseUrl() + "/services/Soap/m/65.0", doctype(secret)
        + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
        + "<readMetadata xmlns=\"http://soap.sforce.com/2006/04/metadata\"><type>&xxe;</type></readMetadata>"
        + "</soapenv:Body></soapenv:Envelope>", Map.of("SOAPAction", "readMetadata"));
    assertThat(metadata.body()).contains("<soapenv:Fault>", "DOCTYPE").doesNotContain(Files.readString(secret));
    var bulk = post(sandbox.baseUrl() + "/services/async/65.0/job", doctype(secret)
        + "<jobInfo xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\"><operation>query</operation>"
        + "<object>&xxe;</object><contentType>CSV</contentType></jobInfo>",
        Map.of("X-SFDC-Session", login().getConfig().getSessionId()));
    assertThat(bulk.statusCode()).isEqualTo(400);
    assertThat(bulk.body()).contains("InvalidXml", "DOCTYPE").doesNotContain(Files.readString(secret));
  }

  private static Path secretFile(Path dir) throws Exception {
    return Files.writeString(dir.resolve("secret.txt"), "root:x:0:0:salesos-xxe-marker");
  }

  private static String doctype(Path secret) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]>";
  }

  private static HttpResponse<String> post(String url, String body, Map<String, String> headers) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/xml; charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Calendar cal(Instant i) {
    var c = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
    c.setTimeInMillis(i.toEpochMilli());
    return c;
  }
}
