package io.salesos.hubspot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrgGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Properties and property groups (https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide),
 * pipelines and stages (https://developers.hubspot.com/docs/api-reference/crm-pipelines-v3/guide),
 * owners (https://developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide) and account
 * information (https://developers.hubspot.com/docs/api-reference/settings-account-information-v3/guide),
 * answered as those reference pages document them.
 */
class MetadataConformanceTest {

  private static HubSpotSandbox sandbox;
  private static ReferenceClient client;

  @BeforeAll
  static void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ZERO)
        .withLimits(RateLimits.unlimited()));
    sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.parse("2026-11-02T09:00:00Z"))));
    client = new ReferenceClient(sandbox);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  /** Every property carries the members the reference requires, description among them. */
  @Test
  void everyPropertyOfEveryTypeCarriesItsRequiredMembers() {
    for (var type : List.of("companies", "contacts", "deals", "tasks", "meetings", "calls", "notes", "emails")) {
      var page = client.call("GET", "/crm/v3/properties/" + type, null).is(200, "PropertyPage");
      assertThat(page.path("results").size()).as(type).isPositive();
    }
    client.call("GET", "/crm/v3/properties/deals/dealstage", null).is(200, "Property");
    assertThat(client.call("GET", "/crm/v3/properties/deals?archived=true", null).is(200, "PropertyPage")
        .path("results")).isEmpty();
    client.call("GET", "/crm/v3/properties/deals/no_such_property", null).isError(404, "OBJECT_NOT_FOUND");
  }

  @Test
  void aCreatedPropertyKeepsItsDescriptionAndASecondOneByTheSameNameConflicts() {
    var input = Map.of("name", "visit_notes", "label", "Visit notes", "description", "What the rep saw on site",
        "groupName", "fieldsales", "type", "string", "fieldType", "textarea");
    var created = client.call("POST", "/crm/v3/properties/companies", input).is(201, "Property");
    assertThat(created.path("description").asText()).isEqualTo("What the rep saw on site");
    assertThat(client.call("GET", "/crm/v3/properties/companies/visit_notes", null).is(200, "Property")
        .path("description").asText()).isEqualTo("What the rep saw on site");
    client.call("POST", "/crm/v3/properties/companies", input).isError(409, "OBJECT_ALREADY_EXISTS");
  }

  /** Without the crm.schemas write scope, creating a property answers 403 MISSING_SCOPES naming the scope. */
  @Test
  void creatingAPropertyWithoutTheSchemaWriteScopeIsForbidden() {
    sandbox.schemaWriteScope(false);
    try {
      var body = client.call("POST", "/crm/v3/properties/deals", Map.of("name", "no_scope", "label", "No scope",
          "groupName", "fieldsales", "type", "string", "fieldType", "text")).isError(403, "MISSING_SCOPES");
      assertThat(body.path("errors").get(0).path("context").toString()).contains("crm.schemas.deals.write");
    } finally {
      sandbox.schemaWriteScope(true);
    }
    client.call("GET", "/crm/v3/properties/deals/no_scope", null).isError(404, "OBJECT_NOT_FOUND");
  }

  @Test
  void propertyGroupsAreListedAndReadOneByOne() {
    var page = client.call("GET", "/crm/v3/properties/deals/groups", null).is(200, "PropertyGroupPage");
    assertThat(page.path("results").findValuesAsText("name")).contains("dealinformation");
    client.call("GET", "/crm/v3/properties/deals/groups/dealinformation", null).is(200, "PropertyGroup");
    client.call("GET", "/crm/v3/properties/deals/groups/nothing", null).isError(404, "OBJECT_NOT_FOUND");
  }

  /** GET pipelines, one pipeline, its stages and one stage; every one with createdAt and updatedAt. */
  @Test
  void pipelinesAndTheirStagesAreReadWithTheirStamps() {
    var pipelines = client.call("GET", "/crm/v3/pipelines/deals", null).is(200, "PipelinePage");
    var id = pipelines.path("results").get(0).path("id").asText();
    var pipeline = client.call("GET", "/crm/v3/pipelines/deals/" + id, null).is(200, "Pipeline");
    var stages = client.call("GET", "/crm/v3/pipelines/deals/" + id + "/stages", null).is(200, "PipelineStagePage");
    assertThat(stages.path("results")).isEqualTo(pipeline.path("stages"));
    var stageId = stages.path("results").get(0).path("id").asText();
    var stage = client.call("GET", "/crm/v3/pipelines/deals/" + id + "/stages/" + stageId, null)
        .is(200, "PipelineStage");
    assertThat(stage.path("metadata").path("probability").isTextual()).isTrue();
    client.call("GET", "/crm/v3/pipelines/deals/" + id + "/stages/nostage", null).isError(404, "OBJECT_NOT_FOUND");
    client.call("GET", "/crm/v3/pipelines/deals/nopipeline", null).isError(404, "OBJECT_NOT_FOUND");
  }

  /**
   * POST, PATCH and DELETE on pipelines and stages: a new stage can hold deals at once, with the
   * probability its metadata gives; a stage that holds deals is not deleted.
   */
  @Test
  void aNewPipelineAndStageHoldDealsAndAStageWithDealsIsNotDeleted() {
    var created = client.call("POST", "/crm/v3/pipelines/deals", Map.of("label", "Renewals", "displayOrder", 1,
        "stages", List.of(Map.of("label", "Renewal due", "displayOrder", 0, "metadata", Map.of("probability", "0.5")),
            Map.of("label", "Renewed", "displayOrder", 1, "metadata", Map.of("probability", "1.0")))))
        .is(201, "Pipeline");
    var pipeline = created.path("id").asText();
    var due = created.path("stages").get(0).path("id").asText();
    var deal = client.create("deals", Map.of("dealname", "Renewal", "pipeline", pipeline, "dealstage", due));
    assertThat(sandbox.get("deals", deal).flatMap(o -> o.property("hs_deal_stage_probability"))).contains("0.5");
    client.call("DELETE", "/crm/v3/pipelines/deals/" + pipeline + "/stages/" + due, null).isError(409, "CONFLICT");
    var added = client.call("POST", "/crm/v3/pipelines/deals/" + pipeline + "/stages", Map.of("label", "Lost",
        "displayOrder", 2, "metadata", Map.of("probability", "0.0"))).is(201, "PipelineStage");
    assertThat(added.path("metadata").path("isClosed").asText()).isEqualTo("true");
    var renamed = client.call("PATCH", "/crm/v3/pipelines/deals/" + pipeline, Map.of("label", "Renewals 2027"))
        .is(200, "Pipeline");
    assertThat(renamed.path("label").asText()).isEqualTo("Renewals 2027");
    assertThat(client.call("DELETE", "/crm/v3/pipelines/deals/" + pipeline + "/stages/"
        + added.path("id").asText(), null).status()).isEqualTo(204);
    client.call("POST", "/crm/v3/pipelines/deals/" + pipeline + "/stages", Map.of("label", "No probability",
        "displayOrder", 3, "metadata", Map.of())).isError(400, "VALIDATION_ERROR");
  }

  @Test
  void aPipelineWithDealsIsKeptWhenReferencesAreValidatedAndDeletedOtherwise() {
    var created = client.call("POST", "/crm/v3/pipelines/deals", Map.of("label", "Short lived", "displayOrder", 2,
        "stages", List.of(Map.of("label", "Only", "displayOrder", 0, "metadata", Map.of("probability", "0.1")))))
        .is(201, "Pipeline");
    var pipeline = created.path("id").asText();
    client.create("deals", Map.of("dealname", "In short lived", "pipeline", pipeline,
        "dealstage", created.path("stages").get(0).path("id").asText()));
    client.call("DELETE", "/crm/v3/pipelines/deals/" + pipeline + "?validateReferencesBeforeDelete=true", null)
        .isError(409, "CONFLICT");
    assertThat(client.call("DELETE", "/crm/v3/pipelines/deals/" + pipeline, null).status()).isEqualTo(204);
    client.call("GET", "/crm/v3/pipelines/deals/" + pipeline, null).isError(404, "OBJECT_NOT_FOUND");
  }

  @Test
  void pipelinesOfAnObjectTypeWithoutThemAreRefused() {
    client.call("GET", "/crm/v3/pipelines/contacts", null).isError(400, "VALIDATION_ERROR");
  }

  /** GET /crm/v3/owners pages by limit and after; one owner is read by id or, with idProperty=userId, by user id. */
  @Test
  void ownersArePagedAndReadByIdOrUserId() {
    var first = client.call("GET", "/crm/v3/owners?limit=1", null).is(200, "OwnerPage");
    assertThat(first.path("results")).hasSize(1);
    var owner = first.path("results").get(0);
    var next = client.call("GET", "/crm/v3/owners?limit=1&after=" + first.path("paging").path("next").path("after")
        .asText(), null).is(200, "OwnerPage");
    assertThat(next.path("results").get(0).path("id")).isNotEqualTo(owner.path("id"));
    assertThat(client.call("GET", "/crm/v3/owners/" + owner.path("id").asText(), null).is(200, "Owner"))
        .isEqualTo(owner);
    assertThat(client.call("GET", "/crm/v3/owners/" + owner.path("userId").asText() + "?idProperty=userId", null)
        .is(200, "Owner")).isEqualTo(owner);
    client.call("GET", "/crm/v3/owners/" + owner.path("id").asText() + "?idProperty=email", null)
        .isError(400, "VALIDATION_ERROR");
  }

  @Test
  void accountDetailsAndDailyUsageAreServed() {
    client.call("GET", "/account-info/v3/details", null).is(200, "AccountDetails");
    var usage = client.call("GET", "/account-info/v3/api-usage/daily/private-apps", null).is(200, "DailyUsagePage");
    assertThat(usage.path("results").get(0).path("currentUsage").asLong()).isPositive();
  }
}
