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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code rollback RUN} against the Salesforce sandbox: a run that flagged opportunities (one of
 * which carried a flag already) and created a task is undone in the org and in the mirror.
 */
class SalesforceRollbackTest {

  static final String MAPPING = """
      crm: salesforce
      objects:
        - crm_object: Opportunity
          canonical: deal
          fields:
            Name: name
            StageName: stage
            Salesos_Flags__c: salesos_flags
        - crm_object: Task
          canonical: activity
          constants:
            kind: task
          fields:
            Subject: subject
            ActivityDate: due_date
            Salesos_Key__c: salesos_key
      """;

  SalesforceSandbox sandbox;
  Database db;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(db, sandbox);
  }

  @Test
  void rollbackRestoresTheBeforeImagesOfARunInTheOrgAndTheMirror() {
    sandbox = SalesforceSandbox.builder().start();
    var ids = sandbox.seedOpportunities(4, 0);
    sandbox.editAsUser(List.of(ids.get(0)), Map.of("Salesos_Flags__c", "OLD_FLAG"));
    db = TestDatabases.fresh();
    var connection = EngineFixtures.salesforceConnection(sandbox, MAPPING);
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(200, 1_000, 3, Duration.ZERO, 1_000), Clock.systemUTC());
    sandbox.clock().advance(Duration.ofSeconds(2));
    engine.pull(Optional.empty());
    var columns = CanonicalSchema.standardFields("deal");
    assertThat(engine.mirror().find("deal", "salesforce", ids.get(0), columns).orElseThrow()).containsEntry("salesos_flags", "OLD_FLAG");

    // the run: flags on three opportunities (the first already flagged) and a new task
    var writes = new ArrayList<OutboxEntry>();
    for (var id : ids.subList(0, 3)) {
      var before = engine.mirror().find("deal", "salesforce", id, columns).orElseThrow().get("salesos_flags");
      var expected = new HashMap<String, Object>();
      expected.put("salesos_flags", before);
      writes.add(OutboxEntry.queued("flag-" + id, "salesforce", "Opportunity", "deal", Optional.of(id), Write.Op.UPDATE,
          WriteKind.FLAG, Map.of("salesos_flags", "NO_VISIT"), expected, Optional.of("exit.visit"), Optional.empty(),
          Optional.of("run-7"), "rules"));
    }
    var task = new HashMap<String, Object>();
    task.put("subject", "Book a visit");
    task.put("due_date", "2026-12-01");
    writes.add(OutboxEntry.queued("task-run-7", "salesforce", "Task", "activity", Optional.empty(), Write.Op.UPSERT,
        WriteKind.TASK, task, Map.of(), Optional.of("follow.stall"), Optional.empty(), Optional.of("run-7"), "rules"));
    engine.outbox().enqueue(writes);
    var pushed = engine.push();
    assertThat(pushed.written()).isEqualTo(4);
    sandbox.clock().advance(Duration.ofSeconds(2));
    engine.pull(Optional.empty());
    for (var id : ids.subList(0, 3)) {
      assertThat(sandbox.get(id).orElseThrow()).containsEntry("Salesos_Flags__c", "NO_VISIT");
      assertThat(engine.mirror().find("deal", "salesforce", id, columns).orElseThrow()).containsEntry("salesos_flags", "NO_VISIT");
    }
    assertThat(sandbox.count("Task")).isEqualTo(1);
    assertThat(EngineFixtures.count(schemaOf(db), "SELECT COUNT(*) FROM activity WHERE NOT deleted")).isEqualTo(1);

    var result = engine.rollback("run-7", "admin:test");

    assertThat(result.queued()).isEqualTo(4);
    assertThat(result.stats().written()).isEqualTo(4);
    assertThat(sandbox.get(ids.get(0)).orElseThrow()).containsEntry("Salesos_Flags__c", "OLD_FLAG");
    for (var id : ids.subList(1, 4)) {
      assertThat(sandbox.get(id).orElseThrow().get("Salesos_Flags__c")).as(id).isNullOrEmpty();
    }
    assertThat(sandbox.count("Task")).isZero();
    // the rollback's own refresh runs straight after its writes, inside the overlap: the next pull brings them
    sandbox.clock().advance(Duration.ofSeconds(2));
    engine.pull(Optional.empty());
    assertThat(engine.mirror().find("deal", "salesforce", ids.get(0), columns).orElseThrow()).containsEntry("salesos_flags", "OLD_FLAG");
    for (var id : ids.subList(1, 3)) {
      assertThat(engine.mirror().find("deal", "salesforce", id, columns).orElseThrow().get("salesos_flags")).as(id).isNull();
    }
    assertThat(EngineFixtures.count(schemaOf(db), "SELECT COUNT(*) FROM activity WHERE NOT deleted")).isZero();
    assertThat(engine.journal().ofRun("rollback-run-7")).hasSize(4).allSatisfy(e -> assertThat(e.actor()).contains("admin:test"));
  }

  static String schemaOf(Database db) {
    try (var c = db.connection()) {
      return c.getCatalog();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
