package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bulk API 2.0 query jobs over plain HTTP: create a job, read its state, page through its CSV
 * results with maxRecords and the Sforce-Locator header (the string "null" on the last set).
 * Sources: "Create a Query Job",
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
 * "Get Information About a Query Job",
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm
 * and "Get Results for a Query Job",
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
 */
class Bulk2QueryConformanceTest {

  static ConformanceOrg org;
  static String token;
  static String jobs;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void seed() throws Exception {
    org = new ConformanceOrg();
    var acme = org.create("Account", "Name", "Acme \"Quoted\", Inc.");
    for (int i = 1; i <= 5; i++) {
      org.create("Opportunity", "Name", "Bulk " + i, "AccountId", acme, "StageName", "Prospecting",
          "CloseDate", "2026-12-0" + i, "Amount", String.valueOf(i * 100));
    }
    token = org.login().getConfig().getSessionId();
    jobs = org.sandbox.baseUrl() + "/services/data/v" + org.sandbox.apiVersion() + "/jobs/query";
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  static HttpResponse<String> send(String method, String url, String body, String bearer) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String member(String json, String name) {
    var m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",}]*)").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  static String createJob(String soql) throws Exception {
    var r = send("POST", jobs, "{\"operation\":\"query\",\"query\":\"" + soql.replace("\"", "\\\"") + "\"}", token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(member(r.body(), "state")).isEqualTo("UploadComplete");
    assertThat(member(r.body(), "operation")).isEqualTo("query");
    return member(r.body(), "id");
  }

  @Test
  void aJobIsCreatedAndReportsJobCompleteWithItsRecordCount() throws Exception {
    var id = createJob("SELECT Id, Name FROM Opportunity");
    assertThat(id).startsWith("750");
    var job = send("GET", jobs + "/" + id, null, token);
    assertThat(job.statusCode()).isEqualTo(200);
    assertThat(member(job.body(), "state")).isEqualTo("JobComplete");
    assertThat(member(job.body(), "object")).isEqualTo("Opportunity");
    assertThat(member(job.body(), "numberRecordsProcessed")).isEqualTo("5");
  }

  @Test
  void resultsPageWithMaxRecordsAndTheLocatorHeader() throws Exception {
    var id = createJob("SELECT Name FROM Opportunity ORDER BY Name");
    var names = new ArrayList<String>();
    String locator = null;
    var counts = new ArrayList<String>();
    do {
      var url = jobs + "/" + id + "/results?maxRecords=2" + (locator == null ? "" : "&locator=" + locator);
      var r = send("GET", url, null, token);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
      var lines = r.body().split("\n");
      assertThat(lines[0]).isEqualTo("\"Name\"");
      for (int i = 1; i < lines.length; i++) {
        names.add(lines[i].replace("\"", ""));
      }
      counts.add(r.headers().firstValue("Sforce-NumberOfRecords").orElseThrow());
      locator = r.headers().firstValue("Sforce-Locator").orElseThrow();
    } while (!locator.equals("null"));
    assertThat(names).containsExactly("Bulk 1", "Bulk 2", "Bulk 3", "Bulk 4", "Bulk 5");
    assertThat(counts).containsExactly("2", "2", "1");
  }

  @Test
  void aLocatorCanBeReadAgain() throws Exception {
    var id = createJob("SELECT Name FROM Opportunity ORDER BY Name");
    var first = send("GET", jobs + "/" + id + "/results?maxRecords=3", null, token);
    var locator = first.headers().firstValue("Sforce-Locator").orElseThrow();
    var a = send("GET", jobs + "/" + id + "/results?maxRecords=3&locator=" + locator, null, token);
    var b = send("GET", jobs + "/" + id + "/results?maxRecords=3&locator=" + locator, null, token);
    assertThat(a.body()).isEqualTo(b.body()).contains("Bulk 4", "Bulk 5");
  }

  @Test
  void parentFieldsComeOutAsDottedColumnsAndQuotesAreDoubled() throws Exception {
    var id = createJob("SELECT Name, Account.Name FROM Opportunity WHERE Name = 'Bulk 1'");
    var r = send("GET", jobs + "/" + id + "/results", null, token);
    assertThat(r.body()).isEqualTo("\"Name\",\"Account.Name\"\n\"Bulk 1\",\"Acme \"\"Quoted\"\", Inc.\"\n");
    assertThat(r.headers().firstValue("Sforce-Locator")).contains("null");
  }

  @Test
  void aQueryTheBulkApiDoesNotTakeIsRefusedWhenTheJobIsCreated() throws Exception {
    for (var soql : List.of("SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName",
        "SELECT Name FROM Opportunity OFFSET 2", "SELECT Name, (SELECT Id FROM Contacts) FROM Account",
        "SELECT COUNT() FROM Account", "SELECT Bogus FROM Account")) {
      var r = send("POST", jobs, "{\"operation\":\"query\",\"query\":\"" + soql + "\"}", token);
      assertThat(r.statusCode()).as(soql).isEqualTo(400);
      assertThat(r.body()).as(soql).contains("errorCode");
    }
  }

  @Test
  void anInvalidTokenIsUnauthorized() throws Exception {
    var r = send("POST", jobs, "{\"operation\":\"query\",\"query\":\"SELECT Id FROM Account\"}", "not-a-session");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("INVALID_SESSION_ID");
  }

  @Test
  void anUnknownJobIsNotFoundAndResultsNeedTheJobsApiVersion() throws Exception {
    assertThat(send("GET", jobs + "/750000000000000AAA", null, token).statusCode()).isEqualTo(404);
    var id = createJob("SELECT Id FROM Account");
    var other = org.sandbox.baseUrl() + "/services/data/v60.0/jobs/query/" + id + "/results";
    assertThat(send("GET", other, null, token).statusCode()).isEqualTo(409);
  }

  @Test
  void queryAllIncludesDeletedRecords() throws Exception {
    var gone = org.create("Account", "Name", "Deleted for queryAll");
    org.sandbox.deleteAsUser(List.of(gone));
    var r = send("POST", jobs, "{\"operation\":\"queryAll\",\"query\":\"SELECT Id FROM Account WHERE IsDeleted = true\"}",
        token);
    var id = member(r.body(), "id");
    assertThat(send("GET", jobs + "/" + id + "/results", null, token).body()).contains(gone);
  }

  @Test
  void aDeletedJobIsGone() throws Exception {
    var id = createJob("SELECT Id FROM Account");
    assertThat(send("DELETE", jobs + "/" + id, null, token).statusCode()).isEqualTo(204);
    assertThat(send("GET", jobs + "/" + id, null, token).statusCode()).isEqualTo(404);
  }
}
