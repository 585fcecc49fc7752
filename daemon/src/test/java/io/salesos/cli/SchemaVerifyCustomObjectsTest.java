package io.salesos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.CustomTables;
import io.salesos.mirror.Database;
import io.salesos.spi.CrmSchema;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `schema verify` shows each custom object's columns against the CRM's describe, and the migrations applied or refused. */
class SchemaVerifyCustomObjectsTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: Account
          canonical: account
          fields:
            Name: name
      custom_objects:
        - crm_object: Site_Visit__c
          table: site_visit
          fields: [Account__c, Outcome__c, Minutes__c]
          relation: {name: site_visits, from: account, key: account}
      """;

  Database db;
  MemoryCrm crm;
  CrmConnection connection;
  SyncEngine sync;

  @BeforeEach
  void setUp() {
    db = TestDatabases.fresh();
    crm = new MemoryCrm("mem");
    crm.describeAs(schema("string", "integer"));
    connection = new CrmConnection("mem", "memory", crm, Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), false);
    sync = new SyncEngine(db, List.of(connection), new SyncEngine.PullSettings(100, 10, 1), Clock.systemUTC());
    crm.save("Site_Visit__c", List.of(Map.of("id", "V1", "Account__c", "A1", "Outcome__c", "Met buyer", "Minutes__c", "45")));
    sync.pullAll(Optional.empty());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  static CrmSchema schema(String outcome, String minutes) {
    return new CrmSchema(List.of(new CrmSchema.CrmObject("Site_Visit__c", "Site Visit", List.of(
        new CrmSchema.CrmField("Account__c", "Account", "id", true, false, true),
        new CrmSchema.CrmField("Outcome__c", "Outcome", outcome, true, false, true),
        new CrmSchema.CrmField("Minutes__c", "Minutes", minutes, true, false, true)))));
  }

  String verify() {
    var bytes = new ByteArrayOutputStream();
    var ok = SchemaCommand.printCustomObjects(new PrintStream(bytes, true, StandardCharsets.UTF_8), connection, crm.describe(),
        new CustomTables(db, Clock.systemUTC()));
    return (ok ? "OK\n" : "NOT OK\n") + bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void inStepTheObjectIsOkAndAPendingChangeIsAnnounced() {
    assertThat(verify()).startsWith("OK").contains("Site_Visit__c -> table custom_site_visit, rules read it as account.site_visits")
        .containsPattern("outcome\\s+Outcome__c\\s+string\\s+string\\s+ok");
    crm.describeAs(schema("string", "decimal"));
    assertThat(verify()).startsWith("OK").containsPattern("minutes\\s+Minutes__c\\s+decimal\\s+integer\\s+type changed in the CRM");
  }

  @Test
  void appliedAndRefusedMigrationsAreListed() {
    crm.describeAs(schema("text", "decimal"));
    sync.describeCustomObjects(Optional.empty());
    crm.describeAs(schema("date", "decimal"));
    sync.describeCustomObjects(Optional.empty());

    var out = verify();
    assertThat(out).startsWith("NOT OK")
        .containsPattern("outcome\\s+Outcome__c\\s+date\\s+text\\s+REFUSED: refused to change custom_site_visit.outcome from text to date")
        .contains("migrations, newest first:")
        .contains("outcome text -> date  refused: 1 of 1 values would not survive")
        .contains("minutes integer -> decimal  applied (1 values kept): ALTER TABLE `custom_site_visit` MODIFY COLUMN `minutes` DECIMAL(18,2) NULL");
  }
}
