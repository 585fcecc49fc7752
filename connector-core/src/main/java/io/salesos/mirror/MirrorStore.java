package io.salesos.mirror;

import io.salesos.model.FieldType;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.Deletion;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes the typed mirror tables, the record history and the sync checkpoints. A pulled
 * batch is applied in one transaction together with its checkpoint, so a crash replays at most
 * that batch, and a replayed record whose values did not change writes nothing.
 */
public final class MirrorStore {

  /** The default cap on a quarantined payload's stored size (64 KiB); longer payloads are kept truncated. */
  public static final int DEFAULT_QUARANTINE_PAYLOAD_BYTES = 64 * 1024;

  private final Database database;
  private final Clock clock;
  private final int quarantinePayloadBytes;

  public MirrorStore(Database database, Clock clock) {
    this(database, clock, DEFAULT_QUARANTINE_PAYLOAD_BYTES);
  }

  /** As {@link #MirrorStore(Database, Clock)}, keeping at most {@code quarantinePayloadBytes} of a quarantined payload. */
  public MirrorStore(Database database, Clock clock, int quarantinePayloadBytes) {
    if (quarantinePayloadBytes < 1) {
      throw new IllegalArgumentException("quarantinePayloadBytes must be at least 1, was " + quarantinePayloadBytes);
    }
    this.database = database;
    this.clock = clock;
    this.quarantinePayloadBytes = quarantinePayloadBytes;
  }

  /** What applying one batch changed. */
  public record ApplyResult(int inserted, int updated, int unchanged, int deleted, int quarantined) {
    public int changed() {
      return inserted + updated + deleted;
    }
  }

  /**
   * Applies one pulled batch of one CRM object and stores {@code next} as its checkpoint, all in
   * one transaction. {@code columns} are the canonical columns the mapping fills.
   */
  public ApplyResult apply(String source, String crmObject, String canonicalObject, Map<String, FieldType> columns,
      List<MirrorRecord> records, List<Deletion> deletions, List<QuarantineEntry> quarantined, Checkpoint next) {
    return apply(source, crmObject, canonicalObject, columns, records, deletions, quarantined, Optional.of(next));
  }

  /**
   * The canonical JSON and row hash of each record of a batch over the mapped columns, worked out
   * before the apply (a pull's reader thread does it while the batch before is being written), so
   * the applier's transaction does not wait on them. Same text and hash as the apply would make.
   */
  public record RowTexts(List<String> sortedColumns, List<String> json, List<String> hashes) {
    public RowTexts {
      sortedColumns = List.copyOf(sortedColumns);
      json = List.copyOf(json);
      hashes = List.copyOf(hashes);
      if (json.size() != hashes.size()) {
        throw new IllegalArgumentException(json.size() + " texts but " + hashes.size() + " hashes");
      }
    }

    /** The texts of {@code records} over {@code columns} (the mapping's canonical columns). */
    public static RowTexts of(java.util.Collection<String> columns, List<MirrorRecord> records) {
      var keys = CanonicalJson.sortedKeys(columns);
      var json = new ArrayList<String>(records.size());
      var hashes = new ArrayList<String>(records.size());
      for (var r : records) {
        var text = CanonicalJson.writeSorted(keys, r.values());
        json.add(text);
        hashes.add(CanonicalJson.hashOfJson(text));
      }
      return new RowTexts(List.of(keys), json, hashes);
    }
  }

  /**
   * As {@link #apply(String, String, String, Map, List, List, List, Checkpoint)}, with each
   * record's JSON and hash already made ({@link RowTexts#of}); refused when they were made over
   * other columns or for another number of records.
   */
  public ApplyResult apply(String source, String crmObject, String canonicalObject, Map<String, FieldType> columns,
      List<MirrorRecord> records, RowTexts texts, List<Deletion> deletions, List<QuarantineEntry> quarantined,
      Checkpoint next) {
    if (texts.json().size() != records.size()
        || !texts.sortedColumns().equals(List.of(CanonicalJson.sortedKeys(columns.keySet())))) {
      throw new IllegalArgumentException("the row texts of " + source + "/" + crmObject + " were made for "
          + texts.json().size() + " records over " + texts.sortedColumns() + ", not for these " + records.size()
          + " over " + columns.keySet());
    }
    return applyRetried(source, crmObject, canonicalObject, columns, records, texts, deletions, quarantined, Optional.of(next));
  }

