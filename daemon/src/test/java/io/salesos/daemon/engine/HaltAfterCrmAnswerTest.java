package io.salesos.daemon.engine;

import static io.salesos.daemon.engine.EngineFixtures.tasksByKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A daemon killed after the CRM accepted a batch and before the outbox and journal recorded it: the
 * restarted daemon sends the batch again (an upsert by key lands once), journals it once, and a
 * rollback of the run undoes it. The outbox row and its journal entry commit together or not at all.
 */
class HaltAfterCrmAnswerTest extends ChildDaemonTest {

  static final int WRITES = 3;

  @Test
  void aKillBetweenTheCrmAnswerAndTheJournalLeavesTheWriteJournalledOnceAndUndoable() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults());
    var schema = TestDatabases.newSchema();
    db = Database.external(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password(), 2);
    var writes = new ArrayList<OutboxEntry>();
    for (int i = 0; i < WRITES; i++) {
      writes.add(EngineFixtures.taskWrite("halt-task-%d".formatted(i), "run-halt"));
    }
    new OutboxStore(db, Clock.systemUTC()).enqueue(writes);
    var config = EngineFixtures.hubspotConfig(dir.resolve("conf"), sandbox, schema, "");

    // the first life halts (as a SIGKILL would) right after HubSpot answered the batch
    child = EngineFixtures.startChild(dir.resolve("halted.log"), List.of("-Dsalesos.test.haltAfterCrmAnswer=true"),
        EngineLoop.class, config.toString());
    assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("the child halts after the CRM's answer").isTrue();
    assertThat(child.exitValue()).isEqualTo(137);
    assertThat(tasksByKey(sandbox)).as("the CRM holds the batch").hasSize(WRITES);
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'done'")).as("not marked done").isZero();
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM write_journal WHERE run_id = 'run-halt'"))
        .as("and not journalled: both are one transaction").isZero();

    // the second life sends the batch again; the upsert by key lands on the same records
    child = EngineFixtures.startChild(dir.resolve("restarted.log"), EngineLoop.class, config.toString());
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < end
        && EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'done'") < WRITES) {
      Thread.sleep(200);
    }
    child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(tasksByKey(sandbox)).hasSize(WRITES).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1));
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM write_journal WHERE run_id = 'run-halt' AND outcome = 'written'"))
        .as("journalled exactly once per write").isEqualTo(WRITES);
    assertThat(EngineFixtures.count(schema,
        "SELECT COUNT(DISTINCT idem_key) FROM write_journal WHERE run_id = 'run-halt' AND outcome = 'written'")).isEqualTo(WRITES);

    // and the journal can undo it: the records the run created are deleted
    assertThat(Main.execute("rollback", "run-halt", "--config", config.toString())).isZero();
    assertThat(tasksByKey(sandbox)).isEmpty();
  }
}
