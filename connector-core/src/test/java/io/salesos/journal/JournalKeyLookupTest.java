package io.salesos.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JournalKeyLookupTest {

  private static JournalEntry written(String key, String source, String title) {
    return new JournalEntry(0, Optional.empty(), key, source, "Task", Optional.of("00T" + key), "upsert", "task", Map.of(),
        Map.of("subject", title), Optional.of("stall.stage"), Optional.empty(), Optional.of("run-1"), Optional.of("rules"),
        Optional.empty(), JournalEntry.WRITTEN, Optional.empty(), Instant.parse("2026-11-02T09:00:00Z"));
  }

  @Test
  void journalLookupsByKeyReadTheKeyIndexAndFindOnlyThatKeysWrites() throws Exception {
    try (var db = TestDatabases.fresh()) {
      var journal = new Journal(db, Clock.fixed(Instant.parse("2026-11-02T09:00:00Z"), ZoneOffset.UTC));
      var entries = new ArrayList<JournalEntry>();
      for (int i = 0; i < 300; i++) {
        entries.add(written("k" + i, i % 2 == 0 ? "hubspot" : "salesforce", "task " + i));
      }
      entries.add(written("k7", "salesforce", "task 7, written again"));
      journal.record(entries);

      assertThat(journal.ofKey("k7")).extracting(e -> e.after().get("subject")).containsExactly("task 7", "task 7, written again");
      var latest = journal.latestWritten("salesforce", "task", List.of("k7", "k9", "k8"));
      assertThat(latest).containsOnlyKeys("k7", "k9");
      assertThat(latest.get("k7").after()).containsEntry("subject", "task 7, written again");

      try (var c = db.connection()) {
        c.createStatement().execute("ANALYZE TABLE write_journal");
        for (var sql : List.of("EXPLAIN SELECT * FROM write_journal WHERE idem_key = 'k7' ORDER BY id",
            "EXPLAIN SELECT * FROM write_journal WHERE source = 'salesforce' AND write_kind = 'task' AND outcome = 'written'"
                + " AND idem_key IN ('k7', 'k9', 'k8') ORDER BY id")) {
          try (var rs = c.createStatement().executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("key")).as(sql).isEqualTo("ix_journal_key");
          }
        }
      }
    }
  }
}
