package io.salesos.evaluate;

import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.CanonicalJson;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.RunLimits;
import io.salesos.outbox.OutboxStore;
import io.salesos.rules.WriteKind;
import io.salesos.rules.Change;
import io.salesos.rules.CurrentState;
import io.salesos.rules.DesiredState;
import io.salesos.rules.ForecastRollup;
import io.salesos.rules.Hashing;
import io.salesos.rules.DesiredStateDiff;
import io.salesos.rules.DryRunReport;
import io.salesos.rules.RuleError;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.RuleSet;
import io.salesos.rules.WriteDecision;
import io.salesos.spi.Write;
import io.salesos.connection.CrmConnection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rules run for one connection: reads the mirror, evaluates the rule set, reconciles the
 * desired state against what the mirror holds, and queues only the differences in the outbox
 * (auto writes pending, drafts waiting for approval, "off" writes nowhere). Stores the run and
 * the forecast snapshot, so accuracy can be checked later against what closed, and the rules that
 * could not be evaluated on some records (those records get no write from them).
 */
public final class RulesRunner {

  private static final Logger log = LoggerFactory.getLogger(RulesRunner.class);

  private final Database database;
  private final OutboxStore outbox;
  private final Clock clock;
  private final RunLimits limits;

  public RulesRunner(Database database, Clock clock) {
    this(database, clock, RunLimits.NONE);
  }

  /** A runner whose runs are held for review when they queue more writes than {@code limits} allow. */
  public RulesRunner(Database database, Clock clock, RunLimits limits) {
    this.database = database;
    this.outbox = new OutboxStore(database, clock);
    this.clock = clock;
    this.limits = limits;
  }

  /** What a run did. */
  public record RunResult(String runId, String source, int deals, int flags, int downgraded, int tasks,
      int queued, int drafts, DesiredState desired, List<Change> changes) {

    /** Each rule that could not be evaluated on a record: rule id, record id and the first message. */
    public List<RuleError> errors() {
      return desired.ruleErrors();
    }

    /** How many records each rule errored on, by rule id. */
    public Map<String, Long> errorCounts() {
      return desired.ruleErrorCounts();
    }
  }

  /** Evaluates and reconciles; with {@code dryRun} nothing is queued or stored. */
  public RunResult run(CrmConnection connection, RuleSet rules, boolean dryRun) {
    var now = clock.instant();
    var runId = "run-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(now) + "-" + connection.name();
    var source = new MirrorContextSource(database, connection.name(), now);
    var calendar = new io.salesos.sync.CrmCalendars(database, clock).of(connection.name())
        .map(io.salesos.sync.CrmCalendars.Stored::calendar);
    var desired = new RuleEvaluator(rules).evaluate(source, now, calendar);
    var current = currentState(connection);
    var changes = DesiredStateDiff.diff(desired, current, rules.writePolicy(), rules.taskRuleIds());
    List<OutboxEntry> entries = new ArrayList<>();
    var ruleHash = rules.version();
    for (var change : changes) {
      if (change.decision() == WriteDecision.OFF) {
        continue;
      }
      toEntry(change, connection, source, runId, ruleHash).ifPresent(entries::add);
    }
    entries = supersede(connection.name(), entries, dryRun);
    int queued = 0;
    int drafts = (int) entries.stream().filter(e -> e.status() == OutboxEntry.Status.DRAFT).count();
    int downgraded = (int) desired.forecasts().stream().filter(f -> !f.supportedCategory().equals(f.calledCategory())).count();
    if (!dryRun) {
      storeRun(runId, connection.name(), now, rules, desired, entries.size(), "running");
      storeErrors(runId, connection.name(), desired);
      queued = outbox.enqueue(entries, AllowList.of(rules.writePolicy()), limits, desired.evaluatedDealIds().size());
      storeSnapshot(runId, connection.name(), now, desired, source,
          io.salesos.rules.OrgCalendar.quarterName(now, rules.routing(), calendar));
      storeRun(runId, connection.name(), now, rules, desired, queued, "done");
    }
    long withdrawn = changes.stream().filter(ch -> ch instanceof Change.WithdrawTask).count();
    log.info("event=rules_run run={} source={} deals={} flagged={} downgraded={} tasks={} withdrawn={} changes={} queued={}"
        + " drafts={} rule_errors={}", runId, connection.name(), desired.evaluatedDealIds().size(), desired.flags().size(),
        downgraded, desired.tasks().size(), withdrawn, changes.size(), queued, drafts, desired.ruleErrors().size());
    for (var e : DryRunReport.erroredRules(desired)) {
      log.warn("event=rule_errored run={} source={} rule={} records={} example={} reason=\"{}\"", runId, connection.name(),
          e.ruleId(), e.records(), e.exampleRecordId(), e.message());
    }
    return new RunResult(runId, connection.name(), desired.evaluatedDealIds().size(), desired.flags().size(), downgraded,
        desired.tasks().size(), queued, drafts, desired, changes);
  }

