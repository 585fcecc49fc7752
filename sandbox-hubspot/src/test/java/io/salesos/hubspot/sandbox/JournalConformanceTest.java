package io.salesos.hubspot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhooks journal (2026-03) as HubSpot documents it
 * (https://developers.hubspot.com/docs/api-reference/latest/webhooks-journal/journal-entries/guide,
 * .../webhooks-journal/subscriptions/guide): subscriptions by object type, actions and properties;
 * entries read by earliest, latest and offset/{offset}/next, each with a url, expiresAt and
 * currentOffset; entries kept three days; an offset the journal no longer holds answers 404; the
 * batch reads (batch/earliest/{count}, batch/latest/{count}, batch/read), exempt from the standard
 * limits (.../journal-entries/local/batch/get-webhook-count, .../local/batch/get-webhooks).
 */
class JournalConformanceTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private final SandboxClock clock = SandboxClock.fixed(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private HubSpotSandbox sandbox;
  private ReferenceClient client;

  @BeforeEach
  void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(clock).withSearchLag(Duration.ZERO)
        .withLimits(RateLimits.unlimited()));
    client = new ReferenceClient(sandbox);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private void subscribeDeals(List<String> properties) {
    var s = client.call("POST", "/webhooks-journal/subscriptions/2026-03", Map.of("subscriptionType", "OBJECT",
        "portalId", SandboxState.PORTAL_ID, "actions", List.of("CREATE", "UPDATE", "DELETE"), "objectTypeId", "0-3",
        "objectIds", List.of(), "properties", properties));
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.body().path("objectTypeId").asText()).isEqualTo("0-3");
  }

  private JsonNode events(JsonNode fetch) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(fetch.path("url").asText())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("file %s", fetch).isEqualTo(200);
    return ReferenceClient.JSON.readTree(r.body());
  }

  @Test
  void everyCreateUpdateAndDeleteOfASubscribedTypeIsJournalledInOrder() throws Exception {
    subscribeDeals(List.of());
    assertThat(client.call("GET", "/webhooks-journal/journal-local/2026-03/earliest", null).status()).isEqualTo(204);
    var id = client.create("deals", Map.of("dealname", "Crane", "amount", "100"));
    client.call("PATCH", "/crm/v3/objects/deals/" + id, Map.of("properties", Map.of("amount", "250")));
    client.create("contacts", Map.of("email", "a@b.example"));
    client.call("DELETE", "/crm/v3/objects/deals/" + id, null);

    var actions = new ArrayList<String>();
    var first = client.call("GET", "/webhooks-journal/journal-local/2026-03/earliest", null);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().has("expiresAt")).isTrue();
    var fetch = first.body();
    while (true) {
      for (var e : events(fetch)) {
        assertThat(e.path("objectId").asText()).isEqualTo(id);
        assertThat(e.path("objectTypeId").asText()).isEqualTo("0-3");
        actions.add(e.path("action").asText() + (e.has("propertyName") ? ":" + e.path("propertyName").asText() : ""));
      }
      var next = client.call("GET", "/webhooks-journal/journal-local/2026-03/offset/"
          + fetch.path("currentOffset").asText() + "/next", null);
      if (next.status() == 204) {
        break;
      }
      fetch = next.body();
    }
    // the contact is not subscribed; the update names the changed property (and the derived stamp moves)
    assertThat(actions).startsWith("CREATE").contains("UPDATE:amount").endsWith("DELETE");
    var latest = client.call("GET", "/webhooks-journal/journal-local/2026-03/latest", null).body();
    assertThat(latest.path("currentOffset").asText()).isEqualTo(fetch.path("currentOffset").asText());
  }

  @Test
  void aSubscriptionWithPropertiesJournalsOnlyChangesOfThem() throws Exception {
    subscribeDeals(List.of("dealstage"));
    var id = client.create("deals", Map.of("dealname", "Crane"));
    var latest = client.call("GET", "/webhooks-journal/journal-local/2026-03/latest", null).body().path("currentOffset").asText();
    client.call("PATCH", "/crm/v3/objects/deals/" + id, Map.of("properties", Map.of("amount", "250")));
    assertThat(client.call("GET", "/webhooks-journal/journal-local/2026-03/offset/" + latest + "/next", null).status())
        .isEqualTo(204);
    client.call("PATCH", "/crm/v3/objects/deals/" + id, Map.of("properties", Map.of("dealstage", "closedwon")));
    var next = client.call("GET", "/webhooks-journal/journal-local/2026-03/offset/" + latest + "/next", null);
    assertThat(events(next.body()).get(0).path("propertyName").asText()).isEqualTo("dealstage");
  }

  @Test
  void batchReadsNameTheEntriesOldestFirstAndAreNotChargedToTheStandardLimits() throws Exception {
    subscribeDeals(List.of());
    var id = client.create("deals", Map.of("dealname", "Crane", "amount", "100"));
    for (var amount : List.of("200", "300", "400")) {
      client.call("PATCH", "/crm/v3/objects/deals/" + id, Map.of("properties", Map.of("amount", amount)));
    }
    var offsets = new ArrayList<String>();
    var fetch = client.call("GET", "/webhooks-journal/journal-local/2026-03/earliest", null).body();
    offsets.add(fetch.path("currentOffset").asText());
    for (int i = 0; i < 3; i++) {
      fetch = client.call("GET", "/webhooks-journal/journal-local/2026-03/offset/" + fetch.path("currentOffset").asText()
          + "/next", null).body();
      offsets.add(fetch.path("currentOffset").asText());
    }

    // exempt from the burst limit: a spent budget answers 429 to the objects API, not to the batch reads
    sandbox.faults().rateLimitBurst(1);
    long before = sandbox.journalBatchRequests();
    var latest = client.call("GET", "/webhooks-journal/journal-local/2026-03/batch/latest/3", null);
    assertThat(latest.status()).isEqualTo(200);
    assertThat(latest.body().path("status").asText()).isEqualTo("COMPLETE");
    var named = new ArrayList<String>();
    latest.body().path("results").forEach(r -> named.add(r.path("currentOffset").asText()));
    assertThat(named).containsExactlyElementsOf(offsets.subList(1, 4));
    assertThat(events(latest.body().path("results").get(2)).get(0).path("propertyValue").asText()).isEqualTo("400");
    var earliest = client.call("GET", "/webhooks-journal/journal-local/2026-03/batch/earliest/2", null).body();
    assertThat(earliest.path("results").get(0).path("currentOffset").asText()).isEqualTo(offsets.get(0));
    var read = client.call("POST", "/webhooks-journal/journal-local/2026-03/batch/read",
        Map.of("inputs", List.of(offsets.get(2), "00000000-0000-0000-0000-000000000000")));
    assertThat(read.status()).isEqualTo(207);
    assertThat(read.body().path("results").get(0).path("currentOffset").asText()).isEqualTo(offsets.get(2));
    assertThat(read.body().path("numErrors").asInt()).isEqualTo(1);
    assertThat(sandbox.journalBatchRequests() - before).isEqualTo(3);
    assertThat(client.call("GET", "/crm/v3/objects/deals/" + id, null).status()).isEqualTo(429);

    assertThat(client.call("GET", "/webhooks-journal/journal-local/2026-03/batch/latest/101", null).status()).isEqualTo(400);
    assertThat(client.call("GET", "/webhooks-journal/journal-local/2026-03/batch/latest/0", null).status()).isEqualTo(400);
  }

  @Test
  void anOffsetOlderThanThreeDaysIsGone() {
    subscribeDeals(List.of());
    client.create("deals", Map.of("dealname", "Crane"));
    var offset = client.call("GET", "/webhooks-journal/journal-local/2026-03/latest", null).body().path("currentOffset").asText();
    clock.advance(Duration.ofDays(3).plusMinutes(1));
    client.call("GET", "/webhooks-journal/journal-local/2026-03/offset/" + offset + "/next", null)
        .isError(404, "OBJECT_NOT_FOUND");
  }

  @Test
  void theFaultSwitchesExpireAPositionLoseAnEntryAndDropTheConnection() throws Exception {
    subscribeDeals(List.of());
    client.create("deals", Map.of("dealname", "Crane"));
    var offset = client.call("GET", "/webhooks-journal/journal-local/2026-03/latest", null).body().path("currentOffset").asText();
    sandbox.faults().journalGap(1);
    client.create("deals", Map.of("dealname", "Lift"));
    var lost = client.call("GET", "/webhooks-journal/journal-local/2026-03/offset/" + offset + "/next", null).body();
    var r = http.send(HttpRequest.newBuilder(URI.create(lost.path("url").asText())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);

    sandbox.faults().dropJournalConnection(1);
    var dropped = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/webhooks-journal/journal-local/2026-03/latest"))
        .header("Authorization", "Bearer " + sandbox.token()).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(dropped, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);

    sandbox.faults().expireJournalPositions();
    client.call("GET", "/webhooks-journal/journal-local/2026-03/offset/" + offset + "/next", null)
        .isError(404, "OBJECT_NOT_FOUND");
  }
}
