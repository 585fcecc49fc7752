package io.salesos.sync;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.connection.CrmConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.salesos.config.YamlNode;
import io.salesos.journal.Journal;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.Write;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SyncEngineTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: deals
          canonical: deal
          fields:
            dealname: name
            amount: amount
            salesos_flags: salesos_flags
            stage: stage
        - crm_object: tasks
          canonical: activity
          fields:
            subject: subject
            owner: owner_id
            deal: deal_id
            key: salesos_key
          constants:
            kind: task
      """;

  Database db;
  MemoryCrm crm;
  Pipeline engine;

  @BeforeEach
  void setUp() {
    db = TestDatabases.fresh();
    crm = new MemoryCrm("mem");
    var mapping = Mapping.from(YamlNode.parse("memory.yaml", MAPPING));
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()), mapping, true);
    engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(50, 1000, 3, Duration.ZERO, 10_000), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void pullMirrorsEveryRecordOnceAndAReplayChangesNothing() throws SQLException {
    var records = new ArrayList<Map<String, Object>>();
    IntStream.range(0, 230).forEach(i -> records.add(Map.of("dealname", "Deal " + i, "amount", i + ".50")));
    crm.save("deals", records); // one call, one shared stamp across 5 pages
    var stats = engine.pull("mem", "deals");
    assertThat(stats.inserted()).isEqualTo(230);
    assertThat(stats.batches()).isEqualTo(5);
    assertThat(count("SELECT COUNT(*) FROM deal WHERE source = 'mem'")).isEqualTo(230);
    assertThat(count("SELECT COUNT(*) FROM record_history")).isEqualTo(230);
    assertThat(engine.pull("mem", "deals").changed()).isZero();
  }

  @Test
  void smallCrmPagesAreGatheredIntoBatchesOfThePullBatchSize() throws SQLException {
    crm.pageLimit(10);
    var records = new ArrayList<Map<String, Object>>();
    IntStream.range(0, 230).forEach(i -> records.add(Map.of("dealname", "Deal " + i, "amount", i + ".50")));
    crm.save("deals", records);
    var stats = engine.pull("mem", "deals");
    assertThat(stats.inserted()).isEqualTo(230);
    assertThat(stats.batches()).isEqualTo(5);
    assertThat(crm.pullCalls()).isEqualTo(23);
    assertThat(count("SELECT COUNT(*) FROM record_history")).isEqualTo(230);
  }

  @Test
  void pagesReadBeforeAFailureLandWithTheirCheckpointAndTheNextPullGoesOnFromThere() throws SQLException {
    crm.pageLimit(10);
    var records = new ArrayList<Map<String, Object>>();
    IntStream.range(0, 230).forEach(i -> records.add(Map.of("dealname", "Deal " + i, "amount", i + ".50")));
    crm.save("deals", records);
    engine.pull("mem", "deals");
    // read pages 1 and 2 of a batch, then fail on page 3
    crm.save("deals", IntStream.range(0, 30).mapToObj(i -> Map.<String, Object>of("dealname", "New " + i, "amount", "1")).toList());
    var fetchedBefore = crm.pullCalls();
    crm.failAfter(2, new ConnectorException(ConnectorException.Kind.PERMANENT, "no"));
    var failed = engine.pull("mem", "deals");
    assertThat(failed.error()).isPresent();
    assertThat(failed.inserted()).isEqualTo(20);
    assertThat(crm.pullCalls() - fetchedBefore).isEqualTo(3);
    assertThat(engine.pull("mem", "deals").inserted()).isEqualTo(10);
    assertThat(count("SELECT COUNT(*) FROM record_history")).isEqualTo(260);
  }

  @Test
  void updatesAndDeletesReachTheMirrorAndTheHistory() throws SQLException {
    var ids = crm.save("deals", List.of(Map.of("dealname", "A", "amount", "10"), Map.of("dealname", "B", "amount", "20")));
    engine.pull("mem", "deals");
    crm.save("deals", List.of(Map.of("id", ids.get(0), "amount", "11")));
    crm.delete("deals", ids.get(1));
    var stats = engine.pull("mem", "deals");
    assertThat(stats.updated()).isEqualTo(1);
    assertThat(stats.deleted()).isEqualTo(1);
    var a = engine.mirror().find("deal", "mem", ids.get(0), CanonicalSchema.standardFields("deal")).orElseThrow();
    assertThat(a.get("amount")).isEqualTo(new BigDecimal("11.00"));
    assertThat(count("SELECT COUNT(*) FROM deal WHERE deleted")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM record_history WHERE record_id = '" + ids.get(0) + "'")).isEqualTo(2);
  }

  @Test
  void aRecordWithAWrongTypedValueIsQuarantinedAndTheRestArrive() throws SQLException {
    crm.save("deals", List.of(Map.of("dealname", "good", "amount", "5"), Map.of("dealname", "bad", "amount", "lots"),
        Map.of("dealname", "unparsable", "amount", "1")));
    var broken = crm.all("deals").stream().filter(s -> s.fields().get("dealname").equals("unparsable")).findFirst().orElseThrow();
    crm.malformed(broken.id(), "{\"id\": \"" + broken.id() + "\", \"properties\": {");
    var stats = engine.pull("mem", "deals");
    assertThat(stats.inserted()).isEqualTo(1);
    assertThat(stats.quarantined()).isEqualTo(2);
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT reason, raw_payload FROM quarantine ORDER BY id")) {
      var reasons = new ArrayList<String>();
      while (rs.next()) {
        reasons.add(rs.getString(1) + " | " + rs.getString(2));
      }
      assertThat(reasons).anySatisfy(r -> assertThat(r).contains("'lots' is not a valid decimal").contains("\"amount\":\"lots\""));
      assertThat(reasons).anySatisfy(r -> assertThat(r).contains("unparsable JSON").contains("\"properties\": {"));
    }
  }

  @Test
  void aBadRecordReadAgainByEveryReconcileStaysOneQuarantineRowCountingItsSightings() throws SQLException {
    crm.save("deals", List.of(Map.of("dealname", "good", "amount", "5"), Map.of("dealname", "bad", "amount", "lots")));
    engine.pull("mem", "deals");
    for (int i = 0; i < 9; i++) {
      engine.compare(Optional.of("mem"));
    }
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), MAX(occurrences), MIN(occurrences) FROM quarantine")) {
      rs.next();
      assertThat(rs.getInt(1)).isOne();
      assertThat(rs.getInt(2)).isEqualTo(10);
    }
  }

  @Test
  void upsertsAreIdempotentByKeyAndAPartlyFailingBatchFailsOnlyItsRows() {
    crm.rejectWhen("subject", "forbidden");
    var writes = new ArrayList<OutboxEntry>();
    for (int i = 0; i < 250; i++) {
      var subject = i % 100 == 7 ? "forbidden" : "Call back " + i;
      writes.add(task("task-" + i, subject));
    }
    assertThat(engine.outbox().enqueue(writes)).isEqualTo(250);
    assertThat(engine.outbox().enqueue(writes)).isZero();
    var stats = engine.push();
    assertThat(stats.written()).isEqualTo(247);
    assertThat(stats.dead()).isEqualTo(3);
    assertThat(crm.all("tasks")).hasSize(247);
    var dead = engine.outbox().list(Optional.of(OutboxEntry.Status.DEAD), 10);
    assertThat(dead).hasSize(3).allSatisfy(e -> assertThat(e.lastError().orElseThrow())
        .contains("FIELD_CUSTOM_VALIDATION_EXCEPTION").contains("subject may not be forbidden"));
    // the same decisions queued again by a later run write nothing new
    engine.outbox().retry(dead.stream().map(OutboxEntry::id).toList());
    engine.push();
    assertThat(crm.all("tasks")).hasSize(247);
  }

  @Test
  void aWholeCallFailureStaysQueuedWithItsReasonAndIsRetried() {
    crm.failNext(6, new ConnectorException(ConnectorException.Kind.TRANSIENT, "502 Bad Gateway"));
    engine.outbox().enqueue(List.of(task("t-1", "Follow up")));
    var first = engine.push();
    assertThat(first.written()).isZero();
    var row = engine.outbox().byKey("t-1").orElseThrow();
    assertThat(row.status()).isEqualTo(OutboxEntry.Status.PENDING);
    assertThat(row.lastError().orElseThrow()).contains("502 Bad Gateway");
    assertThat(row.attempts()).isEqualTo(1);
    engine.push();
    assertThat(crm.all("tasks")).hasSize(1);
  }

  @Test
  void aConflictingCrmEditIsRecordedAndTheCrmValueKept() throws SQLException {
    var id = crm.save("deals", List.of(Map.of("dealname", "X", "stage", "Proposal"))).get(0);
    engine.pull("mem", "deals");
    // salesos decides on stage=Proposal; meanwhile a rep moves the deal in the CRM
    var write = OutboxEntry.queued("flag-1", "mem", "deals", "deal", Optional.of(id), Write.Op.UPDATE, WriteKind.FLAG,
        Map.of("stage", "Negotiation", "salesos_flags", "NO_VISIT"), Map.of("stage", "Proposal", "salesos_flags", ""),
        Optional.of("exit.visit"), Optional.empty(), Optional.of("run-1"), "rules");
    crm.save("deals", List.of(Map.of("id", id, "stage", "Closed Won")));
    var stricter = new AllowList(Map.of("deal", java.util.Set.of("stage", "salesos_flags")), java.util.Set.of());
    var engine2 = new Pipeline(db, List.copyOf(engine.connections()), LiveRuleSet.pushOnly(stricter), ConflictPolicy.defaults(),
        new Pipeline.Settings(50, 1000, 3, Duration.ZERO, 10_000), Clock.systemUTC());
    engine2.outbox().enqueue(List.of(write));
    var stats = engine2.push();
    assertThat(stats.conflicts()).isEqualTo(1);
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("stage", "Closed Won").containsEntry("salesos_flags", "NO_VISIT");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT field, expected_value, crm_value, our_value, resolution FROM conflict")) {
      assertThat(rs.next()).isTrue();
      assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
          .containsExactly("stage", "Proposal", "Closed Won", "Negotiation", "kept_crm");
    }
  }

  @Test
  void anUpdateWhoseRecordCannotBeReadFromTheCrmIsHeldNotCheckedAgainstTheMirror() {
    var id = crm.save("deals", List.of(Map.of("dealname", "Fleet", "stage", "Proposal"))).get(0);
    engine.pull("mem", "deals");
    // a rep moves the deal; salesos's write was decided on the stage it saw before
    crm.save("deals", List.of(Map.of("id", id, "stage", "Closed Won")));
    crm.readsById(Optional.of(new ConnectorException(ConnectorException.Kind.TRANSIENT, "read timed out")));
    engine.outbox().enqueue(List.of(OutboxEntry.queued("f-read", "mem", "deals", "deal", Optional.of(id), Write.Op.UPDATE,
        WriteKind.FLAG, Map.of("stage", "Negotiation", "salesos_flags", "NO_VISIT"), Map.of("stage", "Proposal"),
        Optional.of("exit.visit"), Optional.empty(), Optional.of("run-r"), "rules")));
    var strict = new Pipeline(db, engine.connections(),
        LiveRuleSet.pushOnly(new AllowList(Map.of("deal", java.util.Set.of("stage", "salesos_flags")), java.util.Set.of())),
        ConflictPolicy.defaults(), new Pipeline.Settings(50, 1000, 3, Duration.ZERO, 10_000), Clock.systemUTC());

    var stats = strict.push();

    assertThat(stats.written()).isZero();
    assertThat(stats.failed()).isEqualTo(1);
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("stage", "Closed Won").doesNotContainKey("salesos_flags");
    var row = strict.outbox().byKey("f-read").orElseThrow();
    assertThat(row.status()).as("queued for a later try").isEqualTo(OutboxEntry.Status.PENDING);
    assertThat(row.lastError().orElseThrow()).contains("could not read the records from the CRM");

    // once the CRM answers reads again, the conflict is seen and settled by policy: the rep's stage is kept
    crm.readsById(Optional.empty());
    strict.outbox().retry(List.of(row.id()));
    assertThat(strict.push().conflicts()).isEqualTo(1);
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("stage", "Closed Won").containsEntry("salesos_flags", "NO_VISIT");
  }

  @Test
  void aFieldOutsideTheAllowListIsNeverWritten() {
    var id = crm.save("deals", List.of(Map.of("dealname", "X", "amount", "10"))).get(0);
    engine.pull("mem", "deals");
    engine.outbox().enqueue(List.of(OutboxEntry.queued("evil-1", "mem", "deals", "deal", Optional.of(id), Write.Op.UPDATE,
        WriteKind.FLAG, Map.of("amount", "0"), Map.of(), Optional.of("r"), Optional.empty(), Optional.empty(), "rules")));
    var stats = engine.push();
    assertThat(stats.blocked()).isEqualTo(1);
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("amount", "10");
    var row = engine.outbox().byKey("evil-1").orElseThrow();
    assertThat(row.status()).isEqualTo(OutboxEntry.Status.BLOCKED);
    assertThat(row.lastError().orElseThrow()).contains("not on the write allow-list");
  }

  @Test
  void rollbackRestoresTheBeforeImagesInTheCrmAndTheMirror() {
    var id = crm.save("deals", List.of(Map.of("dealname", "X", "salesos_flags", "OLD"))).get(0);
    engine.pull("mem", "deals");
    engine.outbox().enqueue(List.of(
        OutboxEntry.queued("f-1", "mem", "deals", "deal", Optional.of(id), Write.Op.UPDATE, WriteKind.FLAG,
            Map.of("salesos_flags", "NEW"), Map.of("salesos_flags", "OLD"), Optional.of("r"), Optional.empty(), Optional.of("run-9"), "rules"),
        task("t-9", "made by run 9").withRun("run-9")));
    engine.push();
    engine.pull(Optional.empty());
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("salesos_flags", "NEW");
    assertThat(crm.all("tasks")).hasSize(1);

    var result = engine.rollback("run-9", "admin:test");
    assertThat(result.queued()).isEqualTo(2);
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("salesos_flags", "OLD");
    assertThat(crm.all("tasks")).isEmpty();
    var mirrored = engine.mirror().find("deal", "mem", id, CanonicalSchema.standardFields("deal")).orElseThrow();
    assertThat(mirrored.get("salesos_flags")).isEqualTo("OLD");
    assertThat(engine.journal().ofRun("rollback-run-9")).hasSize(2).allSatisfy(e -> assertThat(e.actor()).contains("admin:test"));
    assertThat(engine.journal().runs(10)).extracting(Journal.RunSummary::runId, Journal.RunSummary::written)
        .containsExactly(tuple("rollback-run-9", 2), tuple("run-9", 2));
  }

  @Test
  void rollbackKeepsAFieldSomeoneChangedAfterTheRunAndRecordsTheConflict() throws SQLException {
    var id = crm.save("deals", List.of(Map.of("dealname", "X", "stage", "Proposal"))).get(0);
    var allowStage = new AllowList(Map.of("deal", java.util.Set.of("stage", "salesos_flags")), java.util.Set.of());
    var engine2 = new Pipeline(db, List.copyOf(engine.connections()), LiveRuleSet.pushOnly(allowStage), ConflictPolicy.defaults(),
        new Pipeline.Settings(50, 1000, 3, Duration.ZERO, 10_000), Clock.systemUTC());
    engine2.pull("mem", "deals");
    engine2.outbox().enqueue(List.of(OutboxEntry.queued("s-1", "mem", "deals", "deal", Optional.of(id), Write.Op.UPDATE,
        WriteKind.FLAG, Map.of("stage", "Negotiation", "salesos_flags", "NO_VISIT"), Map.of("stage", "Proposal", "salesos_flags", ""),
        Optional.of("r"), Optional.empty(), Optional.of("run-5"), "rules")));
    engine2.push();
    engine2.pull(Optional.empty());
    // after the run, a rep moves the deal on
    crm.save("deals", List.of(Map.of("id", id, "stage", "Closed Won")));

    var result = engine2.rollback("run-5", "admin:test");

    assertThat(result.stats().conflicts()).isEqualTo(1);
    // the rep's stage stays; the field salesos owns goes back
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("stage", "Closed Won");
    assertThat(crm.get("deals", id).orElseThrow().fields().get("salesos_flags")).isIn(null, "");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT field, expected_value, crm_value, our_value, resolution FROM conflict")) {
      assertThat(rs.next()).isTrue();
      assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
          .containsExactly("stage", "Negotiation", "Closed Won", "Proposal", "kept_crm");
    }
  }

  @Test
  void reconcileRepairsSilentChangesAndHardDeletesWithoutMovingTheCheckpoint() throws SQLException {
    var ids = crm.save("deals", List.of(Map.of("dealname", "keep", "amount", "1"), Map.of("dealname", "vanish", "amount", "2")));
    engine.pull("mem", "deals");
    var before = engine.mirror().checkpoint("mem", "deals");
    // a formula recomputed without a new stamp, and a hard delete that leaves no trace
    crm.silentlySet("deals", ids.get(0), "amount", "99");
    crm.purge("deals", ids.get(1));
    assertThat(engine.pull("mem", "deals").changed()).isZero();
    var result = engine.compare(Optional.of("mem")).stream().filter(r -> r.crmObject().equals("deals")).findFirst().orElseThrow();
    assertThat(result.repaired()).isEqualTo(1);
    assertThat(result.vanished()).isEqualTo(1);
    assertThat(engine.mirror().find("deal", "mem", ids.get(0), CanonicalSchema.standardFields("deal")).orElseThrow().get("amount"))
        .isEqualTo(new BigDecimal("99.00"));
    assertThat(count("SELECT COUNT(*) FROM deal WHERE deleted")).isEqualTo(1);
    assertThat(engine.mirror().checkpoint("mem", "deals")).isEqualTo(before);
  }

  @Test
  void aDirectEditOfTheMirrorIsQueuedAndWrittenButTheSyncsOwnUpdatesAreNot() throws SQLException {
    var id = crm.save("deals", List.of(Map.of("dealname", "X", "salesos_flags", "A"))).get(0);
    engine.pull("mem", "deals");
    crm.save("deals", List.of(Map.of("id", id, "dealname", "Y")));
    engine.pull("mem", "deals");
    assertThat(engine.outbox().list(Optional.empty(), 10)).isEmpty();
    // an analyst's SQL client, not a salesos session
    try (var c = TestDatabases.connect(schemaOf())) {
      c.createStatement().executeUpdate("UPDATE deal SET salesos_flags = 'EDITED' WHERE id = '" + id + "'");
    }
    var queued = engine.outbox().list(Optional.empty(), 10);
    assertThat(queued).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(WriteKind.LOCAL_EDIT);
      assertThat(e.fields()).containsOnly(Map.entry("salesos_flags", "EDITED"));
      assertThat(e.expected()).containsOnly(Map.entry("salesos_flags", "A"));
    });
    engine.push();
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("salesos_flags", "EDITED");
  }

  @Test
  void approvedDraftsAreWrittenRejectedOnesNeverAndTheJournalNamesTheApprover() {
    var drafts = List.of(task("d-1", "one"), task("d-2", "two"), task("d-3", "three")).stream()
        .map(e -> e.withStatus(OutboxEntry.Status.DRAFT)).toList();
    engine.outbox().enqueue(drafts);
    assertThat(engine.push().written()).isZero();
    var ids = engine.outbox().drafts(Optional.empty(), Optional.empty(), 10).stream().map(OutboxEntry::id).toList();
    assertThat(ids).hasSize(3);
    assertThat(engine.outbox().approve(ids.subList(0, 2), "cli:lena")).isEqualTo(2);
    assertThat(engine.outbox().reject(ids.subList(2, 3), "cli:lena")).isEqualTo(1);
    assertThat(engine.push().written()).isEqualTo(2);
    assertThat(crm.all("tasks")).extracting(s -> s.fields().get("subject")).containsExactlyInAnyOrder("one", "two");
    assertThat(engine.journal().ofKey("d-1")).singleElement().satisfies(j -> assertThat(j.approvedBy()).contains("cli:lena"));
    assertThat(engine.outbox().byKey("d-3").orElseThrow().status()).isEqualTo(OutboxEntry.Status.REJECTED);
  }

  private String schemaOf() throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT DATABASE()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private OutboxEntry task(String key, String subject) {
    var fields = new HashMap<String, Object>();
    fields.put("subject", subject);
    fields.put("owner_id", "u1");
    return OutboxEntry.queued(key, "mem", "tasks", "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.TASK,
        fields, Map.of(), Optional.of("follow.stall"), Optional.empty(), Optional.of("run-1"), "rules");
  }

  private long count(String sql) throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
