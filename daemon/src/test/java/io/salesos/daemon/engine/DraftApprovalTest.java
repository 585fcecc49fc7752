package io.salesos.daemon.engine;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.connection.ResilienceSettings;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes under a draft policy wait for a person: two approved and one rejected with {@code salesos
 * drafts approve|reject} reach the HubSpot sandbox as exactly two writes, and the journal names
 * who approved them.
 */
class DraftApprovalTest {

  @TempDir
  Path dir;

  HubSpotSandbox sandbox;
  Database db;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(db, sandbox);
  }

  @Test
  void twoApprovedDraftsAreWrittenTheRejectedOneNeverAndTheJournalNamesTheApprover() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults());
    var deals = sandbox.fillDeals(3, Instant.now().minus(Duration.ofDays(1)), Duration.ofSeconds(1));
    var schema = TestDatabases.newSchema();
    db = Database.external(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password(), 4);
    var engine = new Pipeline(db, List.of(EngineFixtures.hubspotConnection(sandbox, ResilienceSettings.fast(), Map.of())),
        LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(), new Pipeline.Settings(100, 1_000, 3, Duration.ZERO, 1_000),
        Clock.systemUTC());
    engine.pull(Optional.empty());
    var drafts = new ArrayList<OutboxEntry>();
    for (var id : deals) {
      drafts.add(OutboxEntry.queued("flag-" + id, "hubspot", "deals", "deal", Optional.of(id), Write.Op.UPDATE,
          WriteKind.FLAG, Map.of("salesos_flags", "NO_VISIT"), Map.of(), Optional.of("exit.visit"), Optional.empty(),
          Optional.of("run-d"), "rules").withStatus(OutboxEntry.Status.DRAFT));
    }
    engine.outbox().enqueue(drafts);
    assertThat(engine.push().written()).as("drafts wait").isZero();
    var ids = engine.outbox().drafts(Optional.empty(), Optional.empty(), 10).stream()
        .sorted(java.util.Comparator.comparing(e -> e.recordId().orElseThrow()))
        .map(e -> Long.toString(e.id())).toList();
    assertThat(ids).hasSize(3);
    var config = EngineFixtures.hubspotConfig(dir, sandbox, schema, "").toString();

    assertThat(Main.execute("drafts", "approve", "--config", config, ids.get(0), ids.get(1))).isZero();
    assertThat(Main.execute("drafts", "reject", "--config", config, ids.get(2))).isZero();
    var pushed = engine.push();

    assertThat(pushed.written()).isEqualTo(2);
    assertThat(engine.push().written()).isZero();
    var flagged = deals.stream().filter(id -> sandbox.get("deals", id).orElseThrow().property("salesos_flags")
        .filter(v -> !v.isEmpty()).isPresent()).toList();
    assertThat(flagged).hasSize(2);
    var rejectedDeal = engine.outbox().byKey("flag-" + deals.stream().filter(d -> !flagged.contains(d)).findFirst().orElseThrow())
        .orElseThrow();
    assertThat(rejectedDeal.status()).isEqualTo(OutboxEntry.Status.REJECTED);
    for (var id : flagged) {
      assertThat(engine.journal().ofKey("flag-" + id)).singleElement()
          .satisfies(j -> assertThat(j.approvedBy()).hasValueSatisfying(by -> assertThat(by).startsWith("cli:")));
    }
  }
}
