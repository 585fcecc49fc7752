package io.salesos.hubspot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The associations v4 endpoints and the v4 association schema (labels), answered as
 * https://developers.hubspot.com/docs/api-reference/latest/crm/associations/overview and its
 * pages (associate-records, batch, association schema) document them.
 */
class AssociationsConformanceTest {

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

  /**
   * PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}: a batch answer naming the
   * association spec created each way (deal to company 341, company to deal 342).
   */
  @Test
  void aDefaultAssociationAnswersTheSpecsItCreated() {
    var deal = client.create("deals", Map.of("dealname", "Spec"));
    var company = client.create("companies", Map.of("name", "Spec Co"));
    var body = client.call("PUT", "/crm/v4/objects/deals/" + deal + "/associations/default/companies/" + company, null)
        .is(200, "BatchOfDefaultAssociations");
    assertThat(body.path("results")).hasSize(2);
    var forward = body.path("results").get(0);
    assertThat(forward.path("from").path("id").asText()).isEqualTo(deal);
    assertThat(forward.path("to").path("id").asText()).isEqualTo(company);
    assertThat(forward.path("associationSpec").path("associationTypeId").asInt()).isEqualTo(341);
    assertThat(body.path("results").get(1).path("associationSpec").path("associationTypeId").asInt()).isEqualTo(342);
  }

  @Test
  void aDefaultAssociationToAMissingRecordIsNotFound() {
    var deal = client.create("deals", Map.of("dealname", "Lonely"));
    client.call("PUT", "/crm/v4/objects/deals/" + deal + "/associations/default/companies/404404", null)
        .isError(404, "OBJECT_NOT_FOUND");
    assertThat(sandbox.associations("deals", deal, "companies")).isEmpty();
  }

  /** GET /crm/v4/objects/{from}/{id}/associations/{to}: limit and after page the targets. */
  @Test
  void associationsOfARecordArePagedByLimitAndAfter() {
    var company = client.create("companies", Map.of("name", "Many contacts"));
    for (int i = 0; i < 3; i++) {
      var contact = client.create("contacts", Map.of("firstname", "C" + i));
      client.call("PUT", "/crm/v4/objects/companies/" + company + "/associations/default/contacts/" + contact, null)
          .is(200, "BatchOfDefaultAssociations");
    }
    var first = client.call("GET", "/crm/v4/objects/companies/" + company + "/associations/contacts?limit=2", null)
        .is(200, "AssociationPage");
    assertThat(first.path("results")).hasSize(2);
    var after = first.path("paging").path("next").path("after").asText();
    var second = client.call("GET", "/crm/v4/objects/companies/" + company + "/associations/contacts?limit=2&after="
        + after, null).is(200, "AssociationPage");
    assertThat(second.path("results")).hasSize(1);
    assertThat(second.has("paging")).isFalse();
    client.call("GET", "/crm/v4/objects/companies/" + company + "/associations/contacts?limit=501", null)
        .isError(400, "VALIDATION_ERROR");
  }

  /**
   * PUT /crm/v4/objects/{from}/{id}/associations/{to}/{toId} with a body of specs labels the pair
   * and answers the labels it holds; DELETE on the same path removes every association of the pair.
   */
  @Test
  void aLabelledAssociationAnswersItsLabelsAndDeleteRemovesThePair() {
    var contact = client.create("contacts", Map.of("firstname", "Labelled"));
    var company = client.create("companies", Map.of("name", "Labelled Co"));
    var body = client.call("PUT", "/crm/v4/objects/contacts/" + contact + "/associations/companies/" + company,
        List.of(Map.of("associationCategory", "HUBSPOT_DEFINED", "associationTypeId", 1)))
        .is(201, "LabelsBetweenObjectPair");
    assertThat(body.path("fromObjectTypeId").asText()).isEqualTo("0-1");
    assertThat(body.path("toObjectId").asLong()).isEqualTo(Long.parseLong(company));
    assertThat(body.path("labels").toString()).contains("Primary");
    assertThat(client.call("DELETE", "/crm/v4/objects/contacts/" + contact + "/associations/companies/" + company,
        null).status()).isEqualTo(204);
    assertThat(client.call("GET", "/crm/v4/objects/contacts/" + contact + "/associations/companies", null)
        .is(200, "AssociationPage").path("results")).isEmpty();
  }

