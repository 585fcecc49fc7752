package io.salesos.hubspot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The objects, batch and search endpoints answered as HubSpot's reference documents them:
 * https://developers.hubspot.com/docs/api-reference/crm-objects-v3/guide (basic and batch
 * endpoints), https://developers.hubspot.com/docs/api-reference/search/guide (search) and
 * https://developers.hubspot.com/docs/api/error-handling (error and multi-status bodies).
 */
class ObjectsConformanceTest {

  private static HubSpotSandbox sandbox;
  private static ReferenceClient client;

  @BeforeAll
  static void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ZERO)
        .withLimits(RateLimits.unlimited()));
    client = new ReferenceClient(sandbox);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void theReferenceSchemasRejectARecordWithoutItsStamps() {
    var record = ReferenceClient.JSON.createObjectNode().put("id", "1").put("archived", false);
    record.set("properties", ReferenceClient.JSON.createObjectNode());
    assertThat(ReferenceClient.violations("SimplePublicObject", record)).hasSize(2)
        .anySatisfy(v -> assertThat(v).contains("createdAt")).anySatisfy(v -> assertThat(v).contains("updatedAt"));
  }

  /** GET /crm/v3/objects/{objectType}: limit, after, properties; no paging member on the last page. */
  @Test
  void listPagesThroughRecordsAndTheLastPageHasNoPaging() {
    for (int i = 0; i < 3; i++) {
      client.create("notes", Map.of("hs_note_body", "note " + i, "hs_timestamp", "2026-11-02T09:00:00Z"));
    }
    var first = client.call("GET", "/crm/v3/objects/notes?limit=2&properties=hs_note_body", null).is(200, "ObjectPage");
    assertThat(first.path("results")).hasSize(2);
    assertThat(first.path("results").get(0).path("properties").has("hs_note_body")).isTrue();
    var after = first.path("paging").path("next").path("after").asText();
    var second = client.call("GET", "/crm/v3/objects/notes?limit=2&after=" + after, null).is(200, "ObjectPage");
    assertThat(second.path("results")).hasSize(1);
    assertThat(second.has("paging")).isFalse();
  }

  /** GET /crm/v3/objects/{objectType}/{objectId}?associations= lists the associated ids inline. */
  @Test
  void aGetByIdHonoursTheAssociationsParameter() {
    var company = client.create("companies", Map.of("name", "Acme Bakeries"));
    var deal = client.call("POST", "/crm/v3/objects/deals", Map.of("properties", Map.of("dealname", "Ovens"),
        "associations", List.of(Map.of("to", Map.of("id", company),
            "types", List.of(Map.of("associationCategory", "HUBSPOT_DEFINED", "associationTypeId", 341))))))
        .is(201, "SimplePublicObject").path("id").asText();
    var body = client.call("GET", "/crm/v3/objects/deals/" + deal + "?associations=companies", null)
        .is(200, "SimplePublicObject");
    assertThat(body.path("associations").path("companies").path("results").get(0).path("id").asText())
        .isEqualTo(company);
  }

  /** An inline association to a record that does not exist refuses the create: no record is left unassociated. */
  @Test
  void aCreateWithAnAssociationToAMissingRecordIsRefusedAndWritesNothing() {
    int before = sandbox.count("deals");
    client.call("POST", "/crm/v3/objects/deals", Map.of("properties", Map.of("dealname", "Orphan"),
        "associations", List.of(Map.of("to", Map.of("id", "404404404"),
            "types", List.of(Map.of("associationCategory", "HUBSPOT_DEFINED", "associationTypeId", 341))))))
        .isError(400, "VALIDATION_ERROR");
    assertThat(sandbox.count("deals")).isEqualTo(before);
  }

  /** idProperty names a unique property; a percent-encoded value in the path is decoded first. */
  @Test
  void aPercentEncodedIdIsDecodedBeforeTheIdPropertyLookup() {
    var id = client.create("contacts", Map.of("email", "ana+field@example.com", "firstname", "Ana"));
    var body = client.call("GET", "/crm/v3/objects/contacts/ana%2Bfield%40example.com?idProperty=email", null)
        .is(200, "SimplePublicObject");
    assertThat(body.path("id").asText()).isEqualTo(id);
    var patched = client.call("PATCH", "/crm/v3/objects/contacts/ana%2Bfield%40example.com?idProperty=email",
        Map.of("properties", Map.of("jobtitle", "Buyer"))).is(200, "SimplePublicObject");
    assertThat(patched.path("id").asText()).isEqualTo(id);
    assertThat(sandbox.get("contacts", id).flatMap(o -> o.property("jobtitle"))).contains("Buyer");
  }

  @Test
  void anIdPropertyThatIsNotUniqueIsRefusedWithAValidationError() {
    var id = client.create("contacts", Map.of("firstname", "Bo"));
    client.call("GET", "/crm/v3/objects/contacts/Bo?idProperty=firstname", null).isError(400, "VALIDATION_ERROR");
    assertThat(sandbox.get("contacts", id)).isPresent();
  }

  /** An archived record answers 404 unless archived=true, then with archivedAt. */
  @Test
  void anArchivedRecordIsReadOnlyWithArchivedTrue() {
    var id = client.create("companies", Map.of("name", "Gone Ltd"));
    assertThat(client.call("DELETE", "/crm/v3/objects/companies/" + id, null).status()).isEqualTo(204);
    client.call("GET", "/crm/v3/objects/companies/" + id, null).isError(404, "OBJECT_NOT_FOUND");
    var body = client.call("GET", "/crm/v3/objects/companies/" + id + "?archived=true", null)
        .is(200, "SimplePublicObject");
    assertThat(body.path("archived").asBoolean()).isTrue();
    assertThat(body.has("archivedAt")).isTrue();
  }

  @Test
  void propertiesWithHistoryComeAsValueTimestampAndSource() {
    var id = client.create("deals", Map.of("dealname", "History", "amount", "100"));
    client.call("PATCH", "/crm/v3/objects/deals/" + id, Map.of("properties", Map.of("amount", "250")))
        .is(200, "SimplePublicObject");
    var body = client.call("GET", "/crm/v3/objects/deals/" + id + "?propertiesWithHistory=amount", null)
        .is(200, "SimplePublicObject");
    assertThat(body.path("propertiesWithHistory").path("amount")).hasSize(2);
    assertThat(body.path("propertiesWithHistory").path("amount").get(0).path("value").asText()).isEqualTo("250");
  }

  /** POST /crm/v3/objects/{objectType}/batch/read: a missing id makes a 207 whose errors carry errors and links. */
  @Test
  void aBatchReadWithAMissingIdAnswersMultiStatusWithStandardErrors() {
    var id = client.create("companies", Map.of("name", "Present"));
    var body = client.call("POST", "/crm/v3/objects/companies/batch/read", Map.of("properties", List.of("name"),
        "inputs", List.of(Map.of("id", id), Map.of("id", "999999999")))).is(207, "BatchOfObjects");
    assertThat(body.path("results")).hasSize(1);
    assertThat(body.path("numErrors").asInt()).isEqualTo(1);
    var error = body.path("errors").get(0);
    assertThat(error.path("category").asText()).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(error.path("context").path("ids").get(0).asText()).isEqualTo("999999999");
  }

  @Test
  void aBatchReadByAUniquePropertyFindsRecordsAndRefusesAPropertyThatIsNotUnique() {
    var id = client.create("contacts", Map.of("email", "batch.read@example.com"));
    var body = client.call("POST", "/crm/v3/objects/contacts/batch/read", Map.of("idProperty", "email",
        "properties", List.of("email"), "inputs", List.of(Map.of("id", "batch.read@example.com"))))
        .is(200, "BatchOfObjects");
    assertThat(body.path("results").get(0).path("id").asText()).isEqualTo(id);
    client.call("POST", "/crm/v3/objects/contacts/batch/read", Map.of("idProperty", "firstname",
        "inputs", List.of(Map.of("id", "Ana")))).isError(400, "VALIDATION_ERROR");
  }

  @Test
  void aBatchCreateAnswersCreatedWithItsStampsAndAnUpsertTellsNewFromExisting() {
    var created = client.call("POST", "/crm/v3/objects/companies/batch/create", Map.of("inputs",
        List.of(Map.of("properties", Map.of("name", "One")), Map.of("properties", Map.of("name", "Two")))))
        .is(201, "BatchOfObjects");
    assertThat(created.path("status").asText()).isEqualTo("COMPLETE");
    assertThat(created.path("results")).hasSize(2);
    var upsert = Map.of("inputs", List.of(Map.of("idProperty", "email", "id", "upsert@example.com",
        "properties", Map.of("firstname", "Ursula"))));
    var first = client.call("POST", "/crm/v3/objects/contacts/batch/upsert", upsert).is(200, "BatchOfUpserts");
    var second = client.call("POST", "/crm/v3/objects/contacts/batch/upsert", upsert).is(200, "BatchOfUpserts");
    assertThat(first.path("results").get(0).path("new").asBoolean()).isTrue();
    assertThat(second.path("results").get(0).path("new").asBoolean()).isFalse();
    assertThat(second.path("results").get(0).path("id")).isEqualTo(first.path("results").get(0).path("id"));
  }

  @Test
  void aBatchOfMoreThanOneHundredInputsIsRefusedWhole() {
    var inputs = new ArrayList<Map<String, Object>>();
    for (int i = 0; i < 101; i++) {
      inputs.add(Map.of("properties", Map.of("name", "c" + i)));
    }
    int before = sandbox.count("companies");
    client.call("POST", "/crm/v3/objects/companies/batch/create", Map.of("inputs", inputs))
        .isError(400, "VALIDATION_ERROR");
    assertThat(sandbox.count("companies")).isEqualTo(before);
  }

  @Test
  void anInvalidPropertyValueIsAValidationErrorAndWritesNothing() {
    int before = sandbox.count("deals");
    var body = client.call("POST", "/crm/v3/objects/deals", Map.of("properties", Map.of("dealname", "Bad",
        "amount", "lots"))).isError(400, "VALIDATION_ERROR");
    assertThat(body.path("message").asText()).contains("amount");
    assertThat(sandbox.count("deals")).isEqualTo(before);
  }

  /** POST /crm/v3/objects/{objectType}/search: total, results and paging; limit at most 200. */
  @Test
  void searchAnswersTotalResultsAndPagingAndRefusesALimitOverTwoHundred() {
    for (var name : List.of("Search A", "Search B", "Search C")) {
      client.create("companies", Map.of("name", name, "industry", "searchable"));
    }
    var filter = Map.of("filterGroups", List.of(Map.of("filters", List.of(Map.of("propertyName", "industry",
        "operator", "EQ", "value", "searchable")))), "properties", List.of("name"), "limit", 2);
    var page = client.call("POST", "/crm/v3/objects/companies/search", filter).is(200, "SearchPage");
    assertThat(page.path("total").asInt()).isEqualTo(3);
    assertThat(page.path("results")).hasSize(2);
    assertThat(page.path("paging").path("next").path("after").asText()).isNotEmpty();
    var tooMany = client.call("POST", "/crm/v3/objects/companies/search", Map.of("limit", 201))
        .isError(400, "VALIDATION_ERROR");
    assertThat(tooMany.path("errors").get(0).path("in").asText()).isEqualTo("limit");
  }

  /** The search body's {@code query} finds records whose default text properties contain it. */
  @Test
  void searchQueryFindsRecordsByTheirDefaultTextProperties() {
    var wanted = client.create("companies", Map.of("name", "Quarryside Tiles"));
    client.create("companies", Map.of("name", "Other Tiles"));
    var page = client.call("POST", "/crm/v3/objects/companies/search", Map.of("query", "quarryside"))
        .is(200, "SearchPage");
    assertThat(page.path("total").asInt()).isEqualTo(1);
    assertThat(page.path("results").get(0).path("id").asText()).isEqualTo(wanted);
  }

  /**
   * POST /crm/v3/objects/{objectType}/merge: the primary survives with the merged record's values
   * in its empty properties and its associations; the merged record is gone.
   */
  @Test
  void aMergeKeepsThePrimaryAndMovesValuesAndAssociations() {
    var primary = client.create("companies", Map.of("name", "Primary Co"));
    var merged = client.create("companies", Map.of("name", "Dup Co", "phone", "+44 20 7946 0000"));
    var contact = client.create("contacts", Map.of("firstname", "Moved"));
    client.call("PUT", "/crm/v4/objects/companies/" + merged + "/associations/default/contacts/" + contact, null)
        .is(200, "BatchOfDefaultAssociations");
    var body = client.call("POST", "/crm/v3/objects/companies/merge", Map.of("primaryObjectId", primary,
        "objectIdToMerge", merged)).is(200, "SimplePublicObject");
    assertThat(body.path("id").asText()).isEqualTo(primary);
    assertThat(sandbox.get("companies", primary).flatMap(o -> o.property("name"))).contains("Primary Co");
    assertThat(sandbox.get("companies", primary).flatMap(o -> o.property("phone"))).contains("+44 20 7946 0000");
    assertThat(sandbox.associations("companies", primary, "contacts")).containsExactly(contact);
    client.call("GET", "/crm/v3/objects/companies/" + merged, null).isError(404, "OBJECT_NOT_FOUND");
  }

  @Test
  void aMergeOfARecordWithItselfIsRefused() {
    var id = client.create("companies", Map.of("name", "Self"));
    client.call("POST", "/crm/v3/objects/companies/merge", Map.of("primaryObjectId", id, "objectIdToMerge", id))
        .isError(400, "VALIDATION_ERROR");
  }

  /** POST /crm/v3/objects/contacts/gdpr-delete: the contact is gone for good, not in the recycle bin. */
  @Test
  void aGdprDeleteRemovesTheContactEvenFromArchivedReads() {
    var id = client.create("contacts", Map.of("email", "forget.me@example.com"));
    assertThat(client.call("POST", "/crm/v3/objects/contacts/gdpr-delete",
        Map.of("objectId", "forget.me@example.com", "idProperty", "email")).status()).isEqualTo(204);
    client.call("GET", "/crm/v3/objects/contacts/" + id, null).isError(404, "OBJECT_NOT_FOUND");
    client.call("GET", "/crm/v3/objects/contacts/" + id + "?archived=true", null).isError(404, "OBJECT_NOT_FOUND");
    assertThat(sandbox.get("contacts", id)).isEmpty();
  }

  @Test
  void aMissingOrWrongTokenAnswersUnauthorizedWithTheErrorBody() {
    client.call("GET", "/crm/v3/objects/deals", null, null).isError(401, "INVALID_AUTHENTICATION");
    client.call("GET", "/crm/v3/objects/deals", null, "pat-na1-wrong").isError(401, "INVALID_AUTHENTICATION");
  }

  /** https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines: the 429 body. */
  @Test
  void aRateLimitedCallAnswersTooManyRequestsWithThePolicyName() {
    sandbox.faults().rateLimitBurst(1);
    var answer = client.call("GET", "/crm/v3/objects/deals", null);
    answer.is(429, "RateLimitError");
    assertThat(answer.body().path("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
  }

  @Test
  void anUnknownPathAnswersNotFoundWithTheErrorBody() {
    client.call("GET", "/crm/v3/nothing-here", null).isError(404, "OBJECT_NOT_FOUND");
  }
}
