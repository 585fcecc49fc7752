package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.CustomTables;
import io.salesos.mirror.Database;
import io.salesos.rules.TaskToCreate;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.SiteVisits;
import io.salesos.testing.TestDatabases;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Salesforce custom object an admin maps (Site_Visit__c, with a lookup to Account) is described,
 * bulk-loaded into its own typed mirror table, read by a rule through account.site_visits, and
 * follows the type changes an admin makes in Setup.
 */
class CustomObjectSyncTest {

  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

  static final String MAPPING = """
      crm: salesforce
      objects:
        - crm_object: Account
          canonical: account
          fields:
            Name: name
            OwnerId: owner_id
      custom_objects:
        - crm_object: Site_Visit__c
          table: site_visit
          fields: [Account__c, Visited_On__c, Outcome__c, Minutes__c]
          relation:
            name: site_visits
            from: account
            key: account
      """;

  SalesforceSandbox sandbox;
  Database db;
  SyncEngine sync;
  CrmConnection connection;
  List<String> accounts;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(NOW))
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW))).start();
    var fields = new LinkedHashMap<String, String>();
    fields.put("Account__c", "Lookup(Account)");
    fields.put("Visited_On__c", "Date");
    fields.put("Outcome__c", "Text");
    fields.put("Minutes__c", "Number");
    sandbox.createCustomObjectAsAdmin("Site_Visit__c", "Site Visit", "a0V", fields);
    accounts = sandbox.ids("Account");
    sandbox.createAsUser("Site_Visit__c", Map.of("Name", "SV-1", "Account__c", accounts.get(0), "Visited_On__c",
        LocalDate.of(2026, 11, 18), "Outcome__c", "Met the buyer", "Minutes__c", 45));
    sandbox.createAsUser("Site_Visit__c", Map.of("Name", "SV-2", "Account__c", accounts.get(1), "Visited_On__c",
        LocalDate.of(2026, 5, 2), "Outcome__c", "Left samples", "Minutes__c", 15));
    db = TestDatabases.fresh();
    // bulk_threshold 1: the initial load of every object goes through a Bulk query job
    connection = new CrmConnection("salesforce", "salesforce",
        new ResilientConnector(SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1")), ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("salesforce.yaml", MAPPING)), false);
    sync = new SyncEngine(db, List.of(connection), new SyncEngine.PullSettings(500, 100, 1), sandbox.clock());
  }

  @AfterEach
  void stop() {
    db.close();
    sandbox.close();
  }

  @Test
  void aCustomObjectLandsInItsOwnTypedTableAndARuleReadsIt() throws Exception {
    var stats = sync.pullAll(Optional.empty());
    assertThat(stats).allSatisfy(s -> assertThat(s.error()).as(s.crmObject()).isEmpty());

    assertThat(columnTypes()).containsEntry("account", "varchar(64)").containsEntry("visited_on", "date")
        .containsEntry("outcome", "varchar(255)").containsEntry("minutes", "double");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT account, visited_on, minutes FROM custom_site_visit WHERE outcome = 'Met the buyer'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(accounts.get(0));
      assertThat(rs.getObject(2, LocalDate.class)).isEqualTo(LocalDate.of(2026, 11, 18));
      assertThat(rs.getDouble(3)).isEqualTo(45.0);
    }

    assertThat(SiteVisits.staleSiteVisitTasks(db, connection, sandbox.clock(), "salesforce", NOW))
        .extracting(TaskToCreate::accountId, TaskToCreate::subject)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Optional.of(accounts.get(1)), "Visit "
            + sandbox.get(accounts.get(1)).orElseThrow().get("Name") + " again: Left samples"));
  }

  @Test
  void aTypeChangeInSetupIsMigratedAndALossyOneRefused() throws Exception {
    sync.pullAll(Optional.empty());
    assertThat(columnTypes()).containsEntry("outcome", "varchar(255)");

    // Text -> Long Text Area: every value fits
    sandbox.changeFieldTypeAsAdmin("Site_Visit__c", "Outcome__c", "LongTextArea");
    var resolved = sync.describeCustomObjects(Optional.empty()).get("salesforce");
    assertThat(resolved.problems()).isEmpty();
    assertThat(columnTypes()).containsEntry("outcome", "text");
    assertThat(new CustomTables(db, sandbox.clock()).migrations(5).get(0))
        .satisfies(m -> {
          assertThat(m.outcome()).isEqualTo("applied");
          assertThat(m.statement()).contains("ALTER TABLE `custom_site_visit` MODIFY COLUMN `outcome` TEXT NULL");
        });

    // Long Text Area -> Date: "Met the buyer" is no date; Salesforce blanks it, the mirror refuses to
    sandbox.changeFieldTypeAsAdmin("Site_Visit__c", "Outcome__c", "Date");
    resolved = sync.describeCustomObjects(Optional.empty()).get("salesforce");
    assertThat(resolved.problems().get("Site_Visit__c"))
        .contains("refused to change custom_site_visit.outcome from text to date").contains("2 of 2 value(s)");
    assertThat(columnTypes()).containsEntry("outcome", "text");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM custom_site_visit WHERE outcome IN ('Met the buyer', 'Left samples')")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(2);
    }
  }

  Map<String, String> columnTypes() throws SQLException {
    return SiteVisits.columnTypes(db);
  }
}
