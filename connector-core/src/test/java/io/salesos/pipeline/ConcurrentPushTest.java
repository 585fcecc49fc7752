package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's push job and the stream's push on arrival drain the same outbox in one process, at
 * any moment: found by {@code MidStreamKillTest}, where two drains side by side each sent and
 * journalled the same writes. However many pushes run at once, each write is sent and journalled once.
 */
class ConcurrentPushTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: tasks
          canonical: activity
          constants: {kind: task}
          fields: {subject: subject, status: status, salesos_key: salesos_key}
      """;

  final Database db = TestDatabases.fresh();

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void pushesSideBySideSendAndJournalEachWriteOnce() throws Exception {
    var crm = new MemoryCrm("mem");
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000), Clock.systemUTC());
    var writes = new ArrayList<OutboxEntry>();
    for (int i = 0; i < 300; i++) {
      writes.add(OutboxEntry.queued("task-" + i, "mem", "tasks", "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.TASK,
          Map.of("subject", "Call back " + i, "status", "planned", "salesos_key", "task-" + i), Map.of(),
          Optional.of("test"), Optional.empty(), Optional.of("run-1"), "rules"));
    }
    engine.outbox().enqueue(writes);

    var pool = Executors.newFixedThreadPool(4);
    var start = new CountDownLatch(1);
    var done = new ArrayList<java.util.concurrent.Future<?>>();
    for (int t = 0; t < 4; t++) {
      done.add(pool.submit(() -> {
        start.await();
        return engine.push();
      }));
    }
    start.countDown();
    for (var f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();

    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), COUNT(DISTINCT idem_key) FROM write_journal WHERE outcome = 'written'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("writes journalled").isEqualTo(300);
      assertThat(rs.getLong(2)).isEqualTo(300);
    }
    assertThat(crm.all("tasks")).hasSize(300);
  }
}