  private Optional<OutboxEntry> toEntry(Change change, CrmConnection connection, MirrorContextSource source, String runId,
      String ruleHash) {
    var status = change.decision() == WriteDecision.DRAFT ? OutboxEntry.Status.DRAFT : OutboxEntry.Status.PENDING;
    var ruleId = Optional.of(change instanceof Change.CreateTask t ? t.task().ruleId()
        : change instanceof Change.WithdrawTask w ? w.ruleId()
        : change instanceof Change.FlagsChanged ? "flags" : "forecast");
    OutboxEntry entry;
    if (change instanceof Change.WithdrawTask w) {
        // decided on the values salesos wrote: the push leaves the task alone if any of them changed meanwhile
        var op = w.mode() == io.salesos.rules.TaskWithdrawal.DELETE ? Write.Op.DELETE : Write.Op.UPDATE;
        entry = OutboxEntry.queued(w.key(), connection.name(), w.crmObject(), "activity", Optional.of(w.taskId()), op,
            WriteKind.WITHDRAW, w.fields(), w.expected(), ruleId, Optional.of(ruleHash), Optional.of(runId), "rules");
        if (w.held().isPresent()) {
          return Optional.of(entry.held(w.held().get()));
        }
    } else if (change instanceof Change.FlagsChanged f) {
        var crmObject = source.dealCrmObject(f.dealId()).orElse(null);
        if (crmObject == null) {
          return Optional.empty();
        }
        // keyed by the deal's version: the same decision on the same record version is one write
        var key = versionedKey(change.key(), source.dealVersion(f.dealId()));
        entry = OutboxEntry.queued(key, connection.name(), crmObject, "deal", Optional.of(f.dealId()), Write.Op.UPDATE,
            WriteKind.FLAG, change.fields(), Map.of("salesos_flags", f.before()), ruleId, Optional.of(ruleHash),
            Optional.of(runId), "rules");
    } else if (change instanceof Change.ForecastCategoryChanged f) {
        var crmObject = source.dealCrmObject(f.dealId()).orElse(null);
        if (crmObject == null) {
          return Optional.empty();
        }
        var key = versionedKey(change.key(), source.dealVersion(f.dealId()));
        entry = OutboxEntry.queued(key, connection.name(), crmObject, "deal", Optional.of(f.dealId()), Write.Op.UPDATE,
            WriteKind.FORECAST, change.fields(), Map.of("salesos_forecast_category", f.before()), ruleId,
            Optional.of(ruleHash), Optional.of(runId), "rules");
    } else {
        var t = (Change.CreateTask) change;
        var target = activityTarget(connection, "task");
        if (target.isEmpty()) {
          log.warn("event=no_task_object source={} reason=\"the mapping has no activity object with salesos_key\"", connection.name());
          return Optional.empty();
        }
        var fields = new HashMap<String, Object>(t.fields());
        fields.remove("salesos_key");
        // a CRM whose task keeps a due date only (Salesforce ActivityDate) gets the rep's local date
        if (target.get().bindingFor("due_at").filter(b -> !b.readOnly()).isEmpty()) {
          fields.remove("due_at");
        }
        entry = OutboxEntry.queued(t.key(), connection.name(), target.get().crmObject(), "activity", Optional.empty(),
            Write.Op.UPSERT, WriteKind.TASK, fields, Map.of(), ruleId, Optional.of(ruleHash), Optional.of(runId), "rules");
    }
    return Optional.of(entry.withStatus(status));
  }

