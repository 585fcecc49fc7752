package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.mapping.Mapping;
import io.salesos.outbox.AllowList;
import io.salesos.schema.FieldPreparer;
import io.salesos.schema.NeededFields;
import io.salesos.schema.SchemaCheck;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.FieldCreation.Outcome;
import io.salesos.spi.FieldSpec;
import io.salesos.spi.Write;
import io.salesos.connection.CrmConnection;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `salesos schema verify|prepare` against a HubSpot sandbox that starts without salesos's properties. */
class HubSpotSchemaPrepareTest {

  private static final FieldPreparer.Options CREATE =
      new FieldPreparer.Options(false, Optional.empty(), Path.of("target/unused-package"));

  private HubSpotSandbox sandbox;
  private HubSpotConnector connector;
  private List<FieldSpec> needed;

  @BeforeEach
  void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withLimits(RateLimits.unlimited())
        .withoutSalesosProperties());
    connector = connect(sandbox);
    var mapping = Mapping.load(Path.of("../config/mappings/hubspot.yaml"));
    var connection = new CrmConnection("hs-test", "hubspot", connector, mapping, true);
    // the allow-list of the shipped rules/write-policy.yaml, as the CLI reads it
    var policy = LiveRuleSet.load(Path.of("../rules"), LiveRuleSet.vocabulary(List.of(connection.mapping()))).writePolicy();
    needed = NeededFields.of(mapping, new AllowList(policy.allow(), Set.of("activity")));
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void theNeededPropertiesAreTheAllowListedOnesOfDealsTasksAndMeetings() {
    assertThat(needed).extracting(FieldSpec::qualifiedName).contains("deals.salesos_flags",
        "deals.salesos_forecast_category", "tasks.salesos_key", "tasks.hs_task_subject", "tasks.associations.deals",
        "meetings.salesos_key", "meetings.hs_meeting_start_time")
        .doesNotContain("deals.dealname", "calls.hs_call_title", "tasks.createdate");
    var category = needed.stream().filter(f -> f.name().equals("salesos_forecast_category")).findFirst().orElseThrow();
    assertThat(category.values()).containsExactly("OMIT", "PIPELINE", "BEST_CASE", "COMMIT", "CLOSED");
    assertThat(needed.stream().filter(FieldSpec::externalKey)).extracting(FieldSpec::qualifiedName)
        .containsExactly("tasks.salesos_key", "meetings.salesos_key");
  }

  @Test
  void verifyOnABarePortalReportsEverySalesosPropertyMissingAndTheStandardOnesInPlace() throws Exception {
    var check = new FieldPreparer("hs-test", connector, needed).check();

    assertThat(check.complete()).isFalse();
    assertThat(check.missing()).extracting(FieldSpec::qualifiedName).containsExactlyInAnyOrder(
        "deals.salesos_flags", "deals.salesos_forecast_category", "tasks.salesos_key", "meetings.salesos_key");
    assertThat(check.toFixByHand()).isEmpty();
  }

  @Test
  void prepareCreatesEveryMissingPropertyAndASecondRunChangesNothing() throws Exception {
    var preparer = new FieldPreparer("hs-test", connector, needed);

    var first = preparer.prepare(CREATE);

    assertThat(first.changes().fields()).hasSize(4).allMatch(f -> f.outcome() == Outcome.CREATED);
    assertThat(first.after().complete()).isTrue();
    var key = TestJson.get(sandbox, "/crm/v3/properties/tasks/salesos_key");
    assertThat(key.path("hasUniqueValue").asBoolean()).isTrue();
    assertThat(key.path("groupName").asText()).isEqualTo("salesos");
    var category = TestJson.get(sandbox, "/crm/v3/properties/deals/salesos_forecast_category");
    assertThat(category.path("type").asText()).isEqualTo("enumeration");
    assertThat(category.path("options")).hasSize(5);

    var second = preparer.prepare(CREATE);

    assertThat(second.unchanged()).isTrue();
    assertThat(second.before().complete()).isTrue();
  }

  @Test
  void createdPropertiesTakeWritesAtOnceAndTheKeyServesUpserts() throws Exception {
    new FieldPreparer("hs-test", connector, needed).prepare(CREATE);
    var deal = sandbox.fillDeals(1, sandbox.clock().instant(), java.time.Duration.ZERO).get(0);

    var flagged = connector.push("deals", List.of(Write.update("flags:" + deal, deal,
        Map.of("salesos_flags", "no next step\nno visit in 14 days", "salesos_forecast_category", "BEST_CASE"))));
    var task = Map.<String, Object>of("hs_task_subject", "Call the buyer", "hs_timestamp", "2026-11-03T09:00:00Z",
        "salesos_key", "followup:1");
    var first = connector.push("tasks", List.of(Write.upsert("followup:1", "salesos_key", task)));
    var again = connector.push("tasks", List.of(Write.upsert("followup:1", "salesos_key", task)));

    assertThat(flagged.get(0).success()).isTrue();
    assertThat(sandbox.get("deals", deal).orElseThrow().property("salesos_forecast_category")).hasValue("BEST_CASE");
    assertThat(first.get(0).success()).isTrue();
    assertThat(again.get(0).success()).isTrue();
    assertThat(sandbox.count("tasks")).isEqualTo(1);
  }

  @Test
  void aCreatedPropertyIsSearchableOnceTheSearchIndexCatchesUp() throws Exception {
    new FieldPreparer("hs-test", connector, needed).prepare(CREATE);
    var task = Map.<String, Object>of("hs_task_subject", "Call the buyer", "hs_timestamp", "2026-11-03T09:00:00Z",
        "salesos_key", "followup:7");
    connector.push("tasks", List.of(Write.upsert("followup:7", "salesos_key", task)));
    sandbox.clock().advance(java.time.Duration.ofSeconds(5));

    var found = TestJson.post(sandbox, "/crm/v3/objects/tasks/search", Map.of("filterGroups", List.of(Map.of(
        "filters", List.of(Map.of("propertyName", "salesos_key", "operator", "EQ", "value", "followup:7")))),
        "properties", List.of("salesos_key")));

    assertThat(found.status()).isEqualTo(200);
    assertThat(found.body().path("total").asInt()).isEqualTo(1);
    assertThat(found.body().path("results").get(0).path("properties").path("salesos_key").asText()).isEqualTo("followup:7");
  }

  @Test
  void withoutTheSchemaWriteScopeNothingIsCreatedAndTheStepsSaySo() throws Exception {
    sandbox.schemaWriteScope(false);

    var result = new FieldPreparer("hs-test", connector, needed).prepare(CREATE);

    assertThat(result.changes().fields()).hasSize(4).allMatch(f -> f.outcome() == Outcome.NOT_PERMITTED);
    assertThat(result.changes().fields().get(0).detail()).contains("403");
    assertThat(result.changes().steps()).anySatisfy(s -> assertThat(s).contains("crm.schemas").contains("Settings > Properties"));
    assertThat(result.after().missing()).hasSize(4);
  }

  @Test
  void packageDirIsRefusedForHubSpotWithoutChangingAnything() throws Exception {
    var result = new FieldPreparer("hs-test", connector, needed)
        .prepare(new FieldPreparer.Options(false, Optional.of(Path.of("target/hs-package")), Path.of("target/unused")));

    assertThat(result.changes().fields()).allMatch(f -> f.outcome() == Outcome.FAILED);
    assertThat(result.changes().steps()).anySatisfy(s -> assertThat(s).contains("no deployable package format"));
    assertThat(result.after().missing()).hasSize(4);
  }

  @Test
  void aWriteToAPropertyThePortalLacksFailsAsHubSpotDoes() throws Exception {
    var deal = sandbox.fillDeals(1, sandbox.clock().instant(), java.time.Duration.ZERO).get(0);

    var results = connector.push("deals", List.of(Write.update("flags:" + deal, deal, Map.of("salesos_flags", "x"))));

    assertThat(results.get(0).success()).isFalse();
    assertThat(results.get(0).message().orElseThrow()).contains("salesos_flags");
  }

  @Test
  void aPropertyOfTheWrongTypeIsReportedAndLeftAlone() throws Exception {
    TestJson.post(sandbox, "/crm/v3/properties/deals", Map.of("name", "salesos_flags", "label", "Flags",
        "groupName", "dealinformation", "type", "number", "fieldType", "number"));

    var result = new FieldPreparer("hs-test", connector, needed).prepare(CREATE);

    var row = result.after().rows().stream().filter(r -> r.field().name().equals("salesos_flags")).findFirst().orElseThrow();
    assertThat(row.status()).isEqualTo(SchemaCheck.Status.WRONG_TYPE);
    assertThat(row.found()).isEqualTo("number");
    assertThat(result.changes().fields()).extracting(f -> f.field().name()).doesNotContain("salesos_flags");
    assertThat(result.after().complete()).isFalse();
  }

  @Test
  void anEnumerationWithoutAnOptionSalesosWritesIsReported() throws Exception {
    var options = List.of(Map.of("label", "Omit", "value", "OMIT"), Map.of("label", "Pipeline", "value", "PIPELINE"),
        Map.of("label", "Best case", "value", "BEST_CASE"));
    assertThat(TestJson.post(sandbox, "/crm/v3/properties/deals", Map.of("name", "salesos_forecast_category",
        "label", "Forecast (evidence)", "groupName", "dealinformation", "type", "enumeration", "fieldType", "select",
        "options", options)).status()).isEqualTo(201);

    var check = new FieldPreparer("hs-test", connector, needed).check();

    var row = check.rows().stream().filter(r -> r.field().name().equals("salesos_forecast_category")).findFirst()
        .orElseThrow();
    assertThat(row.status()).isEqualTo(SchemaCheck.Status.MISSING_VALUES);
    assertThat(row.detail()).contains("COMMIT, CLOSED");
  }

  @Test
  void thePortalRefusesAPropertyInAGroupThatDoesNotExistOrWithoutItsRequiredAttributes() throws Exception {
    var noGroup = TestJson.post(sandbox, "/crm/v3/properties/deals", Map.of("name", "x_score", "label", "X",
        "groupName", "nosuchgroup", "type", "number", "fieldType", "number"));
    var noLabel = TestJson.post(sandbox, "/crm/v3/properties/deals", Map.of("name", "x_score",
        "groupName", "dealinformation", "type", "number", "fieldType", "number"));
    var badFieldType = TestJson.post(sandbox, "/crm/v3/properties/deals", Map.of("name", "x_score", "label", "X",
        "groupName", "dealinformation", "type", "number", "fieldType", "select"));

    assertThat(noGroup.status()).isEqualTo(400);
    assertThat(noGroup.body().path("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(noGroup.body().path("message").asText()).contains("nosuchgroup");
    assertThat(noLabel.status()).isEqualTo(400);
    assertThat(noLabel.body().path("message").asText()).contains("label");
    assertThat(badFieldType.status()).isEqualTo(400);
  }

  @Test
  void aConnectorWithoutFieldCreationSaysSo() {
    io.salesos.spi.Connector plain = new io.salesos.spi.Connector() {
      public String name() {
        return "plain";
      }

      public io.salesos.spi.CrmSchema describe() {
        return new io.salesos.spi.CrmSchema(List.of());
      }

      public io.salesos.spi.PullBatch pull(io.salesos.spi.PullRequest r) {
        throw new UnsupportedOperationException();
      }

      public List<io.salesos.spi.WriteResult> push(String o, List<Write> w) {
        throw new UnsupportedOperationException();
      }

      public int maxWriteBatch() {
        return 1;
      }

      public io.salesos.spi.ApiBudget limits() {
        return io.salesos.spi.ApiBudget.UNKNOWN;
      }
    };

    assertThatThrownBy(() -> plain.createFields(needed)).isInstanceOf(ConnectorException.class)
        .hasMessageContaining("cannot create fields");
  }
}
