package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.mapping.Mapping;
import io.salesos.outbox.AllowList;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.schema.FieldPreparer;
import io.salesos.schema.NeededFields;
import io.salesos.schema.SchemaCheck;
import io.salesos.spi.FieldCreation.Outcome;
import io.salesos.spi.FieldSpec;
import io.salesos.spi.Write;
import io.salesos.connection.CrmConnection;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** `salesos schema verify|prepare` against a Salesforce sandbox org that starts without salesos's fields. */
class SchemaPrepareTest {

  private static final List<String> SALESOS_FIELDS = List.of("Opportunity.Salesos_Flags__c",
      "Opportunity.Salesos_Forecast_Category__c", "Task.Salesos_Key__c", "Event.Salesos_Key__c");

  @TempDir
  Path tmp;

  private SalesforceSandbox sandbox;
  private SalesforceConnector connector;
  private List<FieldSpec> needed;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().withoutSalesosFields().start();
    connector = SandboxConnections.connector(sandbox, Map.of());
    var mapping = Mapping.load(mappingFile());
    var connection = new CrmConnection("sf-test", "salesforce", connector, mapping, true);
    // the allow-list of the shipped rules/write-policy.yaml, as the CLI reads it
    var policy = LiveRuleSet.load(rulesDir(), LiveRuleSet.vocabulary(List.of(connection.mapping()))).writePolicy();
    needed = NeededFields.of(mapping, new AllowList(policy.allow(), Set.of("activity")));
  }

  @AfterEach
  void stop() {
    connector.close();
    sandbox.close();
  }

  private static Path mappingFile() {
    var p = Path.of("../config/mappings/salesforce.yaml");
    return Files.exists(p) ? p : Path.of("config/mappings/salesforce.yaml");
  }

  private static Path rulesDir() {
    var p = Path.of("../rules");
    return Files.exists(p) ? p : Path.of("rules");
  }

  private FieldPreparer preparer() {
    return new FieldPreparer("sf-test", connector, needed);
  }

  private FieldPreparer.Options create() {
    return new FieldPreparer.Options(false, Optional.empty(), tmp.resolve("fallback"));
  }

  @Test
  void theNeededFieldsAreTheAllowListedOnesOfOpportunityTaskAndEvent() {
    assertThat(needed).extracting(FieldSpec::qualifiedName).containsAll(SALESOS_FIELDS)
        .contains("Task.Subject", "Task.WhatId", "Event.StartDateTime", "Event.Status__c")
        .doesNotContain("Task.AccountId", "Opportunity.Name", "Event.CreatedDate");
    var category = needed.stream().filter(f -> f.name().equals("Salesos_Forecast_Category__c")).findFirst().orElseThrow();
    assertThat(category.values()).containsExactly("Omitted", "Pipeline", "Best Case", "Commit", "Closed");
  }

  @Test
  void verifyOnABareOrgReportsEachSalesosFieldMissing() throws Exception {
    var check = preparer().check();

    assertThat(check.complete()).isFalse();
    assertThat(check.missing()).extracting(FieldSpec::qualifiedName).containsExactlyInAnyOrderElementsOf(SALESOS_FIELDS);
    assertThat(check.toFixByHand()).isEmpty();
  }

  @Test
  void prepareCreatesEveryFieldThroughTheMetadataApiAndASecondRunChangesNothing() throws Exception {
    var first = preparer().prepare(create());

    assertThat(first.changes().fields()).hasSize(4).allMatch(f -> f.outcome() == Outcome.CREATED);
    assertThat(first.after().complete()).isTrue();
    assertThat(first.changes().steps()).anySatisfy(s -> assertThat(s).contains("Salesos_Integration")
        .contains("assigned to the integration user"));
    assertThat(sandbox.permissionSet("Salesos_Integration")).containsKeys("Opportunity.Salesos_Flags__c",
        "Opportunity.Salesos_Forecast_Category__c", "Task.Salesos_Key__c", "Event.Salesos_Key__c");
    var described = connector.describe();
    var key = described.object("Event").orElseThrow().field("Salesos_Key__c").orElseThrow();
    assertThat(key.unique()).isTrue();
    assertThat(key.type()).isEqualTo("string");
    assertThat(described.object("Opportunity").orElseThrow().field("Salesos_Flags__c").orElseThrow().type())
        .isEqualTo("textarea");

    var second = preparer().prepare(create());

    assertThat(second.unchanged()).isTrue();
    assertThat(second.before().complete()).isTrue();
  }

  @Test
  void createdFieldsAreWritableQueryableAndServeUpsertsAtOnce() throws Exception {
    preparer().prepare(create());
    var opportunity = sandbox.createAsUser("Opportunity", Map.of("Name", "Acme renewal", "StageName", "Proposal",
        "CloseDate", LocalDate.of(2027, 3, 31), "Amount", new BigDecimal("12000")));

    var flagged = connector.push("Opportunity", List.of(Write.update("flags:1", opportunity,
        Map.of("Salesos_Flags__c", "no next step\nno visit in 14 days", "Salesos_Forecast_Category__c", "Best Case"))));
    var task = new HashMap<String, Object>(Map.of("Subject", "Call the buyer", "ActivityDate", "2027-01-10",
        "Salesos_Key__c", "followup:1"));
    var first = connector.push("Task", List.of(Write.upsert("followup:1", "Salesos_Key__c", task)));
    var again = connector.push("Task", List.of(Write.upsert("followup:1", "Salesos_Key__c", task)));

    assertThat(flagged.get(0).success()).as(flagged.toString()).isTrue();
    assertThat(sandbox.get(opportunity).orElseThrow()).containsEntry("Salesos_Forecast_Category__c", "Best Case");
    assertThat(first.get(0).success()).as(first.toString()).isTrue();
    assertThat(first.get(0).created()).isTrue();
    assertThat(again.get(0).created()).isFalse();
    assertThat(sandbox.count("Task")).isEqualTo(1);
  }

  @Test
  void aWriteToAFieldTheOrgLacksFailsAsSalesforceDoes() throws Exception {
    var opportunity = sandbox.createAsUser("Opportunity", Map.of("Name", "Acme", "StageName", "Proposal",
        "CloseDate", LocalDate.of(2027, 3, 31)));

    var results = connector.push("Opportunity", List.of(Write.update("flags:1", opportunity,
        Map.of("Salesos_Flags__c", "x"))));

    assertThat(results.get(0).success()).isFalse();
    assertThat(results.get(0).errorCode()).hasValue("INVALID_FIELD");
  }

  @Test
  void aFieldOfTheWrongTypeIsReportedAndLeftAlone() throws Exception {
    sandbox.createFieldAsAdmin("Opportunity", "Salesos_Flags__c", "Checkbox");

    var result = preparer().prepare(create());

    var row = result.after().rows().stream().filter(r -> r.field().name().equals("Salesos_Flags__c")).findFirst()
        .orElseThrow();
    assertThat(row.status()).isEqualTo(SchemaCheck.Status.WRONG_TYPE);
    assertThat(row.found()).isEqualTo("boolean");
    assertThat(row.detail()).contains("Long Text Area");
    assertThat(result.changes().fields()).extracting(f -> f.field().name()).doesNotContain("Salesos_Flags__c");
    assertThat(result.after().complete()).isFalse();
  }

  @Test
  void aPicklistWithoutAValueSalesosWritesIsReported() throws Exception {
    sandbox.createFieldAsAdmin("Opportunity", "Salesos_Forecast_Category__c", "Picklist", "Omitted", "Pipeline",
        "Best Case");

    var check = preparer().check();

    var row = check.rows().stream().filter(r -> r.field().name().equals("Salesos_Forecast_Category__c")).findFirst()
        .orElseThrow();
    assertThat(row.status()).isEqualTo(SchemaCheck.Status.MISSING_VALUES);
    assertThat(row.detail()).contains("Commit, Closed");
  }

  @Test
  void withoutMetadataPermissionPrepareWritesAPackageWithEveryMissingFieldAndTheStepsToDeployIt() throws Exception {
    sandbox.metadataApiPermitted(false);
    var dir = tmp.resolve("package");

    var result = preparer().prepare(new FieldPreparer.Options(false, Optional.empty(), dir));

    assertThat(result.changes().fields()).hasSize(4).allMatch(f -> f.outcome() == Outcome.PACKAGED);
    assertThat(result.changes().steps()).anySatisfy(s -> assertThat(s).contains("sf project deploy start --metadata-dir " + dir));
    assertThat(result.after().missing()).hasSize(4);
    assertValidPackage(dir);
  }

  @Test
  void packageDirWritesThePackageWithoutCallingTheMetadataApi() throws Exception {
    var dir = tmp.resolve("forced");

    var result = preparer().prepare(new FieldPreparer.Options(false, Optional.of(dir), tmp.resolve("unused")));

    assertThat(result.changes().fields()).allMatch(f -> f.outcome() == Outcome.PACKAGED);
    assertThat(result.after().missing()).hasSize(4);
    assertValidPackage(dir);
  }

  private static void assertValidPackage(Path dir) throws Exception {
    var dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    var pkg = dbf.newDocumentBuilder().parse(dir.resolve("package.xml").toFile()).getDocumentElement();
    assertThat(pkg.getNamespaceURI()).isEqualTo("http://soap.sforce.com/2006/04/metadata");
    assertThat(texts(pkg, "members")).containsExactlyInAnyOrder("Activity.Salesos_Key__c",
        "Opportunity.Salesos_Flags__c", "Opportunity.Salesos_Forecast_Category__c", "Salesos_Integration");
    assertThat(texts(pkg, "version")).containsExactly(SalesforceSandbox.DEFAULT_API_VERSION);

    var opportunity = dbf.newDocumentBuilder().parse(dir.resolve("objects/Opportunity.object").toFile()).getDocumentElement();
    assertThat(opportunity.getLocalName()).isEqualTo("CustomObject");
    assertThat(texts(opportunity, "type")).containsExactlyInAnyOrder("LongTextArea", "Picklist");
    assertThat(opportunity.getElementsByTagNameNS("*", "value").getLength()).isEqualTo(5);
    var activity = dbf.newDocumentBuilder().parse(dir.resolve("objects/Activity.object").toFile()).getDocumentElement();
    assertThat(texts(activity, "externalId")).containsExactly("true");
    assertThat(texts(activity, "unique")).containsExactly("true");
    var permissions = dbf.newDocumentBuilder().parse(dir.resolve("permissionsets/Salesos_Integration.permissionset")
        .toFile()).getDocumentElement();
    assertThat(texts(permissions, "field")).containsExactlyInAnyOrder("Opportunity.Salesos_Flags__c",
        "Opportunity.Salesos_Forecast_Category__c", "Task.Salesos_Key__c", "Event.Salesos_Key__c");
  }

  private static List<String> texts(Element root, String localName) {
    var nodes = root.getElementsByTagNameNS("*", localName);
    var out = new java.util.ArrayList<String>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().trim());
    }
    return out;
  }
}