  /**
   * As {@link #apply(String, String, String, Map, List, List, List, Checkpoint)}, but a full
   * re-read (reconcile) passes no checkpoint, so the incremental cursor never moves backwards.
   */
  public ApplyResult apply(String source, String crmObject, String canonicalObject, Map<String, FieldType> columns,
      List<MirrorRecord> records, List<Deletion> deletions, List<QuarantineEntry> quarantined, Optional<Checkpoint> next) {
    return applyRetried(source, crmObject, canonicalObject, columns, records, null, deletions, quarantined, next);
  }

  private ApplyResult applyRetried(String source, String crmObject, String canonicalObject, Map<String, FieldType> columns,
      List<MirrorRecord> records, RowTexts texts, List<Deletion> deletions, List<QuarantineEntry> quarantined,
      Optional<Checkpoint> next) {
    // objects pulled side by side share tables (every activity type, record_history): InnoDB may
    // pick one of two transactions as a deadlock victim (or Galera fail a certification), which
    // rolls the whole batch back, so the batch is simply applied again; so is a batch whose new
    // row another daemon inserted first (the retry finds it and updates it)
    for (int attempt = 1; ; attempt++) {
      try {
        return applyOnce(source, crmObject, canonicalObject, columns, records, texts, deletions, quarantined, next);
      } catch (IllegalStateException e) {
        if (attempt >= MAX_APPLY_ATTEMPTS || !worthRetrying(e)) {
          throw e;
        }
        org.slf4j.LoggerFactory.getLogger(MirrorStore.class).info(
            "event=apply_retried source={} object={} attempt={} reason=\"{}\"", source, crmObject, attempt,
            e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        try {
          Thread.sleep(20L * attempt + (long) (Math.random() * 30));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static final int MAX_APPLY_ATTEMPTS = 5;

  /**
   * A deadlock victim, a lock wait that timed out, or a new row someone inserted since the batch
   * read the mirror: the batch was rolled back whole and applying it again is safe.
   */
  static boolean worthRetrying(Throwable e) {
    for (var t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException x = sql; x != null; x = x.getNextException()) {
          if ("40001".equals(x.getSQLState()) || x.getErrorCode() == 1213 || x.getErrorCode() == 1205
              || x.getErrorCode() == 1062) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private ApplyResult applyOnce(String source, String crmObject, String canonicalObject, Map<String, FieldType> columns,
      List<MirrorRecord> records, RowTexts texts, List<Deletion> deletions, List<QuarantineEntry> quarantined,
      Optional<Checkpoint> next) {
    try (var c = database.connection()) {
      c.setAutoCommit(false);
      try {
        var result = applyIn(c, source, crmObject, canonicalObject, columns, records, texts, deletions, quarantined, next);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not apply a batch of " + source + "/" + crmObject + " to the mirror: " + e.getMessage(), e);
    }
  }

  /** The changes of one CRM object within a change-stream batch. */
  public record ObjectChanges(String crmObject, String canonicalObject, Map<String, FieldType> columns,
      List<MirrorRecord> records, List<Deletion> deletions, List<QuarantineEntry> quarantined) {}

  /** Work done inside the transaction of {@link #applyAll}, after the changes (a stream position saved). */
  @FunctionalInterface
  public interface InTransaction {
    void run(Connection c) throws SQLException;
  }

  /**
   * Applies the changes of several CRM objects of one connection (a change-stream batch) and runs
   * {@code alsoInTransaction} (which stores the stream position) in one transaction: all of it
   * lands, or none, so a crash replays the batch from the position stored before it. Checkpoints
   * of the keyset pull are not moved. Retried whole as {@link #apply} is.
   */
  public Map<String, ApplyResult> applyAll(String source, List<ObjectChanges> changes, InTransaction alsoInTransaction) {
    for (int attempt = 1; ; attempt++) {
      try (var c = database.connection()) {
        c.setAutoCommit(false);
        try {
          var out = new java.util.LinkedHashMap<String, ApplyResult>();
          for (var ch : changes) {
            out.put(ch.crmObject(), applyIn(c, source, ch.crmObject(), ch.canonicalObject(), ch.columns(), ch.records(),
                null, ch.deletions(), ch.quarantined(), Optional.empty()));
          }
          alsoInTransaction.run(c);
          c.commit();
          return out;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException | IllegalStateException e) {
        if (attempt >= MAX_APPLY_ATTEMPTS || !worthRetrying(e)) {
          throw e instanceof IllegalStateException ise ? ise
              : new IllegalStateException("could not apply a stream batch of " + source + " to the mirror: " + e.getMessage(), e);
        }
      }
    }
  }

  /** {@code texts}: each record's JSON and hash when the caller made them ahead ({@link RowTexts}), else null. */
  private ApplyResult applyIn(Connection c, String source, String crmObject, String canonicalObject,
      Map<String, FieldType> columns, List<MirrorRecord> records, RowTexts texts, List<Deletion> deletions,
      List<QuarantineEntry> quarantined, Optional<Checkpoint> next) throws SQLException {
    var table = SqlName.of(canonicalObject);
    var cols = columns.keySet().stream().map(SqlName::of).toList();
    var now = Timestamp.from(clock.instant());
    // per-row stamps bound as UTC LocalDateTime: the driver's Timestamp path builds a Calendar per value
    var nowUtc = utc(now.toInstant());
    var ids = new ArrayList<String>();
    records.forEach(r -> ids.add(r.id()));
    deletions.forEach(d -> ids.add(d.id()));
    var current = currentHashes(c, table, source, crmObject, ids);
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    int stale = 0;
    int deleted = 0;
    Instant newest = null;
    // new rows go as a plain INSERT, which the driver sends as one binary bulk (the server
    // parses nothing); rows the mirror holds go as the upsert, after them, so the last version
    // of an id in a batch still wins
    var sql = upsertSql(table, cols);
    try (var insert = c.prepareStatement(sql.substring(0, sql.indexOf(" ON DUPLICATE KEY UPDATE ")));
        var upsert = c.prepareStatement(sql);
        var history = c.prepareStatement(HISTORY_SQL)) {
      // the last version of an id in a batch wins; earlier ones are still history
      var keys = texts == null ? CanonicalJson.sortedKeys(columns.keySet()) : null;
      for (int n = 0; n < records.size(); n++) {
        var r = records.get(n);
        // one JSON text of the mapped columns serves the row hash and the history row
        var json = texts == null ? CanonicalJson.writeSorted(keys, r.values()) : texts.json().get(n);
        var hash = texts == null ? CanonicalJson.hashOfJson(json) : texts.hashes().get(n);
        var old = current.get(r.id());
        if (old != null && old.hash().equals(hash) && !old.deleted()) {
          unchanged++;
          continue;
        }
        if (old != null && !old.deleted() && old.modifiedAt() != null && r.modifiedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).isBefore(old.modifiedAt())) {
          // an older version than the mirror holds (a pull reading HubSpot's lagging search index after the
          // change stream applied the record as it is now): applying it would undo a newer change, which no
          // later read brings back until the record changes again
          stale++;
          continue;
        }
        if (old == null) {
          inserted++;
        } else {
          updated++;
        }
        current.put(r.id(), new Current(hash, false, r.modifiedAt()));
        var ps = old == null ? insert : upsert;
        int i = 1;
        ps.setString(i++, source);
        ps.setString(i++, crmObject);
        ps.setString(i++, r.id());
        for (var col : columns.entrySet()) {
          bind(ps, i++, r.values().get(col.getKey()), col.getValue());
        }
        ps.setObject(i++, utc(r.modifiedAt()));
        ps.setObject(i++, nowUtc);
        ps.setString(i, hash);
        ps.addBatch();
        addHistory(history, source, crmObject, canonicalObject, r.id(), r.modifiedAt(), nowUtc, false, hash, json);
        newest = newest == null || r.modifiedAt().isAfter(newest) ? r.modifiedAt() : newest;
      }
      // a row is inserted when the mirror did not hold it, upserted otherwise
      if (inserted > 0) {
        insert.executeBatch();
      }
      if (updated > 0) {
        upsert.executeBatch();
      }
      try (var del = c.prepareStatement("UPDATE " + table.quoted()
          + " SET `deleted` = TRUE, `deleted_at` = ?, `synced_at` = ? WHERE `source` = ? AND `crm_object` = ? AND `id` = ? AND `deleted` = FALSE")) {
        for (var d : deletions) {
          del.setTimestamp(1, ts(d.deletedAt()));
          del.setTimestamp(2, now);
          del.setString(3, source);
          del.setString(4, crmObject);
          del.setString(5, d.id());
          del.addBatch();
          var old = current.get(d.id());
          if (old != null && !old.deleted()) {
            deleted++;
            addHistory(history, source, crmObject, canonicalObject, d.id(), d.deletedAt(), nowUtc, true, old.hash(), "{}");
            current.put(d.id(), new Current(old.hash(), true, old.modifiedAt()));
          }
        }
        del.executeBatch();
      }
      history.executeBatch();
    }
    quarantine(c, source, crmObject, quarantined, now);
    if (stale > 0) {
      org.slf4j.LoggerFactory.getLogger(MirrorStore.class).info("event=older_version_skipped source={} object={} records={} reason=\"the mirror holds a newer version\"",
          source, crmObject, stale);
    }
    if (next.isPresent()) {
      saveCheckpoint(c, source, crmObject, next.get(), inserted + updated + deleted, newest, now);
    }
    return new ApplyResult(inserted, updated, unchanged + stale, deleted, quarantined.size());
  }

  private static final String HISTORY_SQL = "INSERT INTO record_history (source, crm_object, canonical_object, record_id,"
      + " crm_modified_at, pulled_at, deleted, row_hash, fields) VALUES (?,?,?,?,?,?,?,?,?)";

  private static void addHistory(PreparedStatement ps, String source, String crmObject, String canonical, String id,
      Instant modified, LocalDateTime now, boolean deleted, String hash, String json) throws SQLException {
    ps.setString(1, source);
    ps.setString(2, crmObject);
    ps.setString(3, canonical);
    ps.setString(4, id);
    ps.setObject(5, utc(modified));
    ps.setObject(6, now);
    ps.setBoolean(7, deleted);
    ps.setString(8, hash);
    ps.setString(9, json);
    ps.addBatch();
  }

  /** A mirrored row as an apply finds it: its hash, whether it is deleted, and the CRM's stamp of its version. */
  private record Current(String hash, boolean deleted, Instant modifiedAt) {}

  private static Map<String, Current> currentHashes(Connection c, SqlName table, String source, String crmObject,
      List<String> ids) throws SQLException {
    var out = new HashMap<String, Current>();
    for (int from = 0; from < ids.size(); from += 1000) {
      var chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
      var sql = "SELECT `id`, `row_hash`, `deleted`, `crm_modified_at` FROM " + table.quoted() + " WHERE `source` = ? AND `crm_object` = ? AND `id` IN ("
          + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
      try (var ps = c.prepareStatement(sql)) {
        ps.setString(1, source);
        ps.setString(2, crmObject);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(3 + i, chunk.get(i));
        }
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            var stamp = rs.getObject(4, LocalDateTime.class);
            out.put(rs.getString(1), new Current(rs.getString(2), rs.getBoolean(3),
                stamp == null ? null : stamp.toInstant(java.time.ZoneOffset.UTC)));
          }
        }
      }
    }
    return out;
  }

  private static String upsertSql(SqlName table, List<SqlName> cols) {
    var names = new StringBuilder("`source`, `crm_object`, `id`");
    var marks = new StringBuilder("?, ?, ?");
    var updates = new StringBuilder();
    for (var col : cols) {
      names.append(", ").append(col.quoted());
      marks.append(", ?");
      updates.append(col.quoted()).append(" = VALUES(").append(col.quoted()).append("), ");
    }
    names.append(", `crm_modified_at`, `synced_at`, `row_hash`");
    marks.append(", ?, ?, ?");
    updates.append("`crm_modified_at` = VALUES(`crm_modified_at`), `synced_at` = VALUES(`synced_at`),"
        + " `row_hash` = VALUES(`row_hash`), `deleted` = FALSE, `deleted_at` = NULL");
    return "INSERT INTO " + table.quoted() + " (" + names + ") VALUES (" + marks + ") ON DUPLICATE KEY UPDATE " + updates;
  }

  /**
   * One row per record and payload content: a record seen again (every poll re-reads its overlap
   * window, and a bad record stays bad) counts an occurrence and moves {@code last_seen}; it does
   * not store another copy. A sighting after a person resolved the row opens it again.
   */
  private static final String QUARANTINE_SQL = "INSERT INTO quarantine (source, crm_object, record_id, reason,"
      + " raw_payload, payload_hash, payload_length, payload_truncated, first_seen, last_seen, occurrences)"
      + " VALUES (?,?,?,?,?,?,?,?,?,?,1) ON DUPLICATE KEY UPDATE occurrences = occurrences + 1,"
      + " last_seen = GREATEST(last_seen, VALUES(last_seen)), reason = VALUES(reason), resolved_at = NULL";

  private void quarantine(Connection c, String source, String crmObject, List<QuarantineEntry> entries,
      Timestamp now) throws SQLException {
    if (entries.isEmpty()) {
      return;
    }
    try (var ps = c.prepareStatement(QUARANTINE_SQL)) {
      for (var q : entries) {
        var stored = q.storedPayload(quarantinePayloadBytes);
        ps.setString(1, source);
        ps.setString(2, crmObject);
        // the unique key needs a value: a record without an id is keyed by ''
        ps.setString(3, q.recordId().orElse(""));
        ps.setString(4, q.reason());
        ps.setString(5, stored);
        ps.setString(6, q.payloadHash());
        ps.setLong(7, q.payloadLength());
        ps.setBoolean(8, stored.length() < q.rawPayload().length());
        ps.setTimestamp(9, now);
        ps.setTimestamp(10, now);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void saveCheckpoint(Connection c, String source, String crmObject, Checkpoint next, int changed,
      Instant newest, Timestamp now) throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO sync_checkpoint (source, crm_object, checkpoint, records_total,"
        + " last_pull_at, last_change_at, last_error, updated_at) VALUES (?,?,?,?,?,?,NULL,?) ON DUPLICATE KEY UPDATE"
        + " checkpoint = VALUES(checkpoint), records_total = records_total + VALUES(records_total),"
        + " last_pull_at = VALUES(last_pull_at), last_change_at = COALESCE(VALUES(last_change_at), last_change_at),"
        + " last_error = NULL, updated_at = VALUES(updated_at)")) {
      ps.setString(1, source);
      ps.setString(2, crmObject);
      ps.setString(3, CanonicalJson.write(next.values()));
      ps.setLong(4, changed);
      ps.setTimestamp(5, now);
      ps.setTimestamp(6, newest == null ? null : ts(newest));
      ps.setTimestamp(7, now);
      ps.executeUpdate();
    }
  }

  /** Ids the mirror holds as live for one CRM object of one connection. */
  public java.util.Set<String> liveIds(String source, String crmObject, String canonicalObject) {
    var table = SqlName.of(canonicalObject);
    var out = new java.util.HashSet<String>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT `id` FROM " + table.quoted() + " WHERE `source` = ? AND `crm_object` = ? AND `deleted` = FALSE")) {
      ps.setString(1, source);
      ps.setString(2, crmObject);
      ps.setFetchSize(10_000);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not list " + canonicalObject + " ids: " + e.getMessage(), e);
    }
    return out;
  }

  /** The stored checkpoint of one CRM object of one connection; initial when there is none. */
  public Checkpoint checkpoint(String source, String crmObject) {
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT checkpoint FROM sync_checkpoint WHERE source = ? AND crm_object = ?")) {
      ps.setString(1, source);
      ps.setString(2, crmObject);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Checkpoint.of(CanonicalJson.readStrings(rs.getString(1))) : Checkpoint.INITIAL;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the checkpoint of " + source + "/" + crmObject + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts one object's pull over: its checkpoint goes back to initial, so the next pull reads
   * every record again (an admin's full re-sync). The mirror rows stay until the re-read replaces
   * them. Returns whether there was a checkpoint.
   */
  public boolean resetCheckpoint(String source, String crmObject) {
    try (var c = database.connection();
        var ps = c.prepareStatement("UPDATE sync_checkpoint SET checkpoint = '{}', updated_at = ? WHERE source = ? AND crm_object = ?")) {
      ps.setTimestamp(1, Timestamp.from(clock.instant()));
      ps.setString(2, source);
      ps.setString(3, crmObject);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("could not reset the checkpoint of " + source + "/" + crmObject + ": " + e.getMessage(), e);
    }
  }

  /** Records the last pull error of an object, for the status page; the checkpoint stays. */
  public void recordPullError(String source, String crmObject, String error) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO sync_checkpoint (source, crm_object, checkpoint, updated_at, last_error)"
            + " VALUES (?,?,'{}',?,?) ON DUPLICATE KEY UPDATE last_error = VALUES(last_error), updated_at = VALUES(updated_at)")) {
      ps.setString(1, source);
      ps.setString(2, crmObject);
      ps.setTimestamp(3, Timestamp.from(clock.instant()));
      ps.setString(4, error.length() > 2000 ? error.substring(0, 2000) : error);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record a pull error: " + e.getMessage(), e);
    }
  }

  /** One record as the mirror holds it (deleted records included, flagged by {@code deleted}). */
  public Optional<Map<String, Object>> find(String canonicalObject, String source, String id, Map<String, FieldType> columns) {
    var table = SqlName.of(canonicalObject);
    var sql = "SELECT * FROM " + table.quoted() + " WHERE `source` = ? AND `id` = ?";
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      ps.setString(2, id);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        var out = new LinkedHashMap<String, Object>();
        for (var col : columns.entrySet()) {
          out.put(col.getKey(), read(rs, col.getKey(), col.getValue()));
        }
        out.put("deleted", rs.getBoolean("deleted"));
        out.put("crm_modified_at", read(rs, "crm_modified_at", FieldType.DATETIME));
        return Optional.of(out);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read " + canonicalObject + " " + id + ": " + e.getMessage(), e);
    }
  }

  /** Binds a canonical value to a statement parameter by its type (UTC for timestamps). */
  public static void bind(PreparedStatement ps, int i, Object v, FieldType type) throws SQLException {
    if (v == null) {
      ps.setNull(i, switch (type) {
        case DECIMAL, PERCENT -> Types.DECIMAL;
        case INTEGER -> Types.BIGINT;
        case DOUBLE -> Types.DOUBLE;
        case BOOLEAN -> Types.BOOLEAN;
        case DATE -> Types.DATE;
        case DATETIME -> Types.TIMESTAMP;
        default -> Types.VARCHAR;
      });
      return;
    }
    switch (type) {
      case DECIMAL, PERCENT -> ps.setBigDecimal(i, (BigDecimal) v);
      case INTEGER -> ps.setLong(i, ((Number) v).longValue());
      case DOUBLE -> ps.setDouble(i, ((Number) v).doubleValue());
      case BOOLEAN -> ps.setBoolean(i, (Boolean) v);
      case DATE -> ps.setObject(i, (LocalDate) v);
      case DATETIME -> ps.setObject(i, LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
      default -> ps.setString(i, v.toString());
    }
  }

  /** Reads a column as its canonical Java type. */
  public static Object read(ResultSet rs, String column, FieldType type) throws SQLException {
    Object v = switch (type) {
      case DECIMAL, PERCENT -> rs.getBigDecimal(column);
      case INTEGER -> rs.getObject(column, Long.class);
      case DOUBLE -> rs.getObject(column, Double.class);
      case BOOLEAN -> rs.getObject(column, Boolean.class);
      case DATE -> rs.getObject(column, LocalDate.class);
      case DATETIME -> {
        var t = rs.getObject(column, LocalDateTime.class);
        yield t == null ? null : t.toInstant(ZoneOffset.UTC);
      }
      default -> rs.getString(column);
    };
    return rs.wasNull() ? null : v;
  }

  private static LocalDateTime utc(Instant i) {
    // what ofInstant(i, UTC) answers, without the ZoneRules ZoneOffset.getRules() builds per call
    return LocalDateTime.ofEpochSecond(i.getEpochSecond(), i.getNano(), ZoneOffset.UTC);
  }

  static Timestamp ts(Instant i) {
    // with connectionTimeZone=UTC the driver writes the instant's UTC wall time
    return Timestamp.from(i);
  }
}
