package io.salesos.journal;

import io.salesos.mirror.CanonicalJson;
import io.salesos.mirror.Database;
import java.sql.ResultSet;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The write journal: every attempt to write a CRM record, with its before and after images and its
 * source (rule and rule-file hash, or admin verb, and run), so a run can be audited and rolled back.
 */
public final class Journal {

  private final Database database;
  private final Clock clock;

  public Journal(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  public void record(List<JournalEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try (var c = database.connection()) {
      record(entries, c);
    } catch (SQLException e) {
      throw new IllegalStateException("could not write the journal: " + e.getMessage(), e);
    }
  }

  /** Journals {@code entries} on {@code c}, inside the caller's transaction. */
  public void record(List<JournalEntry> entries, Connection c) throws SQLException {
    if (entries.isEmpty()) {
      return;
    }
    try (var ps = c.prepareStatement("INSERT INTO write_journal (outbox_id, idem_key, source, crm_object, record_id, op,"
            + " write_kind, before_image, after_image, rule_id, rule_hash, run_id, actor, approved_by, outcome, error,"
            + " written_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      var now = Timestamp.from(clock.instant());
      for (var e : entries) {
        int i = 1;
        if (e.outboxId().isPresent()) {
          ps.setLong(i++, e.outboxId().get());
        } else {
          ps.setNull(i++, java.sql.Types.BIGINT);
        }
        ps.setString(i++, e.idemKey());
        ps.setString(i++, e.source());
        ps.setString(i++, e.crmObject());
        ps.setString(i++, e.recordId().orElse(null));
        ps.setString(i++, e.op());
        ps.setString(i++, e.writeKind());
        ps.setString(i++, CanonicalJson.write(e.before()));
        ps.setString(i++, CanonicalJson.write(e.after()));
        ps.setString(i++, e.ruleId().orElse(null));
        ps.setString(i++, e.ruleHash().orElse(null));
        ps.setString(i++, e.runId().orElse(null));
        ps.setString(i++, e.actor().orElse(null));
        ps.setString(i++, e.approvedBy().orElse(null));
        ps.setString(i++, e.outcome());
        ps.setString(i++, e.error().orElse(null));
        ps.setTimestamp(i, now);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The journalled writes of one run, in order. */
  public List<JournalEntry> ofRun(String runId) {
    return query("SELECT * FROM write_journal WHERE run_id = ? ORDER BY id", runId);
  }

  /** One run as the journal saw it: when its writes happened, how many landed, and who or what made them. */
  public record RunSummary(String runId, java.time.Instant first, java.time.Instant last, int written, int failed,
      int conflicts, String sources, String madeBy) {}

  /** The newest runs that wrote (or tried to write) anything, newest first: what {@code rollback} takes. */
  public List<RunSummary> runs(int limit) {
    var sql = "SELECT run_id, MIN(written_at), MAX(written_at), SUM(outcome = 'written'), SUM(outcome = 'failed'),"
        + " SUM(outcome = 'conflict'), GROUP_CONCAT(DISTINCT source ORDER BY source SEPARATOR ','),"
        + " GROUP_CONCAT(DISTINCT COALESCE(actor, rule_id, '?') ORDER BY COALESCE(actor, rule_id, '?') SEPARATOR ',')"
        + " FROM write_journal WHERE run_id IS NOT NULL GROUP BY run_id ORDER BY MAX(id) DESC LIMIT ?";
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      ps.setInt(1, limit);
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<RunSummary>();
        while (rs.next()) {
          out.add(new RunSummary(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant(),
              rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getString(7), abbreviate(rs.getString(8))));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the journal: " + e.getMessage(), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  /**
   * The latest write of each key of one kind that reached the CRM for one connection: what salesos
   * itself put into each record it created or updated that way.
   */
  public java.util.Map<String, JournalEntry> latestWritten(String source, String writeKind) {
    var out = new java.util.HashMap<String, JournalEntry>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT * FROM write_journal WHERE source = ? AND write_kind = ? AND outcome = ? ORDER BY id")) {
      ps.setString(1, source);
      ps.setString(2, writeKind);
      ps.setString(3, JournalEntry.WRITTEN);
      ps.setFetchSize(1_000);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var e = row(rs);
          out.put(e.idemKey(), e);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the journal: " + e.getMessage(), e);
    }
    return out;
  }

  /** As {@link #latestWritten(String, String)}, for {@code keys} only, read a few hundred keys at a time. */
  public java.util.Map<String, JournalEntry> latestWritten(String source, String writeKind, java.util.Collection<String> keys) {
    var out = new java.util.HashMap<String, JournalEntry>();
    var list = new java.util.ArrayList<>(keys);
    for (int from = 0; from < list.size(); from += 500) {
      var chunk = list.subList(from, Math.min(list.size(), from + 500));
      try (var c = database.connection();
          var ps = c.prepareStatement("SELECT * FROM write_journal WHERE source = ? AND write_kind = ? AND outcome = ?"
              + " AND idem_key IN (" + "?,".repeat(chunk.size() - 1) + "?) ORDER BY id")) {
        ps.setString(1, source);
        ps.setString(2, writeKind);
        ps.setString(3, JournalEntry.WRITTEN);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(4 + i, chunk.get(i));
        }
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            var e = row(rs);
            out.put(e.idemKey(), e);
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("could not read the journal: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * What salesos itself last wrote to each field of one record (written writes only, newest
   * last), so a value the CRM shows can be recognised as salesos's own write coming back.
   */
  public java.util.Map<String, Object> lastWrittenValues(String source, String crmObject, String recordId) {
    var out = new java.util.HashMap<String, Object>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT after_image FROM write_journal WHERE source = ? AND crm_object = ? AND record_id = ?"
            + " AND outcome = ? ORDER BY id")) {
      ps.setString(1, source);
      ps.setString(2, crmObject);
      ps.setString(3, recordId);
      ps.setString(4, JournalEntry.WRITTEN);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.putAll(CanonicalJson.read(rs.getString(1)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the journal: " + e.getMessage(), e);
    }
    return out;
  }

  /** The journalled writes of one outbox key, in order. */
  public List<JournalEntry> ofKey(String key) {
    return query("SELECT * FROM write_journal WHERE idem_key = ? ORDER BY id", key);
  }

  private List<JournalEntry> query(String sql, String arg) {
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<JournalEntry>();
        while (rs.next()) {
          out.add(row(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the journal: " + e.getMessage(), e);
    }
  }

  private static JournalEntry row(ResultSet rs) throws SQLException {
    long outbox = rs.getLong("outbox_id");
    return new JournalEntry(rs.getLong("id"), rs.wasNull() ? Optional.empty() : Optional.of(outbox),
        rs.getString("idem_key"), rs.getString("source"), rs.getString("crm_object"),
        Optional.ofNullable(rs.getString("record_id")), rs.getString("op"), rs.getString("write_kind"),
        CanonicalJson.read(rs.getString("before_image")), CanonicalJson.read(rs.getString("after_image")),
        Optional.ofNullable(rs.getString("rule_id")), Optional.ofNullable(rs.getString("rule_hash")),
        Optional.ofNullable(rs.getString("run_id")), Optional.ofNullable(rs.getString("actor")),
        Optional.ofNullable(rs.getString("approved_by")), rs.getString("outcome"),
        Optional.ofNullable(rs.getString("error")), rs.getTimestamp("written_at").toInstant());
  }
}
