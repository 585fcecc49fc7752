package io.salesos.admin;

import io.salesos.audit.CaptureCounts;
import io.salesos.model.CanonicalSchema;
import io.salesos.rules.Cadence;
import io.salesos.evaluate.MirrorPartitions;
import io.salesos.html.Html;
import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictStore;
import io.salesos.outbox.OutboxStore;
import io.salesos.rules.RuleSet;
import io.salesos.rules.StallRules;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads what the status page shows from the mirror, one source connection at a time: the latest
 * forecast snapshot, rep activity against cadence, stalls, visits, tomorrow's tasks and planned
 * stops, the week-over-week drift measures and the sync/outbox health. Read-only; values bound.
 */
final class StatusQueries {

  /** When an activity happened: Salesforce calls and emails (Tasks) have no start, only when they were logged. */
  private static final String AT = CanonicalSchema.activityAtSql("");

  private final Database database;
  private final OutboxStore outbox;
  private final ConflictStore conflicts;

  StatusQueries(Database database) {
    this.database = database;
    // reads only: the stores' clock stamps writes, which the status page never makes
    this.outbox = new OutboxStore(database, Clock.systemUTC());
    this.conflicts = new ConflictStore(database, Clock.systemUTC());
  }

  record ForecastRow(String level, String subjectId, String name, BigDecimal calledCommit, BigDecimal adjustedCommit,
      BigDecimal calledBest, BigDecimal adjustedBest, int deals, int downgraded) {
    BigDecimal gap() {
      return calledCommit.subtract(adjustedCommit);
    }
  }

  record Forecast(String runId, Instant takenAt, String period, List<ForecastRow> reps, List<ForecastRow> managers,
      Optional<ForecastRow> team) {}

  record DowngradedDeal(String ownerId, String name, BigDecimal amount, String called, String supported, String flags) {}

  record Owner(String id, String name, Optional<String> managerId, Optional<Double> baseLat, Optional<Double> baseLng,
      Optional<String> timeZone, Optional<String> region) {

    Owner(String id, String name, Optional<String> managerId, Optional<Double> baseLat, Optional<Double> baseLng) {
      this(id, name, managerId, baseLat, baseLng, Optional.empty(), Optional.empty());
    }
  }

  record RepWeek(String ownerId, int logged, double expected, double gap, int meetings, int visits,
      BigDecimal visitedPipeline) {

    /** The share of the expected cadence covered (see {@link io.salesos.audit.CaptureCounts}), 1 when nothing is expected. */
    double captured() {
      return expected <= 0 ? 1.0 : (expected - gap) / expected;
    }
  }

  record StalledDeal(String ownerId, String name, String stage, BigDecimal amount, String why, Instant since) {}

  record VisitedAccount(String ownerId, String account, String city, Instant at, boolean checkedIn) {}

  record Task(String ownerId, String subject, Optional<LocalDate> due, String priority) {}

  record Stop(String ownerId, String account, double lat, double lng, Instant at, String reason) {}

  record Place(String ownerId, String name, double lat, double lng, BigDecimal pipeline) {}

  record Drift(String question, String measure, String thisWeek, String lastWeek, int direction, String note) {}

  record SyncRow(String object, long records, Optional<Instant> lastPull, Optional<Long> lagSeconds, Optional<String> error) {}

  record Draft(long id, String kind, String rule, String record, String writes, Instant created) {}

  record Conflict(String object, String record, String field, String crmValue, String ourValue, String resolution,
      Instant at) {}

  record Quarantined(String object, String record, String reason, int occurrences, Instant lastSeen) {}

  /** A rule that could not be evaluated on some records in a run: how many, and the first of them with its message. */
  record ErroredRule(String ruleId, long records, String subject, String record, String message) {}

  /** The latest finished rules run of a source and the rules that errored in it (none when all evaluated). */
  record RunErrors(String runId, Instant startedAt, List<ErroredRule> rules) {
    long records() {
      return rules.stream().mapToLong(ErroredRule::records).sum();
    }
  }

