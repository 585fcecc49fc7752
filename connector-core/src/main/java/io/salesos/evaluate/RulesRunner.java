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

  /**
   * What a run did. The counts are exact whatever the org's size; {@code desired} and {@code
   * changes} hold every conclusion and every change only when {@code detailed} (a dry run, or a run
   * over at most {@link #DETAIL_DEALS} deals): a larger run keeps none of them in memory.
   */
  public record RunResult(String runId, String source, int deals, int flags, int downgraded, int tasks,
      int queued, int drafts, DesiredState desired, List<Change> changes, java.util.SortedMap<String, Long> errorsByRule,
      boolean detailed) {

    public RunResult {
      errorsByRule = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(errorsByRule));
      changes = List.copyOf(changes);
    }

    /** Each rule that could not be evaluated on a record: rule id, record id and the first message (when detailed). */
    public List<RuleError> errors() {
      return desired.ruleErrors();
    }

    /** How many records each rule errored on, by rule id (always exact). */
    public Map<String, Long> errorCounts() {
      return errorsByRule;
    }
  }

  /** A run over more deals than this keeps counts only, not every conclusion and change. */
  public static final int DETAIL_DEALS = 20_000;

  /** The reason the writes of a run still being evaluated are held, when the run has limits. */
  static String inProgress(String runId) {
    return "held while run " + runId + " is evaluated: released when the whole run is within sync.hold_writes_over"
        + " and sync.hold_percent_over";
  }

  /** Evaluates every subject of the connection's mirror, one partition at a time, and reconciles; with {@code dryRun} nothing is queued or stored. */
  public RunResult run(CrmConnection connection, RuleSet rules, boolean dryRun) {
    return run(connection, rules, dryRun, Optional.empty(), MirrorPartitions.DEFAULT_ACCOUNTS);
  }

  /** As {@link #run(CrmConnection, RuleSet, boolean)}, with partitions of {@code accountsPerPartition} accounts. */
  public RunResult run(CrmConnection connection, RuleSet rules, boolean dryRun, int accountsPerPartition) {
    return run(connection, rules, dryRun, Optional.empty(), accountsPerPartition);
  }

  /**
   * Evaluates the deals {@code dealIds} only (their contexts read in full; no lead, account or
   * meeting rule runs) and reconciles them: flags and forecast categories of other deals are left
   * as they are, and the only tasks withdrawn are those of deal rules on these deals. For callers
   * that know which deals changed. No forecast snapshot is stored (it needs every deal).
   */
  public RunResult runDeals(CrmConnection connection, RuleSet rules, java.util.Collection<String> dealIds, boolean dryRun) {
    return run(connection, rules, dryRun, Optional.of(new java.util.TreeSet<>(dealIds)), 500);
  }

  private RunResult run(CrmConnection connection, RuleSet rules, boolean dryRun, Optional<java.util.SortedSet<String>> dealIds,
      int perPartition) {
    var now = clock.instant();
    var stamp = "run-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(now);
    var runId = dryRun ? stamp + "-" + connection.name() : claimRunId(stamp, connection.name(), now);
    var evaluator = new RuleEvaluator(rules);
    var policy = rules.writePolicy();
    var allow = AllowList.of(policy);
    var calendar = new io.salesos.sync.CrmCalendars(database, clock).of(connection.name())
        .map(io.salesos.sync.CrmCalendars.Stored::calendar);
    var ruleHash = rules.version();
    var hold = !dryRun && !limits.equals(RunLimits.NONE) ? Optional.of(inProgress(runId)) : Optional.<String>empty();
    var tally = new Tally(now, ruleHash, dryRun);
    var newPending = new java.util.TreeMap<String, Long>();
    if (!dryRun) {
      storeRun(runId, connection.name(), now, rules, tally, 0, "running");
    }
    var parts = new MirrorPartitions(database, connection.name(), now, perPartition);
    var owners = parts.owners();
    java.util.function.Consumer<MirrorContextSource> onePartition = source -> {
      var desired = evaluator.evaluate(source, now, calendar);
      var changes = DesiredStateDiff.diff(desired, currentState(connection.name(), desired), policy, java.util.Set.of());
      var entries = new ArrayList<OutboxEntry>();
      for (var change : changes) {
        if (change.decision() != WriteDecision.OFF) {
          toEntry(change, connection, source, runId, ruleHash).ifPresent(entries::add);
        }
      }
      var kept = supersede(connection.name(), entries, dryRun, desired.evaluatedDealIds());
      if (!dryRun) {
        tally.queued += outbox.enqueuePart(kept, allow, hold, newPending);
      }
      tally.add(desired, changes, kept);
    };
    if (dealIds.isPresent()) {
      parts.deals(dealIds.get(), owners, onePartition);
    } else {
      parts.all(owners, onePartition);
    }
    var taskRules = dealIds.isPresent() ? rules.taskRuleIds(io.salesos.rules.SubjectKind.DEAL) : rules.taskRuleIds();
    withdrawals(connection, dealIds, tally.wanted::contains, open -> {
      var changes = DesiredStateDiff.withdrawals(tally.wanted::contains, tally.errorsByRule.keySet(), now, open, policy, taskRules);
      var entries = new ArrayList<OutboxEntry>();
      for (var change : changes) {
        if (change.decision() != WriteDecision.OFF) {
          toEntry(change, connection, null, runId, ruleHash).ifPresent(entries::add);
        }
      }
      if (!dryRun) {
        tally.queued += outbox.enqueuePart(entries, allow, hold, newPending);
      }
      tally.addWithdrawals(changes, entries);
    });
    if (!dryRun) {
      var over = limits.exceeded(newPending, tally.deals);
      if (hold.isPresent()) {
        outbox.endHeldRun(runId, hold.get(), over);
      }
      storeErrors(runId, connection.name(), tally.erroredRules());
      if (dealIds.isEmpty()) {
        storeSnapshot(runId, connection.name(), now, tally.rollups(),
            io.salesos.rules.OrgCalendar.quarterName(now, rules.routing(), calendar));
      }
      storeRun(runId, connection.name(), now, rules, tally, tally.queued, "done");
    }
    var desired = tally.desired(rules.version(), owners);
    log.info("event=rules_run run={} source={} scope={} deals={} flagged={} downgraded={} tasks={} withdrawn={} changes={} queued={}"
        + " drafts={} rule_errors={} detailed={}", runId, connection.name(), dealIds.isPresent() ? "deals" : "all", tally.deals,
        tally.flags, tally.downgraded, tally.tasks, tally.withdrawn, tally.changes, tally.queued, tally.drafts,
        tally.errorsByRule.values().stream().mapToLong(Long::longValue).sum(), tally.detailed);
    for (var e : tally.erroredRules()) {
      log.warn("event=rule_errored run={} source={} rule={} records={} example={} reason=\"{}\"", runId, connection.name(),
          e.ruleId(), e.records(), e.exampleRecordId(), e.message());
    }
    return new RunResult(runId, connection.name(), tally.deals, tally.flags, tally.downgraded, tally.tasks, tally.queued,
        tally.drafts, desired, tally.detailed ? tally.sortedChanges() : List.of(), tally.errorsByRule, tally.detailed);
  }

  /**
   * What the partitions of one run came to, summed as they finish: exact counts, rule hits and
   * errors, forecast rollups, the keys of the tasks concluded (as fingerprints), and while the run
   * is small (or a dry run) every conclusion and change.
   */
  private static final class Tally {
    final Instant now;
    final String ruleHash;
    final boolean keepAll;
    int deals;
    int flags;
    int downgraded;
    int tasks;
    int drafts;
    int queued;
    int withdrawn;
    int changes;
    boolean detailed = true;
    final WantedKeys wanted = new WantedKeys();
    final java.util.TreeMap<String, Long> hits = new java.util.TreeMap<>();
    final java.util.TreeMap<String, Long> errorsByRule = new java.util.TreeMap<>();
    final Map<String, RuleError> firstError = new HashMap<>();
    final java.util.TreeMap<String, io.salesos.rules.ForecastRollup> rollups = new java.util.TreeMap<>();
    final java.util.TreeSet<String> evaluated = new java.util.TreeSet<>();
    final List<io.salesos.rules.DealFlags> flagList = new ArrayList<>();
    final List<io.salesos.rules.AdjustedForecast> forecastList = new ArrayList<>();
    final List<io.salesos.rules.TaskToCreate> taskList = new ArrayList<>();
    final Map<String, java.util.SortedSet<String>> kept = new HashMap<>();
    final java.util.TreeSet<String> undecided = new java.util.TreeSet<>();
    final List<RuleError> errorList = new ArrayList<>();
    final List<Change> changeList = new ArrayList<>();

    Tally(Instant now, String ruleHash, boolean keepAll) {
      this.now = now;
      this.ruleHash = ruleHash;
      this.keepAll = keepAll;
    }

    void add(DesiredState d, List<Change> partChanges, List<OutboxEntry> entries) {
      deals += d.evaluatedDealIds().size();
      flags += d.flags().size();
      downgraded += (int) d.forecasts().stream().filter(f -> !f.supportedCategory().equals(f.calledCategory())).count();
      tasks += d.tasks().size();
      drafts += (int) entries.stream().filter(e -> e.status() == OutboxEntry.Status.DRAFT).count();
      changes += partChanges.size();
      d.tasks().forEach(t -> wanted.add(t.key()));
      d.ruleHits().forEach((k, v) -> hits.merge(k, v, Long::sum));
      for (var e : d.ruleErrors()) {
        errorsByRule.merge(e.ruleId(), 1L, Long::sum);
        // the example is the first error in the order a whole run sorts them (rule, subject, record)
        firstError.merge(e.ruleId(), e, (a, b) -> java.util.Comparator.comparing(RuleError::subject)
            .thenComparing(RuleError::recordId).compare(a, b) <= 0 ? a : b);
      }
      for (var r : d.rollups()) {
        rollups.merge(r.level() + "|" + r.id(), r, Tally::sum);
      }
      if (detailed && !keepAll && deals > DETAIL_DEALS) {
        detailed = false;
        evaluated.clear();
        flagList.clear();
        forecastList.clear();
        taskList.clear();
        kept.clear();
        undecided.clear();
        errorList.clear();
        changeList.clear();
      }
      if (detailed) {
        evaluated.addAll(d.evaluatedDealIds());
        flagList.addAll(d.flags());
        forecastList.addAll(d.forecasts());
        taskList.addAll(d.tasks());
        kept.putAll(d.flagCodesKept());
        undecided.addAll(d.forecastsUndecided());
        errorList.addAll(d.ruleErrors());
        changeList.addAll(partChanges);
      }
    }

    void addWithdrawals(List<Change> partChanges, List<OutboxEntry> entries) {
      withdrawn += partChanges.size();
      changes += partChanges.size();
      drafts += (int) entries.stream().filter(e -> e.status() == OutboxEntry.Status.DRAFT).count();
      if (detailed) {
        changeList.addAll(partChanges);
      }
    }

    /** Two partitions' rollups of the same rep, manager or team, added up. */
    static io.salesos.rules.ForecastRollup sum(io.salesos.rules.ForecastRollup a, io.salesos.rules.ForecastRollup b) {
      var called = new java.util.LinkedHashMap<>(a.called());
      b.called().forEach((k, v) -> called.merge(k, v, java.math.BigDecimal::add));
      var adjusted = new java.util.LinkedHashMap<>(a.adjusted());
      b.adjusted().forEach((k, v) -> adjusted.merge(k, v, java.math.BigDecimal::add));
      return new io.salesos.rules.ForecastRollup(a.level(), a.id(), a.name(), called, adjusted, a.deals() + b.deals(),
          a.downgraded() + b.downgraded());
    }

    List<io.salesos.rules.ForecastRollup> rollups() {
      return rollups.values().stream().sorted(java.util.Comparator.comparing((io.salesos.rules.ForecastRollup r) -> r.level())
          .thenComparing(io.salesos.rules.ForecastRollup::id)).toList();
    }

    List<DryRunReport.ErroredRule> erroredRules() {
      return errorsByRule.entrySet().stream().map(e -> {
        var first = firstError.get(e.getKey());
        return new DryRunReport.ErroredRule(e.getKey(), e.getValue(), first.subject(), first.recordId(), first.message());
      }).toList();
    }

    /** The run's conclusions as one desired state: all of them when detailed, else the rollups, hits and nothing per record. */
    DesiredState desired(String version, List<io.salesos.rules.CrmRecord> owners) {
      var f = new ArrayList<>(flagList);
      f.sort(java.util.Comparator.comparing(io.salesos.rules.DealFlags::dealId));
      var fc = new ArrayList<>(forecastList);
      fc.sort(java.util.Comparator.comparing(io.salesos.rules.AdjustedForecast::dealId));
      var t = new ArrayList<>(taskList);
      t.sort(java.util.Comparator.comparing(io.salesos.rules.TaskToCreate::ownerId).thenComparing(io.salesos.rules.TaskToCreate::key));
      return new DesiredState(now, version, evaluated, f, fc, t, rollups(), hits, kept, undecided, errorList);
    }

    /** The changes in the order a whole run lists them: flags, forecasts (by deal), new tasks (by owner and key), withdrawals. */
    List<Change> sortedChanges() {
      var out = new ArrayList<>(changeList);
      out.sort(java.util.Comparator.comparingInt(Tally::rank).thenComparing(Tally::orderKey));
      return out;
    }

    private static int rank(Change c) {
      return c instanceof Change.FlagsChanged ? 0 : c instanceof Change.ForecastCategoryChanged ? 1 : c instanceof Change.CreateTask ? 2 : 3;
    }

    private static String orderKey(Change c) {
      if (c instanceof Change.FlagsChanged f) {
        return f.dealId();
      } else if (c instanceof Change.ForecastCategoryChanged f) {
        return f.dealId();
      } else if (c instanceof Change.CreateTask t) {
        return t.task().ownerId() + "\u0000" + t.key();
      }
      return "";
    }
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
  private List<OutboxEntry> supersede(String source, List<OutboxEntry> entries, boolean dryRun,
      java.util.Collection<String> dealIds) {
    var waiting = new HashMap<String, List<OutboxStore.WaitingWrite>>();
    var written = new java.util.TreeSet<String>();
    entries.forEach(e -> e.recordId().filter(id -> e.kind() == WriteKind.FLAG || e.kind() == WriteKind.FORECAST).ifPresent(written::add));
    for (var w : outbox.waitingDealWrites(source, written)) {
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

  /**
   * What the mirror holds of salesos's earlier writes on the deals of one partition and of the
   * tasks it concluded: looked up for those deals and keys only, never for the whole org.
   */
  private CurrentState currentState(String source, DesiredState desired) {
    var flags = new HashMap<String, String>();
    var categories = new HashMap<String, String>();
    var keys = new HashSet<String>();
    var wanted = desired.tasks().stream().map(io.salesos.rules.TaskToCreate::key).toList();
    try (var c = database.connection()) {
      forChunks(new ArrayList<>(desired.evaluatedDealIds()), chunk -> {
        try (var ps = c.prepareStatement("SELECT `id`, `salesos_flags`, `salesos_forecast_category` FROM `deal` WHERE `source` = ?"
            + " AND `deleted` = FALSE AND `id` IN (" + marks(chunk.size()) + ")")) {
          bind(ps, source, chunk);
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
      });
      forChunks(wanted, chunk -> {
        try (var ps = c.prepareStatement("SELECT `salesos_key` FROM `activity` WHERE `source` = ? AND `salesos_key` IN ("
            + marks(chunk.size()) + ")")) {
          bind(ps, source, chunk);
          try (var rs = ps.executeQuery()) {
            while (rs.next()) {
              keys.add(rs.getString(1));
            }
          }
        }
      });
    } catch (SQLException e) {
      throw new IllegalStateException("could not read salesos's earlier writes from the mirror: " + e.getMessage(), e);
    }
    if (!wanted.isEmpty()) {
      keys.addAll(outbox.taskKeys(source, wanted));
    }
    return new CurrentState(flags, categories, keys);
  }

  /** A step over one chunk of ids that may fail on the database. */
  private interface ChunkStep {
    void run(List<String> chunk) throws SQLException;
  }

  private static void forChunks(List<String> ids, ChunkStep step) throws SQLException {
    for (int from = 0; from < ids.size(); from += MirrorContextSource.IN_CHUNK) {
      step.run(ids.subList(from, Math.min(ids.size(), from + MirrorContextSource.IN_CHUNK)));
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

  /** Open salesos tasks read per page: a page of task rows and the withdrawals of those no rule concluded. */
  static final int TASK_PAGE = 1_000;

  /**
   * Hands {@code each} the open tasks salesos created for one connection that this run did not
   * conclude, a page at a time, each compared field by field with what salesos wrote into it (the
   * journal's after-image); with {@code dealIds}, only the tasks on those deals. A task with no
   * journalled write, or in an object whose mapping cannot say whether it is done, is never offered.
   */
  private void withdrawals(CrmConnection connection, Optional<java.util.SortedSet<String>> dealIds,
      java.util.function.Predicate<String> wanted, java.util.function.Consumer<List<CurrentState.OpenTask>> each) {
    var journal = new io.salesos.journal.Journal(database, clock);
    for (var m : connection.mapping().forCanonical("activity")) {
      var columns = m.canonicalTypes();
      if (m.bindingFor("salesos_key").isEmpty() || !columns.containsKey("status")) {
        continue;
      }
      var base = "SELECT * FROM `activity` WHERE `source` = ? AND `crm_object` = ? AND `deleted` = FALSE"
          + " AND `salesos_key` IS NOT NULL AND (`status` IS NULL OR `status` NOT IN ('completed', 'cancelled'))";
      try (var c = database.connection()) {
        if (dealIds.isPresent()) {
          if (!columns.containsKey("deal_id")) {
            continue; // tasks that name no deal belong to no deal this run evaluated
          }
          var ids = new ArrayList<>(dealIds.get());
          for (int from = 0; from < ids.size(); from += MirrorContextSource.IN_CHUNK) {
            var chunk = ids.subList(from, Math.min(ids.size(), from + MirrorContextSource.IN_CHUNK));
            try (var ps = c.prepareStatement(base + " AND `deal_id` IN (" + marks(chunk.size()) + ") ORDER BY `id`")) {
              ps.setString(1, connection.name());
              ps.setString(2, m.crmObject());
              for (int i = 0; i < chunk.size(); i++) {
                ps.setString(3 + i, chunk.get(i));
              }
              page(ps, m, columns, journal, connection.name(), wanted, each);
            }
          }
          continue;
        }
        var after = "";
        while (true) {
          try (var ps = c.prepareStatement(base + " AND `id` > ? ORDER BY `id` LIMIT " + TASK_PAGE)) {
            ps.setString(1, connection.name());
            ps.setString(2, m.crmObject());
            ps.setString(3, after);
            var last = page(ps, m, columns, journal, connection.name(), wanted, each);
            if (last.isEmpty()) {
              break;
            }
            after = last.get();
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("could not read the open tasks salesos created: " + e.getMessage(), e);
      }
    }
  }

  /** An open task's mirror row: its record id, its salesos key and its mapped values. */
  private record OpenRow(String id, String key, Map<String, Object> values) {}

  /** One page of open task rows: hands on those not concluded this run, returns the last row's id (empty when none). */
  private Optional<String> page(java.sql.PreparedStatement ps, ObjectMapping m, Map<String, io.salesos.model.FieldType> columns,
      io.salesos.journal.Journal journal, String source, java.util.function.Predicate<String> wanted,
      java.util.function.Consumer<List<CurrentState.OpenTask>> each) throws SQLException {
    var rows = new ArrayList<OpenRow>();
    Optional<String> last = Optional.empty();
    try (var rs = ps.executeQuery()) {
      while (rs.next()) {
        last = Optional.of(rs.getString("id"));
        var key = rs.getString("salesos_key");
        if (wanted.test(key)) {
          continue; // concluded this run: stays, whatever the journal says
        }
        var values = new HashMap<String, Object>();
        for (var col : columns.entrySet()) {
          values.put(col.getKey(), io.salesos.mirror.MirrorStore.read(rs, col.getKey(), col.getValue()));
        }
        rows.add(new OpenRow(rs.getString("id"), key, values));
      }
    }
    if (rows.isEmpty()) {
      return last;
    }
    var written = journal.latestWritten(source, WriteKind.TASK.code(), rows.stream().map(OpenRow::key).toList());
    var out = new ArrayList<CurrentState.OpenTask>();
    for (var row : rows) {
      var key = row.key();
      var now = row.values();
      var journalled = written.get(key);
      if (journalled == null) {
        continue;
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
      out.add(new CurrentState.OpenTask(key, m.crmObject(), row.id(), journalled.ruleId(), untouched, asWritten,
          body == null ? "" : body.toString()));
    }
    each.accept(out);
    return last;
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

  /**
   * A run id no other run has: the second's stamp and the connection, with "-2", "-3"... after the
   * stamp when a run of the same connection started in the same second (two cycles, or a CLI
   * evaluation beside the daemon's). Shared, two runs would be one to {@code rollback RUN}, which
   * would then undo the writes of both.
   */
  private String claimRunId(String stamp, String source, Instant now) {
    for (int n = 1; ; n++) {
      var id = stamp + (n == 1 ? "" : "-" + n) + "-" + source;
      try (var c = database.connection();
          var ps = c.prepareStatement("INSERT INTO rule_run (run_id, source, started_at, status) VALUES (?,?,?,'running')")) {
        ps.setString(1, id);
        ps.setString(2, source);
        ps.setTimestamp(3, Timestamp.from(now));
        ps.executeUpdate();
        return id;
      } catch (SQLException e) {
        if (e.getSQLState() == null || !e.getSQLState().startsWith("23") || n >= 1_000) {
          throw new IllegalStateException("could not record the rules run " + id + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private void storeRun(String runId, String source, Instant now, RuleSet rules, Tally tally, int queued, String status) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO rule_run (run_id, source, started_at, finished_at, rule_set_hash, deals, flags, tasks,"
            + " writes_queued, status, rule_hits) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE finished_at = VALUES(finished_at),"
            + " deals = VALUES(deals), flags = VALUES(flags), tasks = VALUES(tasks), rule_hits = VALUES(rule_hits),"
            + " writes_queued = VALUES(writes_queued), status = VALUES(status)")) {
      ps.setString(1, runId);
      ps.setString(2, source);
      ps.setTimestamp(3, Timestamp.from(now));
      ps.setTimestamp(4, status.equals("done") ? Timestamp.from(clock.instant()) : null);
      ps.setString(5, rules.version().length() > 64 ? rules.version().substring(0, 64) : rules.version());
      ps.setInt(6, tally.deals);
      ps.setInt(7, tally.flags);
      ps.setInt(8, tally.tasks);
      ps.setInt(9, queued);
      ps.setString(10, status);
      ps.setString(11, CanonicalJson.write(tally.hits));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the rules run: " + e.getMessage(), e);
    }
  }

  private void storeErrors(String runId, String source, List<DryRunReport.ErroredRule> rules) {
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

  private void storeSnapshot(String runId, String source, Instant now, List<io.salesos.rules.ForecastRollup> rollups, String period) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO forecast_snapshot (run_id, source, taken_at, level, subject_id, subject_name, period,"
            + " called_commit, called_best, adjusted_commit, adjusted_best, deals, downgraded) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
            + " ON DUPLICATE KEY UPDATE called_commit = VALUES(called_commit)")) {
      for (var r : rollups) {
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
