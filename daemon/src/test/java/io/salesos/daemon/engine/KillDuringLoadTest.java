package io.salesos.daemon.engine;

import static io.salesos.daemon.engine.EngineFixtures.awaitLine;
import static io.salesos.daemon.engine.EngineFixtures.inSandbox;
import static io.salesos.daemon.engine.EngineFixtures.mirrored;
import static io.salesos.daemon.engine.EngineFixtures.tasksByKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A daemon killed with SIGKILL at 20 seeded random points while it loads a HubSpot portal and
 * pushes 5,000 queued writes loses nothing and writes nothing twice: each batch lands with its
 * checkpoint, and a write sent but not yet marked done is re-sent as an idempotent upsert by key.
 */
@Tag("slow")
class KillDuringLoadTest extends ChildDaemonTest {

  static final int DEALS = 25_000;
  static final int WRITES = 5_000;
  static final int KILLS = 20;

  @Test
  void aDaemonKilledTwentyTimesDuringALoadAndAPushLosesNothingAndWritesNothingTwice() throws Exception {
    // the sandbox lives in this JVM, so it outlives every kill; HubSpot's real burst limit, a faster search limit
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withTier("enterprise")
        .withLimits(new RateLimits(190, 10_000, 10_000_000, 100)));
    sandbox.fillDeals(DEALS, Instant.now().minus(Duration.ofDays(3)), Duration.ofMillis(7));
    var schema = TestDatabases.newSchema();
    db = Database.external(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password(), 2);
    var writes = new ArrayList<OutboxEntry>();
    for (int i = 0; i < WRITES; i++) {
      writes.add(EngineFixtures.taskWrite("kill-task-%05d".formatted(i), "run-kill"));
    }
    assertThat(new OutboxStore(db, Clock.systemUTC()).enqueue(writes)).isEqualTo(WRITES);
    var config = EngineFixtures.hubspotConfig(dir.resolve("conf"), sandbox, schema, "");
    var sandboxNames = inSandbox(sandbox, "deals", "dealname");

    var random = new Random(20_261_102L);
    long t0 = System.nanoTime();
    int lastDeals = 0;
    var progress = new ArrayList<String>();
    for (int kill = 1; kill <= KILLS; kill++) {
      var log = dir.resolve("child-" + kill + ".log");
      child = EngineFixtures.startChild(log, EngineLoop.class, config.toString());
      awaitLine(log, 0, l -> l.startsWith("engine-loop ready"), Duration.ofSeconds(60), child);
      Thread.sleep(150 + random.nextInt(1_600));
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

      // after every kill: what the mirror holds is what the CRM holds, nothing went backwards, nothing doubled
      var deals = mirrored(schema, "deal", "deals", "name");
      assertThat(sandboxNames).as("kill %d: every mirrored deal matches the CRM", kill).containsAllEntriesOf(deals);
      assertThat(deals.size()).as("kill %d: the mirror never loses a committed batch", kill).isGreaterThanOrEqualTo(lastDeals);
      lastDeals = deals.size();
      var byKey = tasksByKey(sandbox);
      assertThat(byKey.values()).as("kill %d: no write reached the CRM twice", kill).allMatch(n -> n == 1);
      var crmTasks = inSandbox(sandbox, "tasks", "salesos_key");
      assertThat(crmTasks).as("kill %d: every mirrored task matches the CRM", kill)
          .containsAllEntriesOf(mirrored(schema, "activity", "tasks", "salesos_key"));
      long done = EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'done'");
      assertThat((long) byKey.size()).as("kill %d: every write marked done is in the CRM", kill).isGreaterThanOrEqualTo(done);
      progress.add("kill " + kill + ": mirror deals=" + deals.size() + " crm tasks=" + byKey.size() + " outbox done=" + done);
    }

    // one more life, left to finish: the mirror equals the CRM and every write exists exactly once
    var log = dir.resolve("child-final.log");
    child = EngineFixtures.startChild(log, EngineLoop.class, config.toString());
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Map<String, String> deals = Map.of();
    Map<String, String> tasks = Map.of();
    while (System.nanoTime() < end) {
      deals = mirrored(schema, "deal", "deals", "name");
      tasks = mirrored(schema, "activity", "tasks", "salesos_key");
      if (deals.size() == DEALS && tasks.size() == WRITES && EngineFixtures.count(schema,
          "SELECT COUNT(*) FROM outbox WHERE status <> 'done'") == 0) {
        break;
      }
      Thread.sleep(250);
    }
    child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    System.out.println("kill test: " + String.join("; ", progress) + "; total " + EngineFixtures.since(t0).toSeconds() + " s");

    assertThat(deals).as("mirrored deals").isEqualTo(sandboxNames);
    assertThat(new TreeMap<>(tasks)).as("mirrored tasks").isEqualTo(inSandbox(sandbox, "tasks", "salesos_key"));
    var byKey = tasksByKey(sandbox);
    assertThat(byKey).hasSize(WRITES);
    assertThat(byKey.values()).allMatch(n -> n == 1);
    for (int i = 0; i < WRITES; i++) {
      assertThat(byKey).containsEntry("kill-task-%05d".formatted(i), 1);
    }
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'done'")).isEqualTo(WRITES);
  }
}
