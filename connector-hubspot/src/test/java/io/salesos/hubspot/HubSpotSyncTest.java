package io.salesos.hubspot;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import static io.salesos.hubspot.TestConnections.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.connection.CrmConnection;
import io.salesos.sync.Puller;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo org mirrored from the sandbox into the embedded MariaDB by core's sync engine, and written back. */
class HubSpotSyncTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private HubSpotSandbox sandbox;
  private Database db;
  private Pipeline engine;
  private DemoOrg org;
  private Map<String, String> ids;

  @BeforeEach
  void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited()));
    org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0));
    ids = sandbox.seed(org);
    sandbox.clock().advance(Duration.ofMinutes(1));
    db = TestDatabases.fresh();
    var connection = new CrmConnection("hubspot", "hubspot",
        new ResilientConnector(connect(sandbox), ResilienceSettings.fast()),
        Mapping.load(Path.of("../config/mappings/hubspot.yaml")), true);
    engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(200, 1000, 3, Duration.ZERO, 10_000), sandbox.clock());
  }

  @AfterEach
  void stop() {
    db.close();
    sandbox.close();
  }

  @Test
  void theDemoOrgIsMirroredAndAnEditAndAnArchiveFollow() throws SQLException {
    var stats = engine.pull(Optional.empty());

    assertThat(stats).allSatisfy(s -> {
      assertThat(s.error()).as(s.crmObject()).isEmpty();
      assertThat(s.quarantined()).as(s.crmObject()).isZero();
    });
    assertThat(count("SELECT COUNT(*) FROM deal")).isEqualTo(org.deals().size());
    assertThat(count("SELECT COUNT(*) FROM account")).isEqualTo(org.accounts().size());
    assertThat(count("SELECT COUNT(*) FROM contact")).isEqualTo(org.contacts().size());
    assertThat(count("SELECT COUNT(*) FROM owner")).isEqualTo(org.users().size());
    assertThat(count("SELECT COUNT(*) FROM activity")).isEqualTo(org.activities().size());
    assertThat(count("SELECT COUNT(*) FROM stage_history"))
        .isEqualTo(org.deals().stream().mapToInt(d -> d.stageHistory().size()).sum());
    assertThat(count("SELECT COUNT(*) FROM deal_contact"))
        .isEqualTo(org.deals().stream().mapToInt(d -> d.contactRoles().size()).sum());
    assertThat(count("SELECT COUNT(*) FROM deal WHERE account_id IS NULL")).isZero();

    var edited = ids.get(org.deals().get(0).id());
    var archived = ids.get(org.deals().get(1).id());
    sandbox.clock().advance(Duration.ofMinutes(10));
    sandbox.update("deals", List.of(edited), Map.of("amount", "123456"));
    sandbox.archive("deals", List.of(archived));
    sandbox.clock().advance(Duration.ofSeconds(5));

    var deals = engine.pull("hubspot", "deals");
    assertThat(deals).extracting(Puller.PullStats::updated, Puller.PullStats::deleted).containsExactly(1, 1);
    // found by search, which returns no associations: the account comes from the v4 batch read
    assertThat(count("SELECT COUNT(*) FROM deal WHERE amount = 123456.00 AND id = '" + edited + "' AND account_id = '"
        + ids.get(org.deals().get(0).accountId()) + "'")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM deal WHERE deleted AND id = '" + archived + "'")).isEqualTo(1);
  }

  @Test
  void aFlagAndAFollowUpTaskAreWrittenBackOnceThroughTheOutbox() {
    engine.pull(Optional.empty());
    var deal = ids.get(org.deals().get(0).id());
    var flag = OutboxEntry.queued("flag:" + deal, "hubspot", "deals", "deal", Optional.of(deal), Write.Op.UPDATE,
        WriteKind.FLAG, Map.of("salesos_flags", "NO_NEXT_STEP", "salesos_forecast_category", "Best Case"), Map.of(),
        Optional.of("exit.next_step"), Optional.empty(), Optional.of("run-1"), "rules");
    var task = OutboxEntry.queued("task:" + deal, "hubspot", "tasks", "activity", Optional.empty(), Write.Op.UPSERT,
        WriteKind.TASK, Map.of("subject", "Agree a dated next step", "due_date", LocalDate.parse("2026-11-04"),
            "status", "planned", "priority", "high", "deal_id", deal), Map.of(),
        Optional.of("follow.stall"), Optional.empty(), Optional.of("run-1"), "rules");
    engine.outbox().enqueue(List.of(flag, task));

    var drained = engine.push();
    engine.outbox().enqueue(List.of(flag, task));
    engine.push();

    assertThat(drained.written()).isEqualTo(2);
    assertThat(sandbox.get("deals", deal).orElseThrow().properties())
        .containsEntry("salesos_flags", "NO_NEXT_STEP").containsEntry("salesos_forecast_category", "BEST_CASE");
    var created = sandbox.ids("tasks").stream().map(id -> sandbox.get("tasks", id).orElseThrow())
        .filter(t -> ("task:" + deal).equals(t.properties().get("salesos_key"))).toList();
    assertThat(created).singleElement().satisfies(t -> {
      assertThat(t.properties()).containsEntry("hs_task_priority", "HIGH").containsEntry("hs_task_status", "NOT_STARTED");
      assertThat(sandbox.associations("tasks", t.idString(), "deals")).containsExactly(deal);
    });
  }

  private long count(String sql) throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