  @Test
  void aLabelledAssociationWithAnUnknownTypeIdIsRefused() {
    var contact = client.create("contacts", Map.of("firstname", "Unknown type"));
    var company = client.create("companies", Map.of("name", "Unknown type Co"));
    client.call("PUT", "/crm/v4/objects/contacts/" + contact + "/associations/companies/" + company,
        List.of(Map.of("associationCategory", "HUBSPOT_DEFINED", "associationTypeId", 777)))
        .isError(400, "VALIDATION_ERROR");
    assertThat(sandbox.associations("contacts", contact, "companies")).isEmpty();
  }

  /** The v4 batch endpoints answer with startedAt and completedAt, and 207 with standard errors. */
  @Test
  void batchAssociateDefaultAnswersSpecsAndAMissingRecordMakesAMultiStatus() {
    var task = client.create("tasks", Map.of("hs_task_subject", "Call back", "hs_timestamp", "2026-11-03T10:00:00Z"));
    var deal = client.create("deals", Map.of("dealname", "Batch"));
    var body = client.call("POST", "/crm/v4/associations/tasks/deals/batch/associate/default", Map.of("inputs",
        List.of(Map.of("from", Map.of("id", task), "to", Map.of("id", deal)),
            Map.of("from", Map.of("id", task), "to", Map.of("id", "31313131")))))
        .is(207, "BatchOfDefaultAssociations");
    assertThat(body.path("results")).hasSize(1);
    assertThat(body.path("results").get(0).path("associationSpec").path("associationTypeId").asInt()).isEqualTo(216);
    assertThat(body.path("errors").get(0).path("context").path("ids").get(0).asText()).isEqualTo("31313131");
  }

  @Test
  void batchCreateWithLabelsAnswersTheLabelsBetweenEachPair() {
    var deal = client.create("deals", Map.of("dealname", "Labelled batch"));
    var company = client.create("companies", Map.of("name", "Labelled batch Co"));
    var body = client.call("POST", "/crm/v4/associations/deals/companies/batch/create", Map.of("inputs",
        List.of(Map.of("from", Map.of("id", deal), "to", Map.of("id", company),
            "types", List.of(Map.of("associationCategory", "HUBSPOT_DEFINED", "associationTypeId", 5))))))
        .is(201, "BatchOfLabels");
    assertThat(body.path("results").get(0).path("labels").toString()).contains("Primary");
    var read = client.call("POST", "/crm/v4/associations/deals/companies/batch/read", Map.of("inputs",
        List.of(Map.of("id", deal)))).is(200, "BatchOfAssociationReads");
    assertThat(read.path("results").get(0).path("to").get(0).path("toObjectId").asLong())
        .isEqualTo(Long.parseLong(company));
  }

  /** GET and POST /crm/v4/associations/{from}/{to}/labels: HubSpot's types and the portal's own labels. */
  @Test
  void theLabelsSchemaListsHubSpotTypesAndTakesNewLabels() {
    var listed = client.call("GET", "/crm/v4/associations/deals/contacts/labels", null).is(200, "AssociationSpecPage");
    assertThat(listed.path("results").get(0).path("typeId").asInt()).isEqualTo(3);
    var created = client.call("POST", "/crm/v4/associations/deals/contacts/labels",
        Map.of("label", "Economic buyer", "name", "economic_buyer")).is(200, "AssociationSpecPage");
    int typeId = created.path("results").get(0).path("typeId").asInt();
    assertThat(created.path("results").get(0).path("category").asText()).isEqualTo("USER_DEFINED");
    var after = client.call("GET", "/crm/v4/associations/deals/contacts/labels", null).is(200, "AssociationSpecPage");
    assertThat(after.path("results").findValuesAsText("label")).contains("Economic buyer");
    var deal = client.create("deals", Map.of("dealname", "Buyer"));
    var contact = client.create("contacts", Map.of("firstname", "Eve"));
    var labelled = client.call("PUT", "/crm/v4/objects/deals/" + deal + "/associations/contacts/" + contact,
        List.of(Map.of("associationCategory", "USER_DEFINED", "associationTypeId", typeId)))
        .is(201, "LabelsBetweenObjectPair");
    assertThat(labelled.path("labels").toString()).contains("Economic buyer");
    client.call("POST", "/crm/v4/associations/deals/contacts/labels", Map.of("label", "No name"))
        .isError(400, "VALIDATION_ERROR");
  }
}
