package io.salesos.daemon.engine;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import static io.salesos.daemon.engine.EngineFixtures.inSandbox;
import static io.salesos.daemon.engine.EngineFixtures.tasksByKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A storm of 429s and then a run of 503s from the real HubSpot sandbox: the rate-limited calls are
 * retried after the interval HubSpot names, the outage opens the circuit breaker and recovery closes
 * it, and in the end every record is mirrored and every write exists once.
 */
class RateLimitStormAndBreakerTest {

  HubSpotSandbox sandbox;
  Database db;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(db, sandbox);
  }

  @Test
  void everythingLandsOnceThroughA429StormAndABreakerThatOpensAndCloses() throws Exception {
    // a short rolling window so a 429's interval (which the retry honours) is 300 ms, not 10 s
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ofMillis(100))
        .withLimits(new RateLimits(190, 300, 10_000_000, 100)));
    sandbox.fillDeals(1_000, Instant.now().minus(Duration.ofDays(2)), Duration.ofMillis(3));
    db = TestDatabases.fresh();
    var connection = EngineFixtures.hubspotConnection(sandbox, ResilienceSettings.fast(), Map.of());
    var resilient = (ResilientConnector) connection.connector();
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 1_000, 100, Duration.ZERO, 10_000), Clock.systemUTC());
    var writes = new ArrayList<OutboxEntry>();
    for (int i = 0; i < 600; i++) {
      writes.add(EngineFixtures.taskWrite("storm-%04d".formatted(i), "run-storm"));
    }
    engine.outbox().enqueue(writes);

    // the breaker's states as they pass (it stays open 500 ms with the fast settings)
    var seen = ConcurrentHashMap.<CircuitBreaker.State>newKeySet();
    var watching = new AtomicBoolean(true);
    var watcher = new Thread(() -> {
      while (watching.get()) {
        seen.add(resilient.circuitState());
        EngineFixtures.sleep(2);
      }
    });
    watcher.start();
    try {
      // the storm: the next 20 requests answer 429 with no budget left; a call that meets six in a row
      // gives up and its rows stay queued for the next drain
      sandbox.faults().rateLimitBurst(20);
      syncUntilSettled(engine, resilient, 1_000, 600);
      assertThat(resilient.retries()).as("429s are retried").isGreaterThanOrEqualTo(15);
      assertThat(seen).as("a CRM saying 'slow down' is healthy: the breaker stays closed").containsOnly(CircuitBreaker.State.CLOSED);

      // the outage: more work, then 503s until the breaker opens, then recovery
      var more = new ArrayList<OutboxEntry>();
      for (int i = 600; i < 1_000; i++) {
        more.add(EngineFixtures.taskWrite("storm-%04d".formatted(i), "run-outage"));
      }
      engine.outbox().enqueue(more);
      sandbox.update("deals", sandbox.ids("deals").subList(0, 200), Map.of("dealname", "Renamed in the outage"));
      sandbox.faults().failNext(503, 24);
      syncUntilSettled(engine, resilient, 1_000, 1_000);
    } finally {
      watching.set(false);
      watcher.join();
    }
    assertThat(seen).as("the outage opened the breaker and recovery closed it")
        .contains(CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN, CircuitBreaker.State.CLOSED);
    assertThat(resilient.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(engine.outbox().counts()).containsOnlyKeys("done").containsEntry("done", 1_000L);
    var byKey = tasksByKey(sandbox);
    assertThat(byKey).hasSize(1_000);
    assertThat(byKey.values()).allMatch(n -> n == 1);
    assertThat(EngineFixtures.mirrored(schemaOf(db), "deal", "deals", "name")).isEqualTo(inSandbox(sandbox, "deals", "dealname"));
    assertThat(EngineFixtures.mirrored(schemaOf(db), "activity", "tasks", "salesos_key"))
        .isEqualTo(inSandbox(sandbox, "tasks", "salesos_key"));
  }

  /** Pulls and drains until the outbox is empty, the breaker closed and the mirror holds what is expected. */
  static void syncUntilSettled(Pipeline engine, ResilientConnector resilient, int deals, int tasks) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      engine.pull(Optional.empty());
      engine.push();
      if (engine.outbox().depth() == 0 && resilient.circuitState() == CircuitBreaker.State.CLOSED
          && EngineFixtures.mirrored(schemaOf(engine.database()), "deal", "deals", "name").size() == deals
          && EngineFixtures.mirrored(schemaOf(engine.database()), "activity", "tasks", "salesos_key").size() == tasks) {
        return;
      }
    }
    throw new AssertionError("the sync did not settle within 60 s: outbox " + engine.outbox().counts());
  }

  static String schemaOf(Database db) throws java.sql.SQLException {
    try (var c = db.connection()) {
      return c.getCatalog();
    }
  }

}
