package io.salesos.daemon.engine;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.spi.Write;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rep's edit in Salesforce that no incremental pull can see (a transaction longer than the
 * connector's overlap, stamped behind the cursor) is still seen before salesos pushes, because the
 * drain reads the records it updates by id: it is recorded as a conflict and the CRM's value kept.
 */
class SalesforceConflictTest {

  static final String MAPPING = """
      crm: salesforce
      objects:
        - crm_object: Opportunity
          canonical: deal
          fields:
            Name: name
            Salesos_Flags__c: salesos_flags
      """;

  SalesforceSandbox sandbox;
  Database db;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(db, sandbox);
  }

  @Test
  void anEditBehindTheCursorIsStillAConflictAndTheCrmValueIsKept() {
    sandbox = SalesforceSandbox.builder().start();
    var id = sandbox.seedOpportunities(2, 0).get(0);
    db = TestDatabases.fresh();
    var connection = EngineFixtures.salesforceConnection(sandbox, MAPPING);
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(new AllowList(Map.of("deal", Set.of("name", "salesos_flags")), Set.of())), ConflictPolicy.defaults(),
        new Pipeline.Settings(200, 1_000, 3, Duration.ZERO, 1_000), Clock.systemUTC());
    var other = sandbox.seedOpportunities(1, 0).get(0);
    sandbox.clock().advance(Duration.ofSeconds(2));
    engine.pull(Optional.empty());
    // a fresh edit elsewhere brings the cursor up to the present (less the overlap)
    sandbox.editAsUser(List.of(other), Map.of("NextStep", "call back"));
    engine.pull(Optional.empty());
    var pulledAt = sandbox.clock().instant();
    var decidedOn = engine.mirror().find("deal", "salesforce", id, CanonicalSchema.standardFields("deal")).orElseThrow().get("name");
    engine.outbox().enqueue(List.of(OutboxEntry.queued("rename-" + id, "salesforce", "Opportunity", "deal", Optional.of(id),
        Write.Op.UPDATE, WriteKind.FLAG, Map.of("name", "Renamed by salesos", "salesos_flags", "NO_VISIT"),
        Map.of("name", decidedOn, "salesos_flags", ""), Optional.of("test.rename"), Optional.empty(), Optional.of("run-sf"),
        "rules")));
    // the rep's save ran in a transaction that began before the last pull and committed after it,
    // longer than the connector's overlap: its stamp is behind the cursor, so no incremental pull sees it
    sandbox.clock().advance(Duration.ofSeconds(5));
    sandbox.commitLate(List.of(id), Map.of("Name", "Renamed by the rep"), pulledAt.minusSeconds(3));

    var stats = engine.push();

    assertThat(stats.conflicts()).isEqualTo(1);
    assertThat(stats.written()).isEqualTo(1);
    assertThat(sandbox.get(id).orElseThrow()).containsEntry("Name", "Renamed by the rep").containsEntry("Salesos_Flags__c", "NO_VISIT");
    assertThat(EngineFixtures.count(SalesforceRollbackTest.schemaOf(db),
        "SELECT COUNT(*) FROM conflict WHERE field = 'name' AND crm_value = 'Renamed by the rep' AND resolution = 'kept_crm'"))
        .isEqualTo(1);
  }
}
