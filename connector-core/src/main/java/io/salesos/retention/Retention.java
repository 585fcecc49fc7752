package io.salesos.retention;

import io.salesos.config.SalesosConfig;
import io.salesos.mirror.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes system-table rows older than the configured retention (record history, write journal,
 * written outbox rows, conflicts, quarantine), for the nightly job. Each statement deletes at most
 * one batch of rows by primary key, in its own short transaction, so a large table is never locked
 * for long and the sync goes on beside it. An outbox row that may still be written (pending, draft,
 * held, blocked, dead) is never deleted, and each record's newest history version is kept.
 */
public final class Retention {

  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  /** How long each table keeps rows (empty: forever) and the rows one statement may delete. */
  public record Settings(Optional<Duration> recordHistory, Optional<Duration> writeJournal,
      Optional<Duration> outboxDone, Optional<Duration> conflict, Optional<Duration> quarantine, int batchRows) {

    public Settings {
      if (batchRows < 1) {
        throw new IllegalArgumentException("batchRows must be at least 1, was " + batchRows);
      }
    }

    /** As a configuration's {@code retention} section sets them (0 days keeps rows forever). */
    public static Settings of(SalesosConfig.RetentionConfig r) {
      return new Settings(days(r.recordHistoryDays()), days(r.writeJournalDays()), days(r.outboxDoneDays()),
          days(r.conflictDays()), days(r.quarantineDays()), r.batchRows());
    }

    private static Optional<Duration> days(int days) {
      return days <= 0 ? Optional.empty() : Optional.of(Duration.ofDays(days));
    }
  }

  /** Rows deleted per table by one run, in the order the tables were done. */
  public record Report(Map<String, Long> deleted) {
    public Report {
      deleted = Collections.unmodifiableMap(new LinkedHashMap<>(deleted));
    }

    public long total() {
      return deleted.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  // the outbox statuses of rows that are finished and written; every other status may still be written
  private static final String OUTBOX_OLD = "status = 'done' AND updated_at < ?";
  private static final String OUTBOX_LIVE = "('pending', 'draft', 'held', 'blocked', 'dead')";

  private final Database database;
  private final Settings settings;
  private final Clock clock;

  public Retention(Database database, Settings settings, Clock clock) {
    this.database = database;
    this.settings = settings;
    this.clock = clock;
  }

  /** Deletes every row past its table's retention; returns how many went from each table. */
  public Report run() {
    var now = clock.instant();
    var out = new LinkedHashMap<String, Long>();
    settings.recordHistory().ifPresent(d -> {
      var cutoff = Timestamp.from(now.minus(d));
      // a version is history once a newer one of the same record replaced it; it is past retention
      // when that happened before the cutoff (the mirror could not have shown it since then)
      long superseded = purge("record_history", "seq", "h", "h.crm_modified_at < ? AND EXISTS (SELECT 1 FROM record_history n"
          + " WHERE n.source = h.source AND n.canonical_object = h.canonical_object AND n.record_id = h.record_id"
          + " AND n.seq > h.seq AND n.crm_modified_at < ?)", List.of(cutoff, cutoff), Optional.empty());
      // a record deleted in the CRM before the cutoff: its last version (the deletion) goes too
      long deletions = purge("record_history", "seq", "h", "h.deleted = TRUE AND h.crm_modified_at < ? AND NOT EXISTS"
          + " (SELECT 1 FROM record_history n WHERE n.source = h.source AND n.canonical_object = h.canonical_object"
          + " AND n.record_id = h.record_id AND n.seq > h.seq)", List.of(cutoff), Optional.empty());
      out.put("record_history", superseded + deletions);
    });
    settings.writeJournal().ifPresent(d -> out.put("write_journal",
        purge("write_journal", "id", "j", "j.written_at < ?", List.of(Timestamp.from(now.minus(d))), Optional.empty())));
    settings.outboxDone().ifPresent(d -> {
      var cutoff = Timestamp.from(now.minus(d));
      // checked again as it is deleted: a row retried since it was read is no longer done
      out.put("outbox", purge("outbox", "id", "o", "o.status = 'done' AND o.updated_at < ?", List.of(cutoff),
          Optional.of(OUTBOX_OLD)));
    });
    settings.conflict().ifPresent(d -> out.put("conflict", purge("conflict", "id", "k", "k.detected_at < ? AND NOT ("
        + "k.resolution = 'held' AND k.resolved_at IS NULL AND EXISTS (SELECT 1 FROM outbox o WHERE o.id = k.outbox_id"
        + " AND o.status IN " + OUTBOX_LIVE + "))", List.of(Timestamp.from(now.minus(d))), Optional.empty())));
    settings.quarantine().ifPresent(d -> out.put("quarantine",
        purge("quarantine", "id", "q", "q.last_seen < ?", List.of(Timestamp.from(now.minus(d))), Optional.empty())));
    var report = new Report(out);
    log.info("event=retention_done {} total={}", keyValues(report.deleted()), report.total());
    return report;
  }

  /**
   * Deletes the rows of {@code table} that {@code where} selects (aliased {@code alias}), one
   * batch at a time in key order: a consistent read finds the next batch's keys, and one short
   * transaction deletes them by key ({@code recheck}, when given, is tested again on the row as
   * it is deleted, for rows that may change meanwhile).
   */
  private long purge(String table, String key, String alias, String where, List<Timestamp> params,
      Optional<String> recheck) {
    var select = "SELECT " + alias + "." + key + " FROM " + table + " " + alias + " WHERE " + alias + "." + key + " > ? AND "
        + where + " ORDER BY " + alias + "." + key + " LIMIT ?";
    long last = 0;
    long deleted = 0;
    try (var c = database.connection()) {
      while (true) {
        var keys = new ArrayList<Long>();
        try (var ps = c.prepareStatement(select)) {
          int i = 1;
          ps.setLong(i++, last);
          for (var p : params) {
            ps.setTimestamp(i++, p);
          }
          ps.setInt(i, settings.batchRows());
          try (var rs = ps.executeQuery()) {
            while (rs.next()) {
              keys.add(rs.getLong(1));
            }
          }
        }
        if (keys.isEmpty()) {
          break;
        }
        deleted += delete(c, table, key, keys, recheck, params);
        last = keys.get(keys.size() - 1);
        if (keys.size() < settings.batchRows()) {
          break;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("retention could not delete old rows of " + table + " (deleted " + deleted
          + " before the error; the next run goes on): " + e.getMessage(), e);
    }
    if (deleted > 0) {
      log.info("event=retention_deleted table={} rows={}", table, deleted);
    }
    return deleted;
  }

  private static int delete(Connection c, String table, String key, List<Long> keys, Optional<String> recheck,
      List<Timestamp> params) throws SQLException {
    var sql = "DELETE FROM " + table + " WHERE " + key + " IN (" + String.join(",", Collections.nCopies(keys.size(), "?"))
        + ")" + recheck.map(r -> " AND " + r).orElse("");
    try (var ps = c.prepareStatement(sql)) {
      int i = 1;
      for (var k : keys) {
        ps.setLong(i++, k);
      }
      if (recheck.isPresent()) {
        for (var p : params) {
          ps.setTimestamp(i++, p);
        }
      }
      return ps.executeUpdate();
    }
  }

  private static String keyValues(Map<String, Long> deleted) {
    var sb = new StringBuilder();
    deleted.forEach((t, n) -> sb.append(sb.length() == 0 ? "" : " ").append(t).append('=').append(n));
    return sb.toString();
  }
}
