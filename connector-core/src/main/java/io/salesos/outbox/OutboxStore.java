package io.salesos.outbox;

import io.salesos.journal.Journal;
import io.salesos.journal.JournalEntry;
import io.salesos.rules.WriteKind;
import io.salesos.mirror.CanonicalJson;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxEntry.Status;
import io.salesos.spi.Write;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outbox table: writes wait here until they reach the CRM, are approved away or dead-lettered.
 * Queuing is idempotent by key: the same decision queued twice is one row.
 */
public final class OutboxStore {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OutboxStore.class);

  private final Database database;
  private final Clock clock;

  public OutboxStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Queues entries (status pending or draft) under the allow-list in force: an entry it refuses is
   * queued as blocked with the reason, and never sent unless a widening and {@code outbox retry}
   * queue it again. Returns how many were new (an existing key is kept as is).
   */
  public int enqueue(List<OutboxEntry> entries, AllowList allowList) {
    return enqueue(entries, allowList, RunLimits.NONE, 0);
  }

  /**
   * As {@link #enqueue(List, AllowList)}, for one run that evaluated {@code evaluatedDeals}: when
   * its new pending writes of one kind exceed {@code limits}, every one of them is queued held for
   * review (status review, with the reason) instead, and nothing of the run is sent until
   * {@link #releaseRun}.
   */
  public int enqueue(List<OutboxEntry> entries, AllowList allowList, RunLimits limits, int evaluatedDeals) {
    var checked = new ArrayList<OutboxEntry>(entries.size());
    var reasons = new java.util.HashMap<String, String>();
    for (var e : entries) {
      var refusal = allowList.refusal(e);
      if (refusal.isPresent()) {
        reasons.put(e.idemKey(), refusal.get());
        checked.add(e.withStatus(Status.BLOCKED));
      } else {
        checked.add(e);
      }
    }
    var existing = existingKeys(checked.stream().map(OutboxEntry::idemKey).toList());
    var newPending = new java.util.TreeMap<String, Long>();
    checked.stream().filter(e -> e.status() == Status.PENDING && !existing.contains(e.idemKey()))
        .forEach(e -> newPending.merge(e.kind().code(), 1L, Long::sum));
    var over = limits.exceeded(newPending, evaluatedDeals);
    if (over.isPresent()) {
      var run = checked.stream().flatMap(e -> e.runId().stream()).findFirst().orElse("?");
      var why = "held for review: " + over.get() + "; nothing of run " + run + " is sent until `salesos outbox release " + run + "`";
      for (int i = 0; i < checked.size(); i++) {
        var e = checked.get(i);
        if (e.status() == Status.PENDING && !existing.contains(e.idemKey())) {
          checked.set(i, e.withStatus(Status.REVIEW));
          reasons.put(e.idemKey(), why);
        }
      }
      log.warn("event=run_held run={} writes={} reason=\"{}\" release=\"salesos outbox release {}\"", run,
          newPending.values().stream().mapToLong(Long::longValue).sum(), over.get(), run);
    }
    return insert(checked, reasons, existing);
  }

  /**
   * Queues one part of a run evaluated in partitions, under the allow-list, and adds its new
   * pending writes per write kind to {@code newPending}. With {@code holdReason} every new pending
   * write is queued held for review with that reason, so nothing of the run is sent before {@link
   * #endHeldRun} has checked the whole run against its limits.
   */
  public int enqueuePart(List<OutboxEntry> entries, AllowList allowList, java.util.Optional<String> holdReason,
      java.util.Map<String, Long> newPending) {
    var checked = new ArrayList<OutboxEntry>(entries.size());
    var reasons = new java.util.HashMap<String, String>();
    for (var e : entries) {
      var refusal = allowList.refusal(e);
      if (refusal.isPresent()) {
        reasons.put(e.idemKey(), refusal.get());
        checked.add(e.withStatus(Status.BLOCKED));
      } else {
        checked.add(e);
      }
    }
    var existing = existingKeys(checked.stream().map(OutboxEntry::idemKey).toList());
    var seen = new java.util.HashSet<String>();
    for (int i = 0; i < checked.size(); i++) {
      var e = checked.get(i);
      if (e.status() == Status.PENDING && !existing.contains(e.idemKey())) {
        if (seen.add(e.idemKey())) {
          newPending.merge(e.kind().code(), 1L, Long::sum);
        }
        if (holdReason.isPresent()) {
          checked.set(i, e.withStatus(Status.REVIEW));
          reasons.put(e.idemKey(), holdReason.get());
        }
      }
    }
    return insert(checked, reasons, existing);
  }

  /**
   * Ends a run queued in parts held with {@code holdReason}: within its limits ({@code over} empty)
   * its held writes become pending; over them, they stay held with the reason and the command that
   * releases them. Returns how many writes were released.
   */
  public int endHeldRun(String runId, String holdReason, java.util.Optional<String> over) {
    var now = Timestamp.from(clock.instant());
    try (var c = database.connection()) {
      if (over.isEmpty()) {
        try (var ps = c.prepareStatement("UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = NULL,"
            + " updated_at = ? WHERE run_id = ? AND status = 'review' AND last_error = ?")) {
          ps.setTimestamp(1, now);
          ps.setTimestamp(2, now);
          ps.setString(3, runId);
          ps.setString(4, holdReason);
          return ps.executeUpdate();
        }
      }
      var why = "held for review: " + over.get() + "; nothing of run " + runId + " is sent until `salesos outbox release " + runId + "`";
      try (var ps = c.prepareStatement("UPDATE outbox SET last_error = ?, updated_at = ? WHERE run_id = ? AND status = 'review'"
          + " AND last_error = ?")) {
        ps.setString(1, why);
        ps.setTimestamp(2, now);
        ps.setString(3, runId);
        ps.setString(4, holdReason);
        int held = ps.executeUpdate();
        log.warn("event=run_held run={} writes={} reason=\"{}\" release=\"salesos outbox release {}\"", runId, held, over.get(), runId);
        return 0;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not end run " + runId + " in the outbox: " + e.getMessage(), e);
    }
  }

  /**
   * Queues entries as they are, with no allow-list at hand (a rollback while no rule set is in
   * force, tests): the drainer still checks each against the allow-list in force before sending,
   * and sends nothing while there is none.
   */
  public int enqueue(List<OutboxEntry> entries) {
    return insert(entries, java.util.Map.of(), existingKeys(entries.stream().map(OutboxEntry::idemKey).toList()));
  }

  /** Inserts the entries whose key is not in {@code existing} (read once by the caller), with their reasons. */
  private int insert(List<OutboxEntry> entries, java.util.Map<String, String> errors, java.util.Set<String> existing) {
    if (entries.isEmpty()) {
      return 0;
    }
    var now = Timestamp.from(clock.instant());
    var fresh = new java.util.LinkedHashMap<String, OutboxEntry>();
    for (var e : entries) {
      if (!existing.contains(e.idemKey())) {
        fresh.putIfAbsent(e.idemKey(), e);
      }
    }
    if (fresh.isEmpty()) {
      return 0;
    }
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT IGNORE INTO outbox (idem_key, source, crm_object, canonical_object, record_id,"
            + " op, write_kind, fields, expected, status, attempts, next_attempt_at, rule_id, rule_hash, run_id, actor,"
            + " last_error, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?,?,?,?,?,?)")) {
      for (var e : fresh.values()) {
        int i = 1;
        ps.setString(i++, e.idemKey());
        ps.setString(i++, e.source());
        ps.setString(i++, e.crmObject());
        ps.setString(i++, e.canonicalObject());
        ps.setString(i++, e.recordId().orElse(null));
        ps.setString(i++, e.op().name());
        ps.setString(i++, e.kind().code());
        ps.setString(i++, CanonicalJson.write(e.fields()));
        ps.setString(i++, e.expected().isEmpty() ? null : CanonicalJson.write(e.expected()));
        ps.setString(i++, e.status().code());
        ps.setTimestamp(i++, now);
        ps.setString(i++, e.ruleId().orElse(null));
        ps.setString(i++, e.ruleHash().orElse(null));
        ps.setString(i++, e.runId().orElse(null));
        ps.setString(i++, e.actor().orElse(null));
        // the reason it was held or blocked when queued, or the one the entry carries (a withdrawal held for a person)
        ps.setString(i++, errors.getOrDefault(e.idemKey(), e.lastError().orElse(null)));
        ps.setTimestamp(i++, now);
        ps.setTimestamp(i, now);
        ps.addBatch();
      }
      // INSERT IGNORE still guards against another daemon queuing the same key meanwhile
      ps.executeBatch();
      return fresh.size();
    } catch (SQLException e) {
      throw new IllegalStateException("could not queue " + entries.size() + " writes: " + e.getMessage(), e);
    }
  }

  /** The keys among {@code keys} already in the outbox, whatever their status. */
  public java.util.Set<String> existingKeys(List<String> keys) {
    var out = new java.util.HashSet<String>();
    for (int from = 0; from < keys.size(); from += 1000) {
      var chunk = keys.subList(from, Math.min(keys.size(), from + 1000));
      var sql = "SELECT idem_key FROM outbox WHERE idem_key IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
      try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Pending rows whose next attempt is due, oldest first. */
  public List<OutboxEntry> due(int limit) {
    // a paused connection's writes wait (sync --pause)
    return query("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
        + " AND source NOT IN (SELECT source FROM connection_pause) ORDER BY id LIMIT ?",
        ps -> {
          ps.setTimestamp(1, Timestamp.from(clock.instant()));
          ps.setInt(2, limit);
        });
  }

  /** Rows in one status (for the CLI and the status page), newest first. */
  public List<OutboxEntry> list(Optional<Status> status, int limit) {
    if (status.isPresent()) {
      return query("SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?", ps -> {
        ps.setString(1, status.get().code());
        ps.setInt(2, limit);
      });
    }
    return query("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", ps -> ps.setInt(1, limit));
  }

  public Optional<OutboxEntry> byId(long id) {
    return query("SELECT * FROM outbox WHERE id = ?", ps -> ps.setLong(1, id)).stream().findFirst();
  }

  public Optional<OutboxEntry> byKey(String key) {
    return query("SELECT * FROM outbox WHERE idem_key = ?", ps -> ps.setString(1, key)).stream().findFirst();
  }

  /** Counts per status, for metrics and the status page. */
  public java.util.Map<String, Long> counts() {
    var out = new java.util.TreeMap<String, Long>();
    try (var c = database.connection();
        var rs = c.createStatement().executeQuery("SELECT status, COUNT(*) FROM outbox GROUP BY status")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not count the outbox: " + e.getMessage(), e);
    }
    return out;
  }

  /** One row the CRM accepted, with the id it answered. */
  public record Done(long id, Optional<String> crmId) {}

  /**
   * Marks rows written and journals them in one transaction: a crash between the CRM's answer and
   * this commit leaves both undone, so the write is sent again (an upsert by key, or an update to
   * the same values, lands once) and journalled once; never a CRM write without its journal entry.
   */
  public void markDone(List<Done> done, Journal journal, List<JournalEntry> entries) {
    if (done.isEmpty() && entries.isEmpty()) {
      return;
    }
    try (var c = database.connection()) {
      c.setAutoCommit(false);
      try (var ps = c.prepareStatement("UPDATE outbox SET status = 'done', crm_id = ?, last_error = NULL, attempts = attempts + 1,"
          + " updated_at = ? WHERE id = ?")) {
        var now = Timestamp.from(clock.instant());
        for (var d : done) {
          ps.setString(1, d.crmId().orElse(null));
          ps.setTimestamp(2, now);
          ps.setLong(3, d.id());
          ps.addBatch();
        }
        ps.executeBatch();
        journal.record(entries, c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the written rows: " + e.getMessage(), e);
    }
  }

  /**
   * Records a failed attempt: retried after {@code backoff} (doubling per attempt), or
   * dead-lettered with the reason once {@code maxAttempts} are spent or when the CRM refused it
   * for good ({@code retryable} false).
   */
  public Status markFailed(OutboxEntry e, String error, boolean retryable, int maxAttempts, Duration backoff) {
    int attempts = e.attempts() + 1;
    boolean dead = !retryable || attempts >= maxAttempts;
    var reason = dead && retryable ? "gave up after " + attempts + " attempts: " + error
        : dead ? "the CRM refused this write: " + error : error;
    long delay = Math.min(Duration.ofHours(6).toMillis(), backoff.toMillis() * (1L << Math.min(16, attempts - 1)));
    var next = clock.instant().plusMillis(delay);
    update("UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
        ps -> {
          ps.setString(1, dead ? "dead" : "pending");
          ps.setInt(2, attempts);
          ps.setString(3, reason.length() > 4000 ? reason.substring(0, 4000) : reason);
          ps.setTimestamp(4, Timestamp.from(next));
          ps.setTimestamp(5, Timestamp.from(clock.instant()));
          ps.setLong(6, e.id());
        });
    return dead ? Status.DEAD : Status.PENDING;
  }

  /** Sets a row's status (held, discarded, rejected) with a reason. */
  public void setStatus(long id, Status status, String reason) {
    update("UPDATE outbox SET status = ?, last_error = ?, updated_at = ? WHERE id = ?", ps -> {
      ps.setString(1, status.code());
      ps.setString(2, reason);
      ps.setTimestamp(3, Timestamp.from(clock.instant()));
      ps.setLong(4, id);
    });
  }

  /** Releases a run's writes held for review: they are due now. Returns how many. */
  public int releaseRun(String runId, String who) {
    var now = Timestamp.from(clock.instant());
    try (var c = database.connection();
        var ps = c.prepareStatement("UPDATE outbox SET status = 'pending', next_attempt_at = ?, approved_by = ?,"
            + " approved_at = ?, last_error = NULL, updated_at = ? WHERE run_id = ? AND status = 'review'")) {
      ps.setTimestamp(1, now);
      ps.setString(2, who);
      ps.setTimestamp(3, now);
      ps.setTimestamp(4, now);
      ps.setString(5, runId);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not release the writes of run " + runId + ": " + e.getMessage(), e);
    }
  }

  /** The runs with writes held for review: run id to how many. */
  public java.util.Map<String, Long> runsInReview() {
    var out = new java.util.TreeMap<String, Long>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT run_id, COUNT(*) FROM outbox WHERE status = 'review' GROUP BY run_id");
        var rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
    }
  }

  /** Puts dead, held or blocked rows back in the queue, due now, with their tries reset. */
  public int retry(List<Long> ids) {
    int n = 0;
    for (var id : ids) {
      n += update("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?"
          + " WHERE id = ? AND status IN ('dead', 'held', 'blocked', 'pending')", ps -> {
            ps.setTimestamp(1, Timestamp.from(clock.instant()));
            ps.setTimestamp(2, Timestamp.from(clock.instant()));
            ps.setLong(3, id);
          });
    }
    return n;
  }

  /** Drafts waiting for approval, optionally only one rule's or one rep's (by the write's owner field). */
  public List<OutboxEntry> drafts(Optional<String> rule, Optional<String> owner, int limit) {
    return query("SELECT * FROM outbox WHERE status = 'draft' AND (? IS NULL OR rule_id = ?)"
        + " AND (? IS NULL OR JSON_VALUE(fields, '$.owner_id') = ?) ORDER BY id LIMIT ?", ps -> {
          ps.setString(1, rule.orElse(null));
          ps.setString(2, rule.orElse(null));
          ps.setString(3, owner.orElse(null));
          ps.setString(4, owner.orElse(null));
          ps.setInt(5, limit);
        });
  }

  /** Rejects drafts: they are never written; who rejected them is kept. */
  public int reject(List<Long> ids, String who) {
    int n = 0;
    for (var id : ids) {
      n += update("UPDATE outbox SET status = 'rejected', approved_by = ?, last_error = 'rejected by a person', updated_at = ?"
          + " WHERE id = ? AND status = 'draft'", ps -> {
            ps.setString(1, who);
            ps.setTimestamp(2, Timestamp.from(clock.instant()));
            ps.setLong(3, id);
          });
    }
    return n;
  }

  /** Approves drafts: they become pending, with the approver recorded. */
  public int approve(List<Long> ids, String approver) {
    int n = 0;
    for (var id : ids) {
      n += update("UPDATE outbox SET status = 'pending', approved_by = ?, approved_at = ?, next_attempt_at = ?, updated_at = ?"
          + " WHERE id = ? AND status = 'draft'", ps -> {
            var now = Timestamp.from(clock.instant());
            ps.setString(1, approver);
            ps.setTimestamp(2, now);
            ps.setTimestamp(3, now);
            ps.setTimestamp(4, now);
            ps.setLong(5, id);
          });
    }
    return n;
  }

  /** How many rows are not finished (pending, draft, held): the outbox depth. */
  public long depth() {
    try (var c = database.connection();
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM outbox WHERE status IN ('pending','draft','held')")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("could not count the outbox: " + e.getMessage(), e);
    }
  }

  /** A flag or forecast write of one deal still waiting (draft, pending or held), with its fields as stored. */
  public record WaitingWrite(long id, String recordId, String kind, String fieldsJson) {}

  /** The flag and forecast writes of {@code source} still waiting (draft, pending or held) for {@code dealIds}. */
  public List<WaitingWrite> waitingDealWrites(String source, java.util.Collection<String> dealIds) {
    var out = new ArrayList<WaitingWrite>();
    forChunks(dealIds, chunk -> read("SELECT id, record_id, write_kind, fields FROM outbox WHERE source = ? AND record_id IN ("
        + marks(chunk.size()) + ") AND write_kind IN ('flag', 'forecast') AND status IN ('draft', 'pending', 'held')",
        ps -> bind(ps, source, chunk),
        rs -> out.add(new WaitingWrite(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))));
    return out;
  }

  /** Which of {@code keys} are task writes of {@code source} queued or done. */
  public java.util.Set<String> taskKeys(String source, java.util.Collection<String> keys) {
    var out = new java.util.HashSet<String>();
    forChunks(keys, chunk -> read("SELECT idem_key FROM outbox WHERE source = ? AND idem_key IN (" + marks(chunk.size())
        + ") AND write_kind = 'task' AND status IN ('pending','draft','held','done')", ps -> bind(ps, source, chunk),
        rs -> out.add(rs.getString(1))));
    return out;
  }

  private static void forChunks(java.util.Collection<String> ids, java.util.function.Consumer<List<String>> each) {
    var list = new ArrayList<>(ids);
    for (int from = 0; from < list.size(); from += 500) {
      each.accept(list.subList(from, Math.min(list.size(), from + 500)));
    }
  }

  private static String marks(int n) {
    return "?,".repeat(n - 1) + "?";
  }

  private static void bind(java.sql.PreparedStatement ps, String source, List<String> ids) throws SQLException {
    ps.setString(1, source);
    for (int i = 0; i < ids.size(); i++) {
      ps.setString(2 + i, ids.get(i));
    }
  }

  /** Forecast categories still waiting (pending, draft, held) per deal id; blank when the write carries none. */
  public java.util.Map<String, String> waitingForecastCategories(String source) {
    var out = new java.util.HashMap<String, String>();
    read("SELECT record_id, JSON_VALUE(fields, '$.salesos_forecast_category') FROM outbox WHERE source = ?"
        + " AND write_kind = 'forecast' AND status IN ('pending','draft','held')", ps -> ps.setString(1, source),
        rs -> out.put(rs.getString(1), nz(rs.getString(2))));
    return out;
  }

  /** A task write as the status page lists it; absent values are blank. */
  public record TaskWrite(String ownerId, String subject, String due, String priority) {}

  /**
   * Task writes of {@code source} (queued or done) whose activity has not come back on a pull yet,
   * so a lagging echo hides no task.
   */
  public List<TaskWrite> unechoedTasks(String source) {
    var out = new ArrayList<TaskWrite>();
    read("SELECT JSON_VALUE(o.fields, '$.owner_id'), JSON_VALUE(o.fields, '$.subject'), JSON_VALUE(o.fields, '$.due_date'),"
        + " JSON_VALUE(o.fields, '$.priority') FROM outbox o WHERE o.source = ? AND o.write_kind = 'task'"
        + " AND o.status IN ('pending','draft','held','done') AND NOT EXISTS (SELECT 1 FROM activity a"
        + " WHERE a.source = o.source AND a.salesos_key = o.idem_key)", ps -> ps.setString(1, source),
        rs -> out.add(new TaskWrite(nz(rs.getString(1)), nz(rs.getString(2)), nz(rs.getString(3)), nz(rs.getString(4)))));
    return out;
  }

  /** Counts per status of one connection's rows. */
  public java.util.Map<String, Long> counts(String source) {
    var out = new java.util.TreeMap<String, Long>();
    read("SELECT status, COUNT(*) FROM outbox WHERE source = ? GROUP BY status", ps -> ps.setString(1, source),
        rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  /** A draft as the status page lists it: the stored fields as written, "(new)" for a record not created yet. */
  public record DraftSummary(long id, String kind, String ruleId, String recordId, String fieldsJson, java.time.Instant createdAt) {}

  /** The first {@code limit} drafts of one connection, oldest first. */
  public List<DraftSummary> draftSummaries(String source, int limit) {
    var out = new ArrayList<DraftSummary>();
    read("SELECT id, write_kind, rule_id, COALESCE(record_id, '(new)'), fields, created_at FROM outbox"
        + " WHERE source = ? AND status = 'draft' ORDER BY id LIMIT ?", ps -> {
          ps.setString(1, source);
          ps.setInt(2, limit);
        }, rs -> out.add(new DraftSummary(rs.getLong(1), nz(rs.getString(2)), nz(rs.getString(3)), nz(rs.getString(4)),
            nz(rs.getString(5)), rs.getTimestamp(6).toInstant())));
    return out;
  }

  /** How many drafts of one connection wait for approval. */
  public long draftCount(String source) {
    long[] n = {0};
    read("SELECT COUNT(*) FROM outbox WHERE source = ? AND status = 'draft'", ps -> ps.setString(1, source),
        rs -> n[0] = rs.getLong(1));
    return n[0];
  }

  /** Rows queued per rule by the newest finished rules run (of any connection). */
  public java.util.Map<String, Long> countsByRuleOfLatestRun() {
    var out = new java.util.TreeMap<String, Long>();
    read("SELECT rule_id, COUNT(*) FROM outbox WHERE run_id = "
        + "(SELECT run_id FROM rule_run WHERE status = 'done' ORDER BY started_at DESC LIMIT 1) AND rule_id IS NOT NULL GROUP BY rule_id",
        ps -> {}, rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  interface Binder {
    void bind(java.sql.PreparedStatement ps) throws SQLException;
  }

  interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private void read(String sql, Binder binder, RowReader reader) {
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private int update(String sql, Binder binder) {
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not update the outbox: " + e.getMessage(), e);
    }
  }

  private List<OutboxEntry> query(String sql, Binder binder) {
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<OutboxEntry>();
        while (rs.next()) {
          out.add(row(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
    }
  }

  private static OutboxEntry row(ResultSet rs) throws SQLException {
    return new OutboxEntry(
        rs.getLong("id"),
        rs.getString("idem_key"),
        rs.getString("source"),
        rs.getString("crm_object"),
        rs.getString("canonical_object"),
        Optional.ofNullable(rs.getString("record_id")),
        Write.Op.valueOf(rs.getString("op")),
        WriteKind.parse(rs.getString("write_kind")),
        CanonicalJson.read(rs.getString("fields")),
        CanonicalJson.read(rs.getString("expected")),
        Status.valueOf(rs.getString("status").toUpperCase()),
        rs.getInt("attempts"),
        Optional.ofNullable(rs.getString("last_error")),
        Optional.ofNullable(rs.getString("rule_id")),
        Optional.ofNullable(rs.getString("rule_hash")),
        Optional.ofNullable(rs.getString("run_id")),
        Optional.ofNullable(rs.getString("actor")),
        Optional.ofNullable(rs.getString("approved_by")),
        rs.getTimestamp("created_at").toInstant());
  }
}
