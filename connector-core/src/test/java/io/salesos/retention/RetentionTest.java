package io.salesos.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.SalesosConfig;
import io.salesos.mirror.Database;
import io.salesos.testing.TestDatabases;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetentionTest {

  static final Instant NOW = Instant.parse("2026-12-01T03:00:00Z");

  Database db;

  @BeforeEach
  void setUp() {
    db = TestDatabases.fresh();
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  Retention retention(int batchRows) {
    var year = Optional.of(Duration.ofDays(365));
    return new Retention(db, new Retention.Settings(year, year, year, year, year, batchRows),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void oldJournalRowsGoInBatchesAndYoungOnesStay() throws SQLException {
    for (int i = 0; i < 7; i++) {
      journal("old-" + i, 400 + i);
    }
    journal("young", 10);
    journal("almost-a-year", 364);
    var report = retention(2).run();
    assertThat(report.deleted()).containsEntry("write_journal", 7L);
    assertThat(strings("SELECT idem_key FROM write_journal ORDER BY idem_key")).containsExactly("almost-a-year", "young");
  }

  @Test
  void onlyWrittenOutboxRowsPastRetentionGoNeverOnesThatMayStillBeWritten() throws SQLException {
    for (var status : List.of("pending", "draft", "held", "blocked", "dead", "discarded", "rejected")) {
      outbox(status + "-old", status, 900);
    }
    outbox("done-old", "done", 400);
    outbox("done-young", "done", 30);
    assertThat(retention(5000).run().deleted()).containsEntry("outbox", 1L);
    assertThat(strings("SELECT idem_key FROM outbox ORDER BY idem_key")).containsExactly("blocked-old", "dead-old",
        "discarded-old", "done-young", "draft-old", "held-old", "pending-old", "rejected-old");
  }

  @Test
  void historyKeepsEachRecordsNewestVersionAndWhatTheLastYearCouldShow() throws SQLException {
    history("A", 500, false); // replaced 400 days ago: goes
    history("A", 400, false); // replaced 10 days ago: the mirror showed it within the year, stays
    history("A", 10, false);
    history("B", 800, false); // never replaced: the record still looks like this, stays
    history("C", 600, false); // deleted in the CRM 500 days ago: the record and its deletion go
    history("C", 500, true);
    history("D", 600, false); // deleted 100 days ago: stays with its deletion
    history("D", 100, true);
    assertThat(retention(1).run().deleted()).containsEntry("record_history", 3L);
    assertThat(strings("SELECT CONCAT(record_id, ':', DATEDIFF('2026-12-01', crm_modified_at)) FROM record_history ORDER BY seq"))
        .containsExactly("A:400", "A:10", "B:800", "D:600", "D:100");
  }

  @Test
  void oldConflictsGoUnlessAPersonStillHasToDecideAndQuarantineAgesByLastSighting() throws SQLException {
    long held = outbox("held-write", "held", 500);
    long done = outbox("done-write", "done", 30);
    conflict("old-kept-crm", "kept_crm", 400, null);
    conflict("young", "kept_crm", 20, null);
    conflict("old-held-waiting", "held", 400, held);
    conflict("old-held-since-written", "held", 400, done);
    quarantine("old", 700, 400);
    quarantine("seen-last-week", 700, 7);
    var report = retention(5000).run();
    assertThat(report.deleted()).containsEntry("conflict", 2L).containsEntry("quarantine", 1L);
    assertThat(strings("SELECT record_id FROM conflict ORDER BY record_id")).containsExactly("old-held-waiting", "young");
    assertThat(strings("SELECT record_id FROM quarantine")).containsExactly("seen-last-week");
  }

  @Test
  void zeroDaysKeepsATableForever() throws SQLException {
    journal("ancient", 5000);
    var config = new SalesosConfig.RetentionConfig(365, 0, 365, 365, 365, 5000, 65536);
    var report = new Retention(db, Retention.Settings.of(config), Clock.fixed(NOW, ZoneOffset.UTC)).run();
    assertThat(report.deleted()).doesNotContainKey("write_journal").containsEntry("outbox", 0L);
    assertThat(strings("SELECT idem_key FROM write_journal")).containsExactly("ancient");
  }

  Timestamp daysAgo(int days) {
    return Timestamp.from(NOW.minus(Duration.ofDays(days)));
  }

  void journal(String key, int daysAgo) throws SQLException {
    exec("INSERT INTO write_journal (idem_key, source, crm_object, record_id, op, write_kind, outcome, written_at)"
        + " VALUES (?, 'hs', 'deals', '1', 'UPDATE', 'flag', 'written', ?)", key, daysAgo(daysAgo));
  }

  long outbox(String key, String status, int daysAgo) throws SQLException {
    var at = daysAgo(daysAgo);
    exec("INSERT INTO outbox (idem_key, source, crm_object, canonical_object, record_id, op, write_kind, fields, status,"
        + " next_attempt_at, created_at, updated_at) VALUES (?, 'hs', 'deals', 'deal', '1', 'UPDATE', 'flag', '{}', ?, ?, ?, ?)",
        key, status, at, at, at);
    return Long.parseLong(strings("SELECT id FROM outbox WHERE idem_key = '" + key + "'").get(0));
  }

  void history(String id, int daysAgo, boolean deleted) throws SQLException {
    exec("INSERT INTO record_history (source, crm_object, canonical_object, record_id, crm_modified_at, pulled_at,"
        + " deleted, row_hash, fields) VALUES ('hs', 'deals', 'deal', ?, ?, ?, ?, REPEAT('0', 64), '{}')",
        id, daysAgo(daysAgo), daysAgo(daysAgo), deleted);
  }

  void conflict(String recordId, String resolution, int daysAgo, Long outboxId) throws SQLException {
    exec("INSERT INTO conflict (source, crm_object, record_id, field, policy, resolution, outbox_id, detected_at)"
        + " VALUES ('hs', 'deals', ?, 'stage', 'hold', ?, ?, ?)", recordId, resolution, outboxId, daysAgo(daysAgo));
  }

  void quarantine(String recordId, int firstSeenDaysAgo, int lastSeenDaysAgo) throws SQLException {
    exec("INSERT INTO quarantine (source, crm_object, record_id, reason, raw_payload, payload_hash, payload_length,"
        + " first_seen, last_seen, occurrences) VALUES ('hs', 'deals', ?, 'bad', '{', SHA2('{', 256), 1, ?, ?, 3)",
        recordId, daysAgo(firstSeenDaysAgo), daysAgo(lastSeenDaysAgo));
  }

  void exec(String sql, Object... params) throws SQLException {
    try (var c = db.connection(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  List<String> strings(String sql) throws SQLException {
    var out = new ArrayList<String>();
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