  /**
   * A flag or forecast write still waiting (a draft, or pending) for the same deal is the same
   * decision taken again: keep it when it writes the same values, replace it when the conclusion
   * changed, so a person never sees the same draft twice.
   */
  private List<OutboxEntry> supersede(String source, List<OutboxEntry> entries, boolean dryRun) {
    var waiting = new HashMap<String, List<OutboxStore.WaitingWrite>>();
    for (var w : outbox.waitingDealWrites(source)) {
      waiting.computeIfAbsent(w.recordId() + "|" + w.kind(), k -> new ArrayList<>()).add(w);
    }
    var out = new ArrayList<OutboxEntry>();
    for (var e : entries) {
      var same = waiting.get(e.recordId().orElse("") + "|" + e.kind().code());
      if (same == null) {
        out.add(e);
        continue;
      }
      boolean identical = same.stream().anyMatch(w -> CanonicalJson.write(e.fields()).equals(w.fieldsJson()));
      if (!identical) {
        if (!dryRun) {
          same.forEach(w -> outbox.setStatus(w.id(), OutboxEntry.Status.DISCARDED, "superseded by a newer conclusion"));
        }
        out.add(e);
      }
    }
    return out;
  }

  /**
   * The CRM object new activities of {@code kind} are created in: the activity mapping that sets
   * that kind as a constant (HubSpot tasks), else one whose kind field defaults to it (Salesforce
   * Task), else any activity mapping with an external key.
   */
  public static Optional<ObjectMapping> activityTarget(CrmConnection connection, String kind) {
    var candidates = connection.mapping().forCanonical("activity").stream()
        .filter(m -> m.bindingFor("salesos_key").isPresent()).toList();
    return candidates.stream().filter(m -> kind.equals(m.constants().get("kind"))).findFirst()
        .or(() -> candidates.stream().filter(m -> m.bindingFor("kind").flatMap(b -> b.defaultValue()).map(kind::equals).orElse(false)).findFirst())
        .or(() -> candidates.stream().filter(m -> m.bindingFor("kind").map(b -> b.values().containsValue(kind)).orElse(false)).findFirst())
        .or(() -> candidates.stream().findFirst());
  }

  static String versionedKey(String key, Optional<Instant> version) {
    return "d:" + Hashing.sha256(key + "@" + version.map(Instant::toString).orElse("-")).substring(0, 40);
  }

