package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.spi.ChangeStream;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HubSpot's webhooks journal followed into the mirror by core's stream follower, against the
 * sandbox: edits arrive without a poll, an expired position and a lost journal entry each fall back
 * to the keyset pull and lose nothing, and a crash between applying a batch and storing its
 * position replays the batch once.
 */
class HubSpotStreamTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private HubSpotSandbox sandbox;
  private Database db;
  private Pipeline engine;
  private DemoOrg org;
  private Map<String, String> ids;

  @BeforeEach
  void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited()).withSearchLag(Duration.ZERO));
    org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0));
    ids = sandbox.seed(org);
    sandbox.clock().advance(Duration.ofMinutes(1));
    db = TestDatabases.fresh();
    engine = pipeline();
    engine.pull(Optional.empty());
    // the first step subscribes and starts at the journal's head
    assertThat(engine.sync().follower().step(connection()).streaming()).isTrue();
    assertThat(engine.sync().follower().positions().of("hubspot")).isPresent();
  }

  private Pipeline pipeline() {
    var connection = new CrmConnection("hubspot", "hubspot",
        new ResilientConnector(connect(sandbox, Map.of("change_stream", "journal")), ResilienceSettings.fast()),
        Mapping.load(Path.of("../config/mappings/hubspot.yaml")), true);
    return new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(200, 1000, 3, Duration.ZERO, 10_000), sandbox.clock());
  }

  private CrmConnection connection() {
    return engine.connection("hubspot");
  }

  @AfterEach
  void stop() {
    db.close();
    sandbox.close();
  }

  private String deal(int i) {
    return ids.get(org.deals().get(i).id());
  }

  private void edit(String deal, String amount) {
    sandbox.clock().advance(Duration.ofSeconds(2));
    sandbox.update("deals", List.of(deal), Map.of("amount", amount));
  }

  @Test
  void editsAndArchivesArriveFromTheJournalWithoutAPoll() throws SQLException {
    edit(deal(0), "111111");
    sandbox.clock().advance(Duration.ofSeconds(1));
    sandbox.archive("deals", List.of(deal(1)));
    sandbox.resetRequests();

    var step = engine.sync().follower().step(connection());

    assertThat(step.fellBack()).isEmpty();
    assertThat(step.changed().get(CanonicalSchema.DEAL)).containsExactlyInAnyOrder(deal(0), deal(1));
    assertThat(amount(deal(0))).isEqualTo("111111.00");
    assertThat(count("SELECT COUNT(*) FROM deal WHERE deleted AND id = '" + deal(1) + "'")).isEqualTo(1);
    // resolved by a batch read by id, not by search
    assertThat(sandbox.requests()).anyMatch(r -> r.contains("/crm/v3/objects/deals/batch/read"))
        .noneMatch(r -> r.contains("/search"));
    assertThat(step.committedAt()).containsKey(CanonicalSchema.DEAL + "/" + deal(0));
    // the deals the change can affect: the deal and its account's deals
    var affected = engine.affectedDeals("hubspot", Map.of(CanonicalSchema.DEAL, List.of(deal(0))));
    var accountDeals = org.deals().stream().filter(d -> d.accountId().equals(org.deals().get(0).accountId()))
        .map(d -> ids.get(d.id())).toList();
    assertThat(affected.everything()).isFalse();
    assertThat(affected.dealIds()).containsExactlyInAnyOrderElementsOf(accountDeals);
  }

  @Test
  void anExpiredPositionFallsBackToThePullAndLosesNothing() throws SQLException {
    edit(deal(4), "100000");
    assertThat(engine.sync().follower().step(connection()).changes()).isEqualTo(1);
    edit(deal(0), "222222");
    sandbox.faults().expireJournalPositions();
    edit(deal(2), "333333");
    // the stored offset is older than the journal now holds: the next entry read answers 404
    sandbox.faults().expireJournalPositions();

    var step = engine.sync().follower().step(connection());

    assertThat(step.fellBack()).get().extracting(ChangeStream.Interruption::kind).isEqualTo(ChangeStream.Interruption.Kind.EXPIRED);
    assertThat(step.error()).isEmpty();
    assertThat(amount(deal(0))).isEqualTo("222222.00");
    assertThat(amount(deal(2))).isEqualTo("333333.00");
    var state = engine.sync().follower().positions().of("hubspot").orElseThrow();
    assertThat(state.fallbacks()).isEqualTo(1);
    assertThat(state.lastFallbackKind()).contains("EXPIRED");
    assertThat(engine.sync().follower().fallbacks()).containsEntry("hubspot", 1L);

    // and the stream goes on from the head taken before the pull
    edit(deal(3), "444444");
    var next = engine.sync().follower().step(connection());
    assertThat(next.fellBack()).isEmpty();
    assertThat(amount(deal(3))).isEqualTo("444444.00");
  }

  @Test
  void aLostJournalEntryIsAGapThatFallsBackToThePullAndLosesNothing() throws SQLException {
    edit(deal(0), "500000");
    sandbox.faults().journalGap(1);
    edit(deal(1), "510000");
    edit(deal(2), "520000");

    var step = engine.sync().follower().step(connection());

    assertThat(step.fellBack()).get().extracting(ChangeStream.Interruption::kind).isEqualTo(ChangeStream.Interruption.Kind.GAP);
    assertThat(amount(deal(0))).isEqualTo("500000.00");
    assertThat(amount(deal(1))).isEqualTo("510000.00");
    assertThat(amount(deal(2))).isEqualTo("520000.00");
    assertThat(engine.sync().follower().positions().of("hubspot").orElseThrow().lastFallbackKind()).contains("GAP");
  }

  @Test
  void aDroppedConnectionLeavesThePositionAndTheNextStepReadsOn() throws SQLException {
    var before = engine.sync().follower().positions().of("hubspot").orElseThrow().position();
    edit(deal(0), "600000");
    sandbox.faults().dropJournalConnection(3);

    var failed = engine.sync().follower().step(connection());

    assertThat(failed.error()).isPresent();
    assertThat(engine.sync().follower().positions().of("hubspot").orElseThrow().position()).isEqualTo(before);
    var next = engine.sync().follower().step(connection());
    assertThat(next.error()).isEmpty();
    assertThat(amount(deal(0))).isEqualTo("600000.00");
  }

  @Test
  void aCrashBetweenApplyingABatchAndStoringItsPositionReplaysItAndAppliesEveryChangeOnce() throws SQLException {
    var random = new Random(21);
    var expected = new HashMap<String, String>();
    int versions = 0;
    for (int round = 0; round < 10; round++) {
      int edits = 1 + random.nextInt(4);
      for (int i = 0; i < edits; i++) {
        var d = deal(random.nextInt(org.deals().size()));
        var amount = Integer.toString(700_000 + round * 100 + i);
        edit(d, amount);
        expected.put(d, amount + ".00");
        versions++;
      }
      if (random.nextBoolean()) {
        // the daemon dies inside the transaction that applies the batch: it rolls back whole
        try (var c = db.connection()) {
          c.createStatement().execute("RENAME TABLE stream_position TO stream_position_away");
        }
        var position = positionRow("stream_position_away");
        try {
          engine.sync().follower().step(connection());
        } catch (RuntimeException expectedCrash) {
          // the process would be gone here
        }
        try (var c = db.connection()) {
          c.createStatement().execute("RENAME TABLE stream_position_away TO stream_position");
        }
        assertThat(positionRow("stream_position")).isEqualTo(position);
        // a restarted daemon: a new pipeline over the same mirror
        engine = pipeline();
      }
      var step = engine.sync().follower().step(connection());
      assertThat(step.error()).isEmpty();
      assertThat(step.fellBack()).isEmpty();
    }
    for (var e : expected.entrySet()) {
      assertThat(amount(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    // every version of every edited deal is in the history once: nothing skipped, nothing twice
    long history = count("SELECT COUNT(*) FROM record_history WHERE crm_object = 'deals' AND pulled_at > '2026-11-02 09:01:00'");
    assertThat(history).isLessThanOrEqualTo(versions).isGreaterThanOrEqualTo(expected.size());
    assertThat(count("SELECT COUNT(*) FROM (SELECT record_id, row_hash FROM record_history WHERE crm_object = 'deals'"
        + " GROUP BY record_id, row_hash HAVING COUNT(*) > 1) twice")).isZero();
  }

  @Test
  void entriesNearTheHeadAreReadWithOneBatchCallNotOneCallEach() throws SQLException {
    // the journal was empty at the start: the first read takes the earliest entries in one batch call
    edit(deal(3), "800000");
    sandbox.resetRequests();
    assertThat(engine.sync().follower().step(connection()).entries()).isEqualTo(1);
    assertThat(sandbox.requests()).filteredOn(r -> r.contains("/webhooks-journal/journal-local/"))
        .singleElement().asString().contains("/batch/earliest/");
    edit(deal(0), "810000");
    edit(deal(1), "820000");
    edit(deal(2), "830000");
    sandbox.resetRequests();

    var step = engine.sync().follower().step(connection());

    assertThat(step.entries()).isEqualTo(3);
    assertThat(sandbox.requests()).filteredOn(r -> r.contains("/webhooks-journal/journal-local/"))
        .singleElement().asString().contains("/batch/latest/");
    assertThat(amount(deal(0))).isEqualTo("810000.00");
    assertThat(amount(deal(2))).isEqualTo("830000.00");
    // nothing new: one batch call again, and the position stays
    var position = engine.sync().follower().positions().of("hubspot").orElseThrow().position();
    assertThat(engine.sync().follower().step(connection()).entries()).isZero();
    assertThat(engine.sync().follower().positions().of("hubspot").orElseThrow().position()).isEqualTo(position);
  }

  @Test
  void salesosOwnWriteComingBackOnTheJournalIsNotReadAgainButAPersonsEditOfTheSameFieldIs() throws SQLException {
    // salesos wrote the flags of deal 0 (as the drainer journals an acknowledged write)
    new io.salesos.journal.Journal(db, sandbox.clock()).record(List.of(new io.salesos.journal.JournalEntry(0, Optional.empty(),
        "flags-1", "hubspot", "deals", Optional.of(deal(0)), "UPDATE", "flag", Map.of(), Map.of("salesos_flags", "NO_AMOUNT"),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        io.salesos.journal.JournalEntry.WRITTEN, Optional.empty(), sandbox.clock().instant())));
    sandbox.clock().advance(Duration.ofSeconds(1));
    sandbox.update("deals", List.of(deal(0)), Map.of("salesos_flags", "NO_AMOUNT"));
    edit(deal(1), "840000");
    sandbox.resetRequests();

    var step = engine.sync().follower().step(connection());

    assertThat(step.entries()).isEqualTo(2);
    assertThat(step.changed().get(CanonicalSchema.DEAL)).containsExactly(deal(1));
    assertThat(sandbox.requestBodies("POST", "/crm/v3/objects/deals/batch/read")).singleElement().asString()
        .contains(deal(1)).doesNotContain(deal(0));

    // a person setting the field to another value is an edit: read and applied
    sandbox.clock().advance(Duration.ofSeconds(1));
    sandbox.update("deals", List.of(deal(0)), Map.of("salesos_flags", "SET_BY_HAND"));
    var next = engine.sync().follower().step(connection());
    assertThat(next.changed().get(CanonicalSchema.DEAL)).containsExactly(deal(0));
    assertThat(flags(deal(0))).isEqualTo("SET_BY_HAND");
  }

  @Test
  void aPullReadingTheLaggingSearchIndexNeverUndoesAChangeTheStreamApplied() throws SQLException {
    // issue 21's timed-out change: the poll's pull read a deal's previous version from HubSpot's lagging
    // search index after the stream had applied the new one, and the mirror went back to it
    try (var lagging = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited()).withSearchLag(Duration.ofSeconds(30)));
        var mirror = TestDatabases.fresh()) {
      var laggingIds = lagging.seed(org);
      lagging.clock().advance(Duration.ofMinutes(1));
      var connection = new CrmConnection("hubspot", "hubspot",
          new ResilientConnector(connect(lagging, Map.of("change_stream", "journal")), ResilienceSettings.fast()),
          Mapping.load(Path.of("../config/mappings/hubspot.yaml")), true);
      var pipeline = new Pipeline(mirror, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()),
          ConflictPolicy.defaults(), new Pipeline.Settings(200, 1000, 3, Duration.ZERO, 10_000), lagging.clock());
      pipeline.pull(Optional.empty());
      pipeline.sync().follower().step(pipeline.connection("hubspot"));
      var deal = laggingIds.get(org.deals().get(0).id());
      // a first edit the search index has caught up with, then a second it has not
      lagging.update("deals", List.of(deal), Map.of("amount", "910000"));
      lagging.clock().advance(Duration.ofMinutes(1));
      lagging.update("deals", List.of(deal), Map.of("amount", "920000"));
      lagging.clock().advance(Duration.ofSeconds(2));
      assertThat(pipeline.sync().follower().step(pipeline.connection("hubspot")).changes()).isEqualTo(1);

      pipeline.pull(Optional.of("hubspot"));

      try (var c = mirror.connection(); var ps = c.prepareStatement("SELECT amount_original FROM deal WHERE id = ?")) {
        ps.setString(1, deal);
        try (var rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("920000");
        }
      }
    }
  }

  private String flags(String deal) throws SQLException {
    try (var c = db.connection(); var ps = c.prepareStatement("SELECT salesos_flags FROM deal WHERE id = ?")) {
      ps.setString(1, deal);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private String positionRow(String table) throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT position FROM " + table)) {
      var out = new ArrayList<String>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return String.join(",", out);
    }
  }

  private String amount(String deal) throws SQLException {
    try (var c = db.connection(); var ps = c.prepareStatement("SELECT amount FROM deal WHERE id = ?")) {
      ps.setString(1, deal);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private long count(String sql) throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
