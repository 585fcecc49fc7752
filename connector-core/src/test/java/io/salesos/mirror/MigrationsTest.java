package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.testing.TestDatabases;
import java.sql.SQLException;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class MigrationsTest {

  @Test
  void migrationsApplyToAFreshDatabaseAndASecondStartAppliesNothing() throws SQLException {
    var schema = TestDatabases.newSchema();
    try (var first = Database.external(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password(), 2)) {
      assertThat(first.migrationsApplied()).isEqualTo(14);
      var tables = new ArrayList<String>();
      try (var c = first.connection(); var rs = c.getMetaData().getTables(schema, null, "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME").toLowerCase());
        }
      }
      assertThat(tables).contains("sync_checkpoint", "record_history", "outbox", "write_journal", "conflict",
          "quarantine", "erasure", "rule_run", "rule_error", "pull_progress", "connection_pause", "mirror_relation", "mirror_migration", "crm_calendar", "stream_position", "currency_rate", "stage_vocabulary_version", "stage_vocabulary", "forecast_snapshot", "qrtz_job_details", "qrtz_triggers", "qrtz_locks",
          "account", "contact", "deal", "activity", "owner", "deal_contact", "stage_history");
    }
    try (var second = Database.external(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password(), 2)) {
      assertThat(second.migrationsApplied()).isZero();
    }
  }

  @Test
  void everyTableIsUtf8mb4() throws SQLException {
    try (var db = TestDatabases.fresh(); var c = db.connection();
        var rs = c.createStatement().executeQuery("SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES"
            + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE 'flyway%'")) {
      int n = 0;
      while (rs.next()) {
        n++;
        assertThat(rs.getString(2)).as(rs.getString(1)).startsWith("utf8mb4");
      }
      assertThat(n).isGreaterThan(15);
    }
  }
}
