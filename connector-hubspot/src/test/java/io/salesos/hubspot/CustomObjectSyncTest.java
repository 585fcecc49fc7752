package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.CustomTables;
import io.salesos.mirror.Database;
import io.salesos.rules.TaskToCreate;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.SiteVisits;
import io.salesos.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A HubSpot custom object defined through the schemas API (site_visit, associated with companies)
 * is described, listed into its own typed mirror table with its company association, read by a rule
 * through account.site_visits, and follows the property type changes an admin makes.
 */
class CustomObjectSyncTest {

  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  static final String MAPPING = """
      crm: hubspot
      objects:
        - crm_object: companies
          canonical: account
          fields:
            name: name
            hubspot_owner_id: owner_id
      custom_objects:
        - crm_object: site_visit
          table: site_visit
          fields:
            associations.companies: account_id
            visited_on: visited_on
            outcome: outcome
            minutes: minutes
          relation: {name: site_visits, from: account, key: account_id}
      """;

  HubSpotSandbox sandbox;
  Database db;
  SyncEngine sync;
  CrmConnection connection;
  List<String> companies;
  String typeId;

  @BeforeEach
  void start() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited()));
    sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0)));
    companies = sandbox.ids("companies");
    var schema = call("POST", "/crm/v3/schemas", """
        {"name": "site_visit", "labels": {"singular": "Site visit", "plural": "Site visits"},
         "primaryDisplayProperty": "outcome", "requiredProperties": ["outcome"],
         "properties": [
           {"name": "outcome", "label": "Outcome", "type": "string", "fieldType": "text"},
           {"name": "visited_on", "label": "Visited on", "type": "date", "fieldType": "date"},
           {"name": "minutes", "label": "Minutes on site", "type": "number", "fieldType": "number"}],
         "associatedObjects": ["COMPANY"]}""", 201);
    typeId = schema.path("objectTypeId").asText();
    assertThat(typeId).startsWith("2-");
    assertThat(schema.path("fullyQualifiedName").asText()).endsWith("_site_visit");
    var toCompany = schema.path("associations").get(0).path("id").asInt();
    visit(companies.get(0), "2026-11-18", "Met the buyer", "45", toCompany);
    visit(companies.get(1), "2026-05-02", "Left samples", "15", toCompany);
    sandbox.clock().advance(Duration.ofMinutes(1));
    db = TestDatabases.fresh();
    connection = new CrmConnection("hubspot", "hubspot", new ResilientConnector(connect(sandbox), ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("hubspot.yaml", MAPPING)), false);
    sync = new SyncEngine(db, List.of(connection), new SyncEngine.PullSettings(100, 100, 1), sandbox.clock());
  }

  @AfterEach
  void stop() {
    db.close();
    sandbox.close();
  }

  void visit(String companyId, String on, String outcome, String minutes, int associationTypeId) throws Exception {
    call("POST", "/crm/v3/objects/" + typeId, """
        {"properties": {"visited_on": "%s", "outcome": "%s", "minutes": "%s"},
         "associations": [{"to": {"id": "%s"}, "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": %d}]}]}"""
        .formatted(on, outcome, minutes, companyId, associationTypeId), 201);
  }

  JsonNode call(String method, String path, String body, int expected) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
        .header("Authorization", "Bearer " + sandbox.token()).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }

  @Test
  void theSchemasApiDefinesTheObjectAndRejectsABadDefinition() throws Exception {
    var listed = call("GET", "/crm/v3/schemas", null, 200);
    assertThat(listed.path("results")).hasSize(1);
    assertThat(listed.path("results").get(0).path("properties").findValuesAsText("name"))
        .contains("outcome", "visited_on", "minutes", "hs_object_id", "hs_lastmodifieddate");
    assertThat(call("GET", "/crm-object-schemas/v3/schemas/" + typeId, null, 200).path("name").asText()).isEqualTo("site_visit");
    call("POST", "/crm/v3/schemas", """
        {"name": "site_visit", "labels": {"singular": "x", "plural": "xs"}, "requiredProperties": [],
         "properties": [{"name": "a", "label": "A", "type": "string"}]}""", 409);
    call("POST", "/crm/v3/schemas", """
        {"name": "audit", "labels": {"singular": "x", "plural": "xs"}, "requiredProperties": ["missing"],
         "properties": [{"name": "a", "label": "A", "type": "string"}]}""", 400);
    // records are listed by object type id with their company associations, as for any object
    var page = call("GET", "/crm/v3/objects/" + typeId + "?properties=outcome&associations=companies", null, 200);
    assertThat(page.path("results")).hasSize(2);
    assertThat(page.path("results").findValuesAsText("outcome")).containsExactlyInAnyOrder("Met the buyer", "Left samples");
  }

  @Test
  void aCustomObjectLandsInItsOwnTypedTableWithItsCompanyAndARuleReadsIt() throws Exception {
    var stats = sync.pullAll(Optional.empty());
    assertThat(stats).allSatisfy(s -> assertThat(s.error()).as(s.crmObject()).isEmpty());
    assertThat(columnTypes()).containsEntry("account_id", "varchar(64)").containsEntry("visited_on", "date")
        .containsEntry("minutes", "double").containsEntry("outcome", "text");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT account_id, visited_on, minutes FROM custom_site_visit WHERE outcome = 'Met the buyer'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(companies.get(0));
      assertThat(rs.getObject(2, LocalDate.class)).isEqualTo(LocalDate.of(2026, 11, 18));
      assertThat(rs.getDouble(3)).isEqualTo(45.0);
    }

    assertThat(SiteVisits.staleSiteVisitTasks(db, connection, sandbox.clock(), "hubspot", T0))
        .extracting(TaskToCreate::accountId).containsExactly(Optional.of(companies.get(1)));
  }

  @Test
  void aPropertyTypeChangeIsMigratedAndALossyOneRefused() throws Exception {
    sync.pullAll(Optional.empty());
    assertThat(columnTypes()).containsEntry("minutes", "double");

    // number -> single-line text: every number reads back as itself
    call("PATCH", "/crm/v3/properties/" + typeId + "/minutes", "{\"type\": \"string\", \"fieldType\": \"text\"}", 200);
    assertThat(sync.describeCustomObjects(Optional.empty()).get("hubspot").problems()).isEmpty();
    assertThat(columnTypes()).containsEntry("minutes", "text");
    assertThat(new CustomTables(db, sandbox.clock()).migrations(5).get(0).statement())
        .hasValue("ALTER TABLE `custom_site_visit` MODIFY COLUMN `minutes` TEXT NULL");

    // text -> date: "Met the buyer" is no date
    call("PATCH", "/crm/v3/properties/" + typeId + "/outcome", "{\"type\": \"date\", \"fieldType\": \"date\"}", 200);
    var resolved = sync.describeCustomObjects(Optional.empty()).get("hubspot");
    assertThat(resolved.problems().get("site_visit")).contains("refused to change custom_site_visit.outcome from text to date");
    assertThat(resolved.pullable()).isEmpty();
    assertThat(columnTypes()).containsEntry("outcome", "text");
  }

  Map<String, String> columnTypes() throws SQLException {
    return SiteVisits.columnTypes(db);
  }
}