  /** The sources the mirror knows, by name. */
  List<String> sources() {
    var names = new TreeSet<String>();
    query("SELECT DISTINCT source FROM sync_checkpoint", ps -> {}, rs -> names.add(rs.getString(1)));
    query("SELECT DISTINCT source FROM forecast_snapshot WHERE source IS NOT NULL", ps -> {}, rs -> names.add(rs.getString(1)));
    return List.copyOf(names);
  }

  /** The snapshot of the newest rules run of {@code source} taken at or before {@code asOf}. */
  Optional<Forecast> forecast(String source, Instant asOf) {
    var head = new ArrayList<Object[]>();
    query("SELECT run_id, taken_at, period FROM forecast_snapshot WHERE source = ? AND taken_at <= ?"
        + " ORDER BY taken_at DESC, run_id DESC LIMIT 1", ps -> {
          ps.setString(1, source);
          ps.setTimestamp(2, Timestamp.from(asOf));
        }, rs -> head.add(new Object[] {rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3)}));
    if (head.isEmpty()) {
      return Optional.empty();
    }
    var runId = (String) head.get(0)[0];
    var reps = new ArrayList<ForecastRow>();
    var managers = new ArrayList<ForecastRow>();
    var team = new ArrayList<ForecastRow>();
    query("SELECT level, subject_id, subject_name, called_commit, adjusted_commit, called_best, adjusted_best, deals, downgraded"
        + " FROM forecast_snapshot WHERE run_id = ?", ps -> ps.setString(1, runId), rs -> {
          var row = new ForecastRow(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)).orElse(rs.getString(2)),
              rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getBigDecimal(7), rs.getInt(8), rs.getInt(9));
          switch (row.level()) {
            case "rep" -> reps.add(row);
            case "manager" -> managers.add(row);
            default -> team.add(row);
          }
        });
    var byGap = java.util.Comparator.comparing(ForecastRow::gap).reversed().thenComparing(ForecastRow::name);
    reps.sort(byGap);
    managers.sort(byGap);
    return Optional.of(new Forecast(runId, (Instant) head.get(0)[1], (String) head.get(0)[2], reps, managers,
        team.stream().findFirst()));
  }

  /** Forecast-category changes still waiting in the outbox (a draft policy holds them for approval). */
  Map<String, String> pendingCategories(String source) {
    return outbox.waitingForecastCategories(source);
  }

  /** Open Commit/Best Case deals whose evidence-adjusted category is lower, from mirror or outbox, biggest first. */
  List<DowngradedDeal> downgrades(String source) {
    var pending = pendingCategories(source);
    var out = new ArrayList<DowngradedDeal>();
    query("SELECT id, owner_id, name, amount, forecast_category, salesos_forecast_category, salesos_flags FROM deal"
        + " WHERE source = ? AND deleted = FALSE AND COALESCE(is_closed, FALSE) = FALSE"
        + " AND forecast_category IN ('Commit','Best Case') ORDER BY amount DESC", ps -> ps.setString(1, source), rs -> {
          var mirrored = rs.getString(6);
          var supported = Optional.ofNullable(pending.get(rs.getString(1))).or(() -> Optional.ofNullable(mirrored));
          if (supported.isPresent() && !supported.get().equals(rs.getString(5))) {
            out.add(new DowngradedDeal(nz(rs.getString(2)), nz(rs.getString(3)), nzMoney(rs.getBigDecimal(4)),
                nz(rs.getString(5)), supported.get(), nz(rs.getString(7))));
          }
        });
    return out;
  }

  Map<String, Owner> owners(String source) {
    var out = new LinkedHashMap<String, Owner>();
    query("SELECT id, COALESCE(NULLIF(name, ''), NULLIF(TRIM(CONCAT_WS(' ', first_name, last_name)), ''), email, id) AS name, manager_id, base_lat, base_lng,"
        + " time_zone, region FROM owner WHERE source = ? AND deleted = FALSE ORDER BY 2",
        ps -> ps.setString(1, source), rs -> out.put(rs.getString(1), new Owner(rs.getString(1), nz(rs.getString(2)),
            Optional.ofNullable(rs.getString(3)), optDouble(rs, 4), optDouble(rs, 5), Optional.ofNullable(rs.getString(6)),
            Optional.ofNullable(rs.getString(7)))));
    return out;
  }

  /**
   * Per rep, the seven days up to {@code now}: visits, calls, emails and meetings logged against
   * rules/cadence.yaml over the rep's accounts (as the capture audit counts them), meetings, visits
   * and the open pipeline at the accounts visited.
   */
  Map<String, RepWeek> repWeek(String source, Instant now, Cadence cadence) {
    var fromInstant = now.minus(Duration.ofDays(7));
    var from = Timestamp.from(fromInstant);
    var to = Timestamp.from(now);
    var counts = CaptureCounts.perRep(database, source, fromInstant, now, 1.0, cadence);
    var visitedPipeline = new HashMap<String, BigDecimal>();
    query("SELECT d.owner_id, SUM(d.amount) FROM deal d WHERE d.source = ? AND d.deleted = FALSE"
        + " AND COALESCE(d.is_closed, FALSE) = FALSE AND d.account_id IN (SELECT a.account_id FROM activity a"
        + " WHERE a.source = d.source AND a.kind = 'visit' AND a.deleted = FALSE AND a.salesos_key IS NULL"
        + " AND a.start_at >= ? AND a.start_at < ?) GROUP BY d.owner_id", ps -> {
          ps.setString(1, source);
          ps.setTimestamp(2, from);
          ps.setTimestamp(3, to);
        }, rs -> visitedPipeline.put(nz(rs.getString(1)), nzMoney(rs.getBigDecimal(2))));
    int meeting = Cadence.KINDS.indexOf("meeting");
    int visit = Cadence.KINDS.indexOf("visit");
    var out = new HashMap<String, RepWeek>();
    for (var c : counts.values()) {
      out.put(c.ownerId(), new RepWeek(c.ownerId(), c.loggedTotal(), c.expectedTotal(), c.gap(),
          c.logged()[meeting] + c.logged()[visit], c.logged()[visit], visitedPipeline.getOrDefault(c.ownerId(), BigDecimal.ZERO)));
    }
    return out;
  }

  /** The stall section: open deals a stall rule holds for now but did not 72 hours ago, and how many it holds for now. */
  record Stalls(List<StalledDeal> recent, int total, List<String> ruleIds) {}

  /**
   * Evaluates the stall rules of {@code rules} (see {@link StallRules}) on the open deals of
   * {@code source} at {@code now} and 72 hours before: one read of the mirror (a partition at a time) and two evaluations
   * per deal; only the few that crossed the line are evaluated again, to find since when.
   */
  Stalls stalls(String source, Instant now, RuleSet rules) {
    var stallRules = StallRules.of(rules);
    if (stallRules.isEmpty()) {
      return new Stalls(List.of(), 0, List.of());
    }
    var before = now.minus(Duration.ofHours(72));
    var out = new ArrayList<StalledDeal>();
    var total = new int[1];
    // a partition of the mirror at a time, as the rules runs read it: the page never holds the whole org
    var parts = new MirrorPartitions(database, source, now, MirrorPartitions.DEFAULT_ACCOUNTS);
    parts.all(parts.owners(), part -> {
      var open = part.deals().filter(d -> !d.deal().flag("is_closed")).toList();
      var stalledNow = stallRules.stalled(open, now);
      var stalledBefore = stallRules.stalled(open, before);
      total[0] += stalledNow.size();
      for (var d : open) {
        var stall = stalledNow.get(d.id());
        if (stall == null || stalledBefore.containsKey(d.id())) {
          continue;
        }
        var deal = d.deal();
        out.add(new StalledDeal(deal.string("owner_id").orElse(""), deal.string("name").orElse(""), deal.string("stage").orElse(""),
            deal.decimal("amount").orElse(BigDecimal.ZERO), stall.ruleId() + ": " + stall.title(),
            stallRules.stalledSince(d, before, now)));
      }
    });
    out.sort(java.util.Comparator.comparing(StalledDeal::amount).reversed());
    return new Stalls(out, total[0], stallRules.ids());
  }

  /** Accounts with a logged visit since Monday 00:00 in the org's {@code zone} of {@code now}'s week, newest first. */
  List<VisitedAccount> visitedThisWeek(String source, Instant now, java.time.ZoneId zone) {
    var monday = LocalDate.ofInstant(now, zone).with(DayOfWeek.MONDAY).atStartOfDay(zone).toInstant();
    var out = new ArrayList<VisitedAccount>();
    query("SELECT a.owner_id, c.name, c.city, MAX(a.start_at), MAX(a.check_in_lat IS NOT NULL) FROM activity a"
        + " JOIN account c ON c.source = a.source AND c.id = a.account_id"
        + " WHERE a.source = ? AND a.kind = 'visit' AND a.deleted = FALSE AND a.salesos_key IS NULL"
        + " AND a.start_at >= ? AND a.start_at <= ? GROUP BY a.owner_id, c.id, c.name, c.city ORDER BY MAX(a.start_at) DESC", ps -> {
          ps.setString(1, source);
          ps.setTimestamp(2, Timestamp.from(monday));
          ps.setTimestamp(3, Timestamp.from(now));
        }, rs -> out.add(new VisitedAccount(nz(rs.getString(1)), nz(rs.getString(2)), nz(rs.getString(3)),
            rs.getTimestamp(4).toInstant(), rs.getBoolean(5))));
    return out;
  }

  /**
   * Open tasks salesos created: activities with a salesos key in the mirror, plus task writes in
   * the outbox whose record has not come back on a pull yet (so a lagging echo hides nothing), by due date.
   */
  List<Task> openTasks(String source) {
    var out = new ArrayList<Task>();
    query("SELECT owner_id, subject, due_date, priority FROM activity WHERE source = ? AND deleted = FALSE"
        + " AND salesos_key IS NOT NULL AND COALESCE(kind, 'task') = 'task' AND COALESCE(status, '') NOT IN ('completed','cancelled')",
        ps -> ps.setString(1, source), rs -> out.add(new Task(nz(rs.getString(1)), nz(rs.getString(2)),
            Optional.ofNullable(rs.getDate(3)).map(java.sql.Date::toLocalDate), nz(rs.getString(4)))));
    for (var t : outbox.unechoedTasks(source)) {
      var due = t.due();
      Optional<LocalDate> date = Optional.empty();
      if (due.length() >= 10) {
        try {
          date = Optional.of(LocalDate.parse(due.substring(0, 10)));
        } catch (java.time.format.DateTimeParseException e) {
          date = Optional.empty();
        }
      }
      out.add(new Task(t.ownerId(), t.subject(), date, t.priority()));
    }
    out.sort(java.util.Comparator.comparing((Task t) -> t.due().orElse(LocalDate.MAX))
        .thenComparing(t -> !t.priority().equalsIgnoreCase("high")).thenComparing(Task::subject));
    return out;
  }

  /** Planned visits (salesos-made visit activities) starting in [{@code from}, {@code to}), in stop order per rep. */
  List<Stop> plannedStops(String source, Instant from, Instant to) {
    var out = new ArrayList<Stop>();
    query("SELECT a.owner_id, c.name, c.lat, c.lng, a.start_at, COALESCE(NULLIF(a.body, ''), a.subject) FROM activity a"
        + " JOIN account c ON c.source = a.source AND c.id = a.account_id"
        + " WHERE a.source = ? AND a.deleted = FALSE AND a.kind = 'visit' AND a.salesos_key IS NOT NULL"
        + " AND a.start_at >= ? AND a.start_at < ? AND c.lat IS NOT NULL AND c.lng IS NOT NULL"
        + " ORDER BY a.owner_id, a.start_at", ps -> {
          ps.setString(1, source);
          ps.setTimestamp(2, Timestamp.from(from));
          ps.setTimestamp(3, Timestamp.from(to));
        }, rs -> out.add(new Stop(nz(rs.getString(1)), nz(rs.getString(2)), rs.getDouble(3), rs.getDouble(4),
            rs.getTimestamp(5).toInstant(), nz(rs.getString(6)))));
    return out;
  }

  /** A rep's accounts with coordinates and their open pipeline, most valuable first. */
  List<Place> accountsOf(String source, String ownerId, int limit) {
    var out = new ArrayList<Place>();
    query("SELECT c.owner_id, c.name, c.lat, c.lng, (SELECT COALESCE(SUM(d.amount), 0) FROM deal d WHERE d.source = c.source"
        + " AND d.account_id = c.id AND d.deleted = FALSE AND COALESCE(d.is_closed, FALSE) = FALSE) AS pipeline"
        + " FROM account c WHERE c.source = ? AND c.owner_id = ? AND c.deleted = FALSE AND c.lat IS NOT NULL AND c.lng IS NOT NULL"
        + " ORDER BY pipeline DESC, c.name LIMIT ?", ps -> {
          ps.setString(1, source);
          ps.setString(2, ownerId);
          ps.setInt(3, limit);
        }, rs -> out.add(new Place(nz(rs.getString(1)), nz(rs.getString(2)), rs.getDouble(3), rs.getDouble(4),
            nzMoney(rs.getBigDecimal(5)))));
    return out;
  }

  /**
   * The four drift questions, this week (the seven days to {@code now}) against the week before.
   * Direction: +1 drifting the wrong way, -1 improving, 0 flat or unknown.
   */
  List<Drift> drift(String source, Instant now) {
    var currency = new io.salesos.currency.CurrencyStore(database).corporate(source);
    var w0 = Timestamp.from(now.minus(Duration.ofDays(7)));
    var w1 = Timestamp.from(now.minus(Duration.ofDays(14)));
    var t = Timestamp.from(now);
    var out = new ArrayList<Drift>();
    // pipeline
    var created = new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO};
    query("SELECT COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN amount END), 0),"
        + " COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN amount END), 0) FROM deal WHERE source = ? AND deleted = FALSE",
        ps -> {
          ps.setTimestamp(1, w0);
          ps.setTimestamp(2, t);
          ps.setTimestamp(3, w1);
          ps.setTimestamp(4, w0);
          ps.setString(5, source);
        }, rs -> {
          created[0] = rs.getBigDecimal(1);
          created[1] = rs.getBigDecimal(2);
        });
    out.add(new Drift("Where is pipeline drifting?", "new pipeline created", Html.money(created[0], currency), Html.money(created[1], currency),
        -Integer.signum(created[0].compareTo(created[1])), ""));
    var moves = countPair("SELECT SUM(changed_at >= ? AND changed_at < ?), SUM(changed_at >= ? AND changed_at < ?)"
        + " FROM stage_history WHERE source = ? AND deleted = FALSE", source, w0, t, w1);
    out.add(new Drift("", "stage changes", Html.num(moves[0]), Html.num(moves[1]), -Integer.signum(Long.compare(moves[0], moves[1])), ""));
    // rep behaviour
    var acts = countPair("SELECT SUM(" + AT + " >= ? AND " + AT + " < ?), SUM(" + AT + " >= ? AND " + AT + " < ?) FROM activity"
        + " WHERE source = ? AND deleted = FALSE AND salesos_key IS NULL", source, w0, t, w1);
    out.add(new Drift("Where is rep behaviour drifting?", "activities logged", Html.num(acts[0]), Html.num(acts[1]),
        -Integer.signum(Long.compare(acts[0], acts[1])), ""));
    var visits = countPair("SELECT SUM(start_at >= ? AND start_at < ?), SUM(start_at >= ? AND start_at < ?) FROM activity"
        + " WHERE source = ? AND deleted = FALSE AND salesos_key IS NULL AND kind = 'visit'", source, w0, t, w1);
    out.add(new Drift("", "visits logged", Html.num(visits[0]), Html.num(visits[1]), -Integer.signum(Long.compare(visits[0], visits[1])), ""));
    var checkedIn = countPair("SELECT SUM(start_at >= ? AND start_at < ? AND check_in_lat IS NOT NULL),"
        + " SUM(start_at >= ? AND start_at < ? AND check_in_lat IS NOT NULL) FROM activity"
        + " WHERE source = ? AND deleted = FALSE AND salesos_key IS NULL AND kind = 'visit'", source, w0, t, w1);
    out.add(new Drift("", "visits checked in on site", pct(checkedIn[0], visits[0]), pct(checkedIn[1], visits[1]),
        -Integer.signum(Double.compare(ratio(checkedIn[0], visits[0]), ratio(checkedIn[1], visits[1]))), ""));
    // data quality
    var pastDue = new long[2];
    query("SELECT SUM(close_date < DATE(?)), SUM(close_date < DATE(?) AND created_at < ?) FROM deal"
        + " WHERE source = ? AND deleted = FALSE AND COALESCE(is_closed, FALSE) = FALSE", ps -> {
          ps.setTimestamp(1, t);
          ps.setTimestamp(2, w0);
          ps.setTimestamp(3, w0);
          ps.setString(4, source);
        }, rs -> {
          pastDue[0] = rs.getLong(1);
          pastDue[1] = rs.getLong(2);
        });
    out.add(new Drift("Where is data quality drifting?", "open deals with a close date in the past", Html.num(pastDue[0]),
        Html.num(pastDue[1]), Integer.signum(Long.compare(pastDue[0], pastDue[1])), "last week: as it stood 7 days ago"));
    var quarantined = countPair("SELECT SUM(first_seen >= ? AND first_seen < ?), SUM(first_seen >= ? AND first_seen < ?)"
        + " FROM quarantine WHERE source = ?", source, w0, t, w1);
    out.add(new Drift("", "records quarantined (unreadable)", Html.num(quarantined[0]), Html.num(quarantined[1]),
        Integer.signum(Long.compare(quarantined[0], quarantined[1])), ""));
    long conflictsNow = conflicts.count(source, w0.toInstant(), t.toInstant());
    long conflictsBefore = conflicts.count(source, w1.toInstant(), w0.toInstant());
    out.add(new Drift("", "write conflicts", Html.num(conflictsNow), Html.num(conflictsBefore),
        Integer.signum(Long.compare(conflictsNow, conflictsBefore)), ""));
    // forecast confidence
    var latest = forecast(source, now).flatMap(Forecast::team);
    var weekAgo = forecast(source, now.minus(Duration.ofDays(7))).flatMap(Forecast::team);
    var share0 = latest.map(StatusQueries::supportedShare);
    var share1 = weekAgo.map(StatusQueries::supportedShare);
    out.add(new Drift("Where is forecast confidence drifting?", "share of called Commit the evidence supports",
        share0.map(StatusQueries::percent).orElse("no run yet"), share1.map(StatusQueries::percent).orElse("no run a week ago"),
        share0.isPresent() && share1.isPresent() ? -Integer.signum(Double.compare(share0.get(), share1.get())) : 0,
        share1.isEmpty() ? "snapshots are kept per run; the comparison starts a week after the first" : ""));
    out.add(new Drift("", "Commit deals downgraded by evidence", latest.map(r -> Html.num(r.downgraded())).orElse("-"),
        weekAgo.map(r -> Html.num(r.downgraded())).orElse("-"),
        latest.isPresent() && weekAgo.isPresent() ? Integer.signum(Integer.compare(latest.get().downgraded(), weekAgo.get().downgraded())) : 0,
        ""));
    return out;
  }

  /** Whether rules may run over this connection's mirror, and the time up to which every mapped object is pulled. */
  /** One rep's day re-planned after a cancelled meeting: when, the new stops, and the cancelled meeting(s) why. */
  record Replan(String ownerId, Instant at, List<String> stops, List<String> cancelled) {}

  /**
   * The re-plans of the last 24 hours (plan writes of `replan-` runs), newest first, each with its
   * stops (subject and start) and the meetings of the rep cancelled that day, which caused it.
   */
  List<Replan> replans(String source, Instant now) {
    var since = java.sql.Timestamp.from(now.minus(java.time.Duration.ofHours(24)));
    var byOwner = new LinkedHashMap<String, List<String[]>>();
    var at = new HashMap<String, Instant>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT JSON_VALUE(fields, '$.owner_id'), JSON_VALUE(fields, '$.subject'),"
            + " JSON_VALUE(fields, '$.start_at'), created_at FROM outbox WHERE source = ? AND write_kind = 'visit_plan'"
            + " AND op = 'UPSERT' AND run_id LIKE 'replan-%' AND created_at >= ? ORDER BY created_at DESC, id")) {
      ps.setString(1, source);
      ps.setTimestamp(2, since);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var owner = rs.getString(1);
          var when = rs.getTimestamp(4).toInstant();
          // only the newest re-plan of each rep: an older one was superseded
          if (at.containsKey(owner) && !at.get(owner).equals(when)) {
            continue;
          }
          at.put(owner, when);
          byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(new String[] {rs.getString(3), rs.getString(2)});
        }
      }
      var out = new ArrayList<Replan>();
      for (var e : byOwner.entrySet()) {
        var stops = e.getValue().stream().sorted(java.util.Comparator.comparing((String[] x) -> x[0] == null ? "" : x[0]))
            .map(x -> (x[0] == null ? "" : x[0].replace('T', ' ').replaceAll(":\\d{2}(\\.\\d+)?Z$", " UTC") + " ") + x[1]).toList();
        var cancelled = new ArrayList<String>();
        try (var q = c.prepareStatement("SELECT `subject`, `start_at` FROM `activity` WHERE `source` = ? AND `owner_id` = ?"
            + " AND `status` = 'cancelled' AND `deleted` = FALSE AND `start_at` >= ? AND `start_at` < ? ORDER BY `start_at`")) {
          q.setString(1, source);
          q.setString(2, e.getKey());
          q.setTimestamp(3, java.sql.Timestamp.from(at.get(e.getKey()).minus(java.time.Duration.ofHours(12))));
          q.setTimestamp(4, java.sql.Timestamp.from(at.get(e.getKey()).plus(java.time.Duration.ofHours(24))));
          try (var rs = q.executeQuery()) {
            while (rs.next()) {
              cancelled.add(rs.getString(1) + " (" + rs.getTimestamp(2).toInstant().toString().replace('T', ' ')
                  .replaceAll(":\\d{2}(\\.\\d+)?Z$", " UTC") + ")");
            }
          }
        }
        out.add(new Replan(e.getKey(), at.get(e.getKey()), stops, cancelled));
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not read the re-plans: " + e.getMessage(), e);
    }
  }

  /** The admin's pause of this connection, if it is paused. */
  java.util.Optional<io.salesos.sync.Pauses.Pause> pause(String source) {
    return new io.salesos.sync.Pauses(database, Clock.systemUTC()).of(source);
  }

  /** The runs of this connection whose writes are held for review, with how many. */
  java.util.Map<String, Long> runsInReview(String source) {
    var out = new java.util.TreeMap<String, Long>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT run_id, COUNT(*) FROM outbox WHERE status = 'review' AND source = ? GROUP BY run_id")) {
      ps.setString(1, source);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
    }
  }

  io.salesos.sync.PullProgress.Readiness readiness(String source) {
    return new io.salesos.sync.PullProgress(database, Clock.systemUTC()).readiness(source);
  }

  List<SyncRow> sync(String source, Instant now) {
    var out = new ArrayList<SyncRow>();
    query("SELECT crm_object, records_total, last_pull_at, last_error FROM sync_checkpoint WHERE source = ? ORDER BY crm_object",
        ps -> ps.setString(1, source), rs -> {
          var last = Optional.ofNullable(rs.getTimestamp(3)).map(Timestamp::toInstant);
          out.add(new SyncRow(rs.getString(1), rs.getLong(2), last, last.map(l -> Math.max(0, Duration.between(l, now).toSeconds())),
              Optional.ofNullable(rs.getString(4))));
        });
    return out;
  }

  Map<String, Long> outboxCounts(String source) {
    var out = new LinkedHashMap<String, Long>();
    for (var s : List.of("pending", "draft", "held", "dead", "done", "rejected", "discarded")) {
      out.put(s, 0L);
    }
    out.putAll(outbox.counts(source));
    return out;
  }

  List<Draft> drafts(String source, int limit) {
    return outbox.draftSummaries(source, limit).stream()
        .map(d -> new Draft(d.id(), d.kind(), d.ruleId(), d.recordId(), d.fieldsJson(), d.createdAt())).toList();
  }

  long draftCount(String source) {
    return outbox.draftCount(source);
  }

  List<Conflict> conflicts(String source, int limit) {
    return conflicts.unresolvedFirst(source, limit).stream().map(c -> new Conflict(nz(c.crmObject()), nz(c.recordId()),
        nz(c.field()), nz(c.crmValue()), nz(c.ourValue()), nz(c.resolution()), c.detectedAt())).toList();
  }

  long conflictCount(String source) {
    return conflicts.count(Optional.of(source));
  }

  List<Quarantined> quarantine(String source, int limit) {
    var out = new ArrayList<Quarantined>();
    query("SELECT crm_object, COALESCE(record_id, ''), reason, occurrences, last_seen FROM quarantine WHERE source = ?"
        + " AND resolved_at IS NULL ORDER BY last_seen DESC LIMIT ?", ps -> {
          ps.setString(1, source);
          ps.setInt(2, limit);
        }, rs -> out.add(new Quarantined(nz(rs.getString(1)), nz(rs.getString(2)), nz(rs.getString(3)), rs.getInt(4),
            rs.getTimestamp(5).toInstant())));
    return out;
  }

  /** The rules that errored in the latest finished run of {@code source}, most records first; empty before any run. */
  Optional<RunErrors> ruleErrors(String source) {
    var run = new Object[2];
    query("SELECT run_id, started_at FROM rule_run WHERE source = ? AND status = 'done' ORDER BY started_at DESC LIMIT 1",
        ps -> ps.setString(1, source), rs -> {
          run[0] = rs.getString(1);
          run[1] = rs.getTimestamp(2).toInstant();
        });
    if (run[0] == null) {
      return Optional.empty();
    }
    var rules = new ArrayList<ErroredRule>();
    query("SELECT rule_id, records, example_subject, example_record, example_message FROM rule_error WHERE run_id = ?"
        + " ORDER BY records DESC, rule_id", ps -> ps.setString(1, (String) run[0]),
        rs -> rules.add(new ErroredRule(rs.getString(1), rs.getLong(2), nz(rs.getString(3)), nz(rs.getString(4)),
            nz(rs.getString(5)))));
    return Optional.of(new RunErrors((String) run[0], (Instant) run[1], rules));
  }

  long count(String sql, String source) {
    long[] n = {0};
    query(sql, ps -> ps.setString(1, source), rs -> n[0] = rs.getLong(1));
    return n[0];
  }

  static double supportedShare(ForecastRow r) {
    return r.calledCommit().signum() == 0 ? 1.0 : r.adjustedCommit().doubleValue() / r.calledCommit().doubleValue();
  }

  static String percent(double share) {
    return Math.round(share * 100) + "%";
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0 : (double) a / b;
  }

  private static String pct(long a, long b) {
    return b == 0 ? "-" : percent(ratio(a, b));
  }

  private long[] countPair(String sql, String source, Timestamp w0, Timestamp t, Timestamp w1) {
    var out = new long[2];
    query(sql, ps -> {
      ps.setTimestamp(1, w0);
      ps.setTimestamp(2, t);
      ps.setTimestamp(3, w1);
      ps.setTimestamp(4, w0);
      ps.setString(5, source);
    }, rs -> {
      out[0] = rs.getLong(1);
      out[1] = rs.getLong(2);
    });
    return out;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static BigDecimal nzMoney(BigDecimal v) {
    return v == null ? BigDecimal.ZERO : v;
  }

  private static Optional<Double> optDouble(ResultSet rs, int col) throws SQLException {
    double v = rs.getDouble(col);
    return rs.wasNull() ? Optional.empty() : Optional.of(v);
  }

  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private void query(String sql, Binder binder, RowReader reader) {
    try (Connection c = database.connection(); var ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the status page from the mirror: " + e.getMessage(), e);
    }
  }
}