  private CurrentState currentState(CrmConnection connection) {
    var source = connection.name();
    var flags = new HashMap<String, String>();
    var categories = new HashMap<String, String>();
    var keys = new HashSet<String>();
    try (var c = database.connection()) {
      try (var ps = c.prepareStatement("SELECT `id`, `salesos_flags`, `salesos_forecast_category` FROM `deal` WHERE `source` = ? AND `deleted` = FALSE")) {
        ps.setString(1, source);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getString(2) != null) {
              flags.put(rs.getString(1), rs.getString(2));
            }
            if (rs.getString(3) != null) {
              categories.put(rs.getString(1), rs.getString(3));
            }
          }
        }
      }
      try (var ps = c.prepareStatement("SELECT `salesos_key` FROM `activity` WHERE `source` = ? AND `salesos_key` IS NOT NULL")) {
        ps.setString(1, source);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            keys.add(rs.getString(1));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read salesos's earlier writes from the mirror: " + e.getMessage(), e);
    }
    keys.addAll(outbox.taskKeys(source));
    return new CurrentState(flags, categories, keys, openTasks(connection));
  }

  /**
   * The open tasks salesos created for one connection, each compared field by field with what
   * salesos wrote into it (the journal's after-image). A task with no journalled write, or in an
   * object whose mapping cannot say whether it is done, is never offered for withdrawal.
   */
  private List<CurrentState.OpenTask> openTasks(CrmConnection connection) {
    var written = new io.salesos.journal.Journal(database, clock).latestWritten(connection.name(), WriteKind.TASK.code());
    var out = new ArrayList<CurrentState.OpenTask>();
    if (written.isEmpty()) {
      return out;
    }
    for (var m : connection.mapping().forCanonical("activity")) {
      var columns = m.canonicalTypes();
      if (m.bindingFor("salesos_key").isEmpty() || !columns.containsKey("status")) {
        continue;
      }
      try (var c = database.connection();
          var ps = c.prepareStatement("SELECT * FROM `activity` WHERE `source` = ? AND `crm_object` = ? AND `deleted` = FALSE"
              + " AND `salesos_key` IS NOT NULL AND (`status` IS NULL OR `status` NOT IN ('completed', 'cancelled'))")) {
        ps.setString(1, connection.name());
        ps.setString(2, m.crmObject());
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            var key = rs.getString("salesos_key");
            var journalled = written.get(key);
            if (journalled == null) {
              continue;
            }
            var now = new HashMap<String, Object>();
            for (var col : columns.entrySet()) {
              now.put(col.getKey(), io.salesos.mirror.MirrorStore.read(rs, col.getKey(), col.getValue()));
            }
            var asWritten = new java.util.LinkedHashMap<String, Object>();
            boolean untouched = true;
            for (var f : new java.util.TreeMap<>(journalled.after()).entrySet()) {
              if (!columns.containsKey(f.getKey())) {
                continue; // not mirrored, so not compared (and not written: the mapping has no CRM field for it)
              }
              asWritten.put(f.getKey(), f.getValue());
              untouched &= sameValue(f.getValue(), now.get(f.getKey()));
            }
            var body = now.get("body");
            out.add(new CurrentState.OpenTask(key, m.crmObject(), rs.getString("id"), journalled.ruleId(), untouched, asWritten,
                body == null ? "" : body.toString()));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("could not read the open tasks salesos created: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Equal as the conflict check compares, with line ends and surrounding blanks a CRM may add ignored. */
  static boolean sameValue(Object written, Object now) {
    var a = CanonicalJson.comparable(written);
    var b = CanonicalJson.comparable(now);
    if (a == null || b == null) {
      return a == null && b == null;
    }
    return a.replace("\r\n", "\n").strip().equals(b.replace("\r\n", "\n").strip());
  }

  private void storeRun(String runId, String source, Instant now, RuleSet rules, DesiredState desired, int queued, String status) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO rule_run (run_id, source, started_at, finished_at, rule_set_hash, deals, flags, tasks,"
            + " writes_queued, status, rule_hits) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE finished_at = VALUES(finished_at),"
            + " writes_queued = VALUES(writes_queued), status = VALUES(status)")) {
      ps.setString(1, runId);
      ps.setString(2, source);
      ps.setTimestamp(3, Timestamp.from(now));
      ps.setTimestamp(4, status.equals("done") ? Timestamp.from(clock.instant()) : null);
      ps.setString(5, rules.version().length() > 64 ? rules.version().substring(0, 64) : rules.version());
      ps.setInt(6, desired.evaluatedDealIds().size());
      ps.setInt(7, desired.flags().size());
      ps.setInt(8, desired.tasks().size());
      ps.setInt(9, queued);
      ps.setString(10, status);
      ps.setString(11, CanonicalJson.write(desired.ruleHits()));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the rules run: " + e.getMessage(), e);
    }
  }

  private void storeErrors(String runId, String source, DesiredState desired) {
    var rules = DryRunReport.erroredRules(desired);
    if (rules.isEmpty()) {
      return;
    }
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO rule_error (run_id, source, rule_id, records, example_subject, example_record,"
            + " example_message) VALUES (?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE records = VALUES(records)")) {
      for (var e : rules) {
        ps.setString(1, runId);
        ps.setString(2, source);
        ps.setString(3, e.ruleId());
        ps.setLong(4, e.records());
        ps.setString(5, e.exampleSubject());
        ps.setString(6, e.exampleRecordId());
        ps.setString(7, e.message());
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the rules that errored in run " + runId + ": " + e.getMessage(), e);
    }
  }

  private void storeSnapshot(String runId, String source, Instant now, DesiredState desired, MirrorContextSource mirror,
      String period) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO forecast_snapshot (run_id, source, taken_at, level, subject_id, subject_name, period,"
            + " called_commit, called_best, adjusted_commit, adjusted_best, deals, downgraded) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
            + " ON DUPLICATE KEY UPDATE called_commit = VALUES(called_commit)")) {
      for (var r : desired.rollups()) {
        ps.setString(1, runId);
        ps.setString(2, source);
        ps.setTimestamp(3, Timestamp.from(now));
        ps.setString(4, r.level().name().toLowerCase());
        ps.setString(5, r.id().isEmpty() ? "team" : r.id());
        ps.setString(6, r.name());
        ps.setString(7, period);
        ps.setBigDecimal(8, r.called("Commit"));
        ps.setBigDecimal(9, r.called("Best Case"));
        ps.setBigDecimal(10, r.adjusted("Commit"));
        ps.setBigDecimal(11, r.adjusted("Best Case"));
        ps.setInt(12, r.deals());
        ps.setInt(13, r.downgraded());
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException("could not store the forecast snapshot: " + e.getMessage(), e);
    }
  }
}
