package io.salesos.hubspot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.demo.SandboxProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox answered over HTTP, as HubSpot would, checked against CRM-API-FACTS part B. */
class HubSpotSandboxTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final SandboxClock clock = SandboxClock.fixed(T0);
  private HubSpotSandbox sandbox;

  private HubSpotSandbox start(RateLimits limits) {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(clock).withLimits(limits)
        .withSearchLag(Duration.ofSeconds(2)));
    return sandbox;
  }

  @AfterEach
  void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  /** A status, the headers and the parsed body of one answer. */
  record Answer(int status, HttpResponse<String> raw, JsonNode body) {}

  private Answer call(String method, String path, Object body, String token) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r, r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
  }

  private Answer call(String method, String path, Object body) throws Exception {
    return call(method, path, body, sandbox.token());
  }

  private static Map<String, Object> search(int limit, Object after) {
    var m = new java.util.HashMap<String, Object>();
    m.put("filterGroups", List.of());
    m.put("sorts", List.of(Map.of("propertyName", "hs_object_id", "direction", "ASCENDING")));
    m.put("limit", limit);
    if (after != null) {
      m.put("after", after);
    }
    return m;
  }

  @Test
  void theSandboxIsFoundThroughServiceLoaderByItsCrmType() {
    var provider = ServiceLoader.load(SandboxProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("hubspot")).findFirst();
    assertThat(provider).get().isInstanceOf(HubSpotSandboxProvider.class);
  }

  @Test
  void readsAreServedSideBySideWhileWritesGoOnAndEveryPageIsWhole() throws Exception {
    start(RateLimits.unlimited());
    sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.ofSize(T0, 3_000)));
    var ids = sandbox.ids("deals");
    var pool = java.util.concurrent.Executors.newFixedThreadPool(5);
    try {
      var readers = new ArrayList<java.util.concurrent.Future<List<String>>>();
      for (int t = 0; t < 4; t++) {
        readers.add(pool.submit(() -> {
          var seen = new ArrayList<String>();
          String after = "";
          do {
            var page = call("GET", "/crm/v3/objects/deals?limit=100&properties=dealname&associations=companies,contacts"
                + (after.isEmpty() ? "" : "&after=" + after), null);
            assertThat(page.status()).isEqualTo(200);
            page.body().path("results").forEach(r -> seen.add(r.path("id").asText()));
            var first = page.body().path("results").path(0).path("id").asText();
            var v4 = call("GET", "/crm/v4/objects/deals/" + first + "/associations/companies", null);
            assertThat(v4.status()).isEqualTo(200);
            after = page.body().path("paging").path("next").path("after").asText("");
          } while (!after.isEmpty());
          return seen;
        }));
      }
      var writer = pool.submit(() -> {
        for (int i = 0; i < 200; i++) {
          var id = ids.get(i % ids.size());
          var r = call("PATCH", "/crm/v3/objects/deals/" + id, Map.of("properties", Map.of("dealname", "Renamed " + i)));
          assertThat(r.status()).isEqualTo(200);
        }
        return null;
      });
      writer.get(60, java.util.concurrent.TimeUnit.SECONDS);
      for (var reader : readers) {
        // every deal once, in id order: no page torn by a write
        assertThat(reader.get(60, java.util.concurrent.TimeUnit.SECONDS)).containsExactlyElementsOf(ids);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBatchOf101InputsIsRefusedWithHubSpotsErrorBody() throws Exception {
    start(RateLimits.unlimited());
    var inputs = new ArrayList<Map<String, Object>>();
    for (int i = 0; i < 101; i++) {
      inputs.add(Map.of("properties", Map.of("dealname", "d" + i)));
    }
    var answer = call("POST", "/crm/v3/objects/deals/batch/create", Map.of("inputs", inputs));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().path("status").asText()).isEqualTo("error");
    assertThat(answer.body().path("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(answer.body().path("message").asText()).contains("100");
    assertThat(answer.body().path("correlationId").asText()).isNotEmpty();
    assertThat(sandbox.count("deals")).isZero();
  }

  @Test
  void searchRefusesALimitOf201AndPagingPast10000Results() throws Exception {
    start(RateLimits.unlimited());
    sandbox.fillDeals(10_150, T0, Duration.ofMillis(1));
    assertThat(call("POST", "/crm/v3/objects/deals/search", search(201, null)).status()).isEqualTo(400);
    assertThat(call("POST", "/crm/v3/objects/deals/search", search(200, null)).status()).isEqualTo(200);

    var past = call("POST", "/crm/v3/objects/deals/search", search(100, "10000"));
    assertThat(past.status()).isEqualTo(400);
    assertThat(past.body().path("category").asText()).isEqualTo("VALIDATION_ERROR");

    // paging to the end stops at 10,000 results although 10,150 match
    int seen = 0;
    Object after = null;
    do {
      var page = call("POST", "/crm/v3/objects/deals/search", search(200, after));
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body().path("total").asInt()).isEqualTo(10_150);
      seen += page.body().path("results").size();
      after = page.body().path("paging").path("next").path("after").asText(null);
    } while (after != null);
    assertThat(seen).isEqualTo(10_000);
  }

  @Test
  void listCapsLimitAt100AndHidesArchivedRecordsUnlessAsked() throws Exception {
    start(RateLimits.unlimited());
    var ids = sandbox.fillDeals(150, T0, Duration.ZERO);
    clock.advance(Duration.ofMinutes(1));
    sandbox.archive("deals", List.of(ids.get(0)));
    var page = call("GET", "/crm/v3/objects/deals?limit=500&properties=dealname", null);
    assertThat(page.body().path("results")).hasSize(100);
    assertThat(page.body().path("paging").path("next").path("after").asText()).isNotEmpty();
    assertThat(page.body().path("results").get(0).path("id").asText()).isEqualTo(ids.get(1));
    assertThat(call("GET", "/crm/v3/objects/deals/" + ids.get(0), null).status()).isEqualTo(404);

    var archived = call("GET", "/crm/v3/objects/deals?archived=true", null).body().path("results");
    assertThat(archived).hasSize(1);
    assertThat(archived.get(0).path("archived").asBoolean()).isTrue();
    assertThat(archived.get(0).path("archivedAt").asText()).isEqualTo("2026-11-02T09:01:00.000Z");
    // archiving does not move the modification stamp
    assertThat(archived.get(0).path("properties").path("hs_lastmodifieddate").asText())
        .isEqualTo("2026-11-02T09:00:00.000Z");
  }

  @Test
  void aBatchReadSeesArchivedRecordsOnlyWithTheArchivedQueryParameter() throws Exception {
    start(RateLimits.unlimited());
    var ids = sandbox.fillDeals(2, T0, Duration.ZERO);
    sandbox.archive("deals", List.of(ids.get(0)));
    var body = Map.of("inputs", List.of(Map.of("id", ids.get(0)), Map.of("id", ids.get(1))), "properties", List.of("dealname"));
    var live = call("POST", "/crm/v3/objects/deals/batch/read", body);
    assertThat(live.status()).isEqualTo(207);
    assertThat(live.body().path("results")).extracting(r -> r.path("id").asText()).containsExactly(ids.get(1));
    assertThat(live.body().path("errors").get(0).path("context").path("ids").get(0).asText()).isEqualTo(ids.get(0));
    var archived = call("POST", "/crm/v3/objects/deals/batch/read?archived=true", body);
    assertThat(archived.body().path("results")).extracting(r -> r.path("id").asText()).containsExactly(ids.get(0));
  }

  @Test
  void aBatchWriteStampsEveryRecordWithOneMillisecondStamp() throws Exception {
    start(RateLimits.unlimited());
    clock.set(Instant.parse("2026-11-02T09:00:00.123456Z"));
    var inputs = new ArrayList<Map<String, Object>>();
    for (int i = 0; i < 50; i++) {
      inputs.add(Map.of("properties", Map.of("dealname", "d" + i, "dealstage", "proposal")));
    }
    var answer = call("POST", "/crm/v3/objects/deals/batch/create", Map.of("inputs", inputs));
    assertThat(answer.status()).isEqualTo(201);
    assertThat(answer.body().path("status").asText()).isEqualTo("COMPLETE");
    var stamps = new java.util.HashSet<String>();
    answer.body().path("results").forEach(r -> stamps.add(r.path("properties").path("hs_lastmodifieddate").asText()));
    assertThat(stamps).containsExactly("2026-11-02T09:00:00.123Z");
    var deal = sandbox.get("deals", answer.body().path("results").get(0).path("id").asText()).orElseThrow();
    assertThat(deal.properties()).containsEntry("hs_deal_stage_probability", "0.6").containsEntry("hs_is_closed", "false");
  }

  @Test
  void aPartlyFailingBatchUpdateAnswers207WithPerInputErrors() throws Exception {
    start(RateLimits.unlimited());
    var ids = sandbox.fillDeals(3, T0, Duration.ZERO);
    var answer = call("POST", "/crm/v3/objects/deals/batch/update", Map.of("inputs", List.of(
        Map.of("id", ids.get(0), "properties", Map.of("amount", "10")),
        Map.of("id", ids.get(1), "properties", Map.of("amount", "ten")),
        Map.of("id", "1", "properties", Map.of("amount", "10")))));
    assertThat(answer.status()).isEqualTo(207);
    assertThat(answer.body().path("results")).hasSize(1);
    assertThat(answer.body().path("numErrors").asInt()).isEqualTo(2);
    assertThat(answer.body().path("errors").get(0).path("message").asText()).contains("ten was not a valid number");
    assertThat(answer.body().path("errors").get(0).path("context").path("ids").get(0).asText()).isEqualTo(ids.get(1));
  }

  @Test
  void searchSeesWritesOnlyAfterTheIndexLag() throws Exception {
    start(RateLimits.unlimited());
    var id = sandbox.fillDeals(1, T0, Duration.ZERO).get(0);
    clock.advance(Duration.ofMinutes(1));
    sandbox.update("deals", List.of(id), Map.of("dealname", "Renamed"));
    var byName = Map.of("filterGroups", List.of(Map.of("filters", List.of(
        Map.of("propertyName", "dealname", "operator", "EQ", "value", "Renamed")))), "limit", 10);
    assertThat(call("POST", "/crm/v3/objects/deals/search", byName).body().path("total").asInt()).isZero();
    // a read by id sees the write at once
    assertThat(call("GET", "/crm/v3/objects/deals/" + id + "?properties=dealname", null).body()
        .path("properties").path("dealname").asText()).isEqualTo("Renamed");
    clock.advance(Duration.ofSeconds(2));
    assertThat(call("POST", "/crm/v3/objects/deals/search", byName).body().path("total").asInt()).isEqualTo(1);
  }

  @Test
  void aBadTokenGets401AndTheBurstLimitGets429NamingThePolicy() throws Exception {
    start(RateLimits.forTier("starter").withBurst(3, 10_000));
    var bad = call("GET", "/crm/v3/objects/deals", null, "nope");
    assertThat(bad.status()).isEqualTo(401);
    assertThat(bad.body().path("category").asText()).isEqualTo("INVALID_AUTHENTICATION");

    for (int i = 0; i < 3; i++) {
      var ok = call("GET", "/crm/v3/objects/deals", null);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.raw().headers().firstValue("X-HubSpot-RateLimit-Remaining")).hasValue(Integer.toString(2 - i));
      assertThat(ok.raw().headers().firstValue("X-HubSpot-RateLimit-Daily")).hasValue("250000");
    }
    var limited = call("GET", "/crm/v3/objects/deals", null);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body().path("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
    assertThat(limited.body().path("errorType").asText()).isEqualTo("RATE_LIMIT");
    assertThat(limited.raw().headers().firstValue("X-HubSpot-RateLimit-Interval-Milliseconds")).hasValue("10000");
  }

  @Test
  void creatingAnExistingPropertyIsAConflict() throws Exception {
    start(RateLimits.unlimited());
    var def = Map.of("name", "visit_score", "label", "Visit score", "type", "number", "fieldType", "number",
        "groupName", "dealinformation");
    assertThat(call("POST", "/crm/v3/properties/deals", def).status()).isEqualTo(201);
    var again = call("POST", "/crm/v3/properties/deals", def);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("message").asText()).contains("visit_score");
    assertThat(call("GET", "/crm/v3/properties/deals/visit_score", null).body().path("type").asText())
        .isEqualTo("number");
  }

  @Test
  void theDemoOrgBecomesOwnersCompaniesContactsDealsAndEngagementsWithAssociations() throws Exception {
    start(RateLimits.unlimited());
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0));
    var ids = sandbox.seed(org);

    assertThat(sandbox.count("companies")).isEqualTo(org.accounts().size());
    assertThat(sandbox.count("contacts")).isEqualTo(org.contacts().size());
    assertThat(sandbox.count("deals")).isEqualTo(org.deals().size());
    int engagements = sandbox.count("tasks") + sandbox.count("meetings") + sandbox.count("calls")
        + sandbox.count("emails") + sandbox.count("notes");
    assertThat(engagements).isEqualTo(org.activities().size());
    var owners = call("GET", "/crm/v3/owners?limit=500", null).body().path("results");
    assertThat(owners).hasSize(org.users().size());

    var demoDeal = org.deals().stream().filter(d -> d.stageHistory().size() > 2).findFirst().orElseThrow();
    var dealId = ids.get(demoDeal.id());
    var deal = call("GET", "/crm/v3/objects/deals/" + dealId + "?propertiesWithHistory=dealstage", null).body();
    assertThat(deal.path("propertiesWithHistory").path("dealstage")).hasSize(demoDeal.stageHistory().size());
    assertThat(sandbox.associations("deals", dealId, "companies")).containsExactly(ids.get(demoDeal.accountId()));

    var pipeline = call("GET", "/crm/v3/pipelines/deals", null).body().path("results").get(0);
    assertThat(pipeline.path("stages")).hasSize(8);
    assertThat(pipeline.path("stages").get(5).path("label").asText()).isEqualTo("Verbal Commit");
    assertThat(pipeline.path("stages").get(6).path("metadata").path("isClosed").asText()).isEqualTo("true");

    var assoc = call("POST", "/crm/v4/associations/deals/companies/batch/read",
        Map.of("inputs", List.of(Map.of("id", dealId)))).body();
    var types = assoc.path("results").get(0).path("to").get(0).path("associationTypes");
    assertThat(types.toString()).contains("\"typeId\":341").contains("\"typeId\":5");
  }

  @Test
  void seeding200000Records() {
    start(RateLimits.unlimited());
    long started = System.nanoTime();
    sandbox.fillDeals(200_000, T0, Duration.ofMillis(1));
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertThat(sandbox.count("deals")).isEqualTo(200_000);
    // the time is printed for the reader, not asserted: speed is measured by `salesos bench sync`
    System.out.println("seeded 200000 deals in " + ms + " ms");
  }
}
