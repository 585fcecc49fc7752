package io.salesos.daemon.engine;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.connection.ResilienceSettings;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rep edits a deal in HubSpot after salesos pulled it and before salesos pushes its own change
 * to the same field: the drain sees the CRM moved, records the conflict with all three values and,
 * under the default policy, keeps the rep's value while still writing salesos's other fields.
 */
class HubSpotConflictTest {

  HubSpotSandbox sandbox;
  Database db;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(db, sandbox);
  }

  @Test
  void anEditInHubSpotBetweenPullAndPushIsAConflictAndTheCrmValueIsKept() throws Exception {
    // HubSpot's search index trails writes (seconds in a real portal): the drain's refresh sees an
    // edit only once it is searchable, so the rep's edit here is older than the lag when salesos pushes
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ofMillis(500)));
    var ids = sandbox.fillDeals(5, Instant.now().minus(Duration.ofDays(1)), Duration.ofSeconds(1));
    db = TestDatabases.fresh();
    var connection = EngineFixtures.hubspotConnection(sandbox, ResilienceSettings.fast(), Map.of());
    // deal name is not salesos's to write by default: this test's write policy permits it
    var allow = new AllowList(Map.of("deal", Set.of("name", "salesos_flags")), Set.of());
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(allow), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 1_000, 3, Duration.ZERO, 1_000), Clock.systemUTC());
    engine.pull(Optional.empty());
    var id = ids.get(2);
    var decidedOn = sandbox.get("deals", id).flatMap(o -> o.property("dealname")).orElseThrow();

    // salesos decides on the name it saw; then a rep renames the deal in HubSpot
    engine.outbox().enqueue(List.of(OutboxEntry.queued("rename-" + id, "hubspot", "deals", "deal", Optional.of(id),
        Write.Op.UPDATE, WriteKind.FLAG, Map.of("name", "Renamed by salesos", "salesos_flags", "NO_VISIT"),
        Map.of("name", decidedOn), Optional.of("test.rename"), Optional.empty(), Optional.of("run-conflict"), "rules")));
    sandbox.update("deals", List.of(id), Map.of("dealname", "Renamed by the rep"));
    Thread.sleep(1_000);
    var stats = engine.push();

    assertThat(stats.conflicts()).isEqualTo(1);
    assertThat(stats.written()).isEqualTo(1);
    var deal = sandbox.get("deals", id).orElseThrow();
    assertThat(deal.property("dealname")).hasValue("Renamed by the rep");
    assertThat(deal.property("salesos_flags")).hasValue("NO_VISIT");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT source, crm_object, record_id, field, expected_value, crm_value, our_value, policy, resolution FROM conflict")) {
      var rows = new ArrayList<List<String>>();
      while (rs.next()) {
        rows.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9)));
      }
      assertThat(rows).containsExactly(List.of("hubspot", "deals", id, "name", decidedOn, "Renamed by the rep",
          "Renamed by salesos", "crm_wins", "kept_crm"));
    }
    // the echo of our write and of the rep's edit reaches the mirror once searchable
    Thread.sleep(1_000);
    engine.pull(Optional.empty());
    var mirrored = engine.mirror().find("deal", "hubspot", id, CanonicalSchema.standardFields("deal")).orElseThrow();
    assertThat(mirrored).containsEntry("name", "Renamed by the rep").containsEntry("salesos_flags", "NO_VISIT");
  }

  @Test
  void anEditYoungerThanTheSearchIndexLagIsStillAConflict() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults());
    var ids = sandbox.fillDeals(3, Instant.now().minus(Duration.ofDays(1)), Duration.ofSeconds(1));
    db = TestDatabases.fresh();
    var connection = EngineFixtures.hubspotConnection(sandbox, ResilienceSettings.fast(), Map.of());
    var allow = new AllowList(Map.of("deal", Set.of("name")), Set.of());
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(allow), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 1_000, 3, Duration.ZERO, 1_000), Clock.systemUTC());
    engine.pull(Optional.empty());
    var id = ids.get(1);
    var decidedOn = sandbox.get("deals", id).flatMap(o -> o.property("dealname")).orElseThrow();
    engine.outbox().enqueue(List.of(OutboxEntry.queued("rename-" + id, "hubspot", "deals", "deal", Optional.of(id),
        Write.Op.UPDATE, WriteKind.FLAG, Map.of("name", "Renamed by salesos"), Map.of("name", decidedOn),
        Optional.of("test.rename"), Optional.empty(), Optional.of("run-lag"), "rules")));
    sandbox.update("deals", List.of(id), Map.of("dealname", "Renamed by the rep"));
    var stats = engine.push();
    assertThat(stats.conflicts()).isEqualTo(1);
    assertThat(sandbox.get("deals", id).orElseThrow().property("dealname")).hasValue("Renamed by the rep");
  }
}
