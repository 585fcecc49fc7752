package io.salesos.visits;

import io.salesos.rules.ActivityContext;
import io.salesos.evaluate.MirrorContextSource;
import io.salesos.rules.RuleSet;
import io.salesos.rules.RoutingRules;
import io.salesos.connection.CrmConnection;
import io.salesos.mirror.Database;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Instant;
import java.time.ZoneOffset;
import io.salesos.rules.CrmRecord;
import io.salesos.rules.WorkCalendar;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Plans a connection's reps for a day and queues the plans, and re-plans days whose booked meeting was cancelled. */
public final class Planning {

  public static final long ITERATIONS = 4000;

  private Planning() {}

  /** The next weekday after {@code today} (reps' own working days are in {@link WorkCalendar#nextWorkday}). */
  public static LocalDate nextWorkday(LocalDate today) {
    var d = today.plusDays(1);
    while (d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY) {
      d = d.plusDays(1);
    }
    return d;
  }

  public static RoutingRules routing(RuleSet rules) {
    return rules.routing().orElseThrow(() -> new IllegalStateException("the rule set has no routing.yaml"));
  }

  /** What a planning pass did. */
  public record Result(List<DayPlanner.RepPlan> plans, int queued, int replanned) {}

  /**
   * Plans {@code date} (each rep's local date) for every rep of the connection, re-plans the rest
   * of today for reps whose booked meeting today was cancelled, and queues both under the
   * visit_plan write policy.
   */
  public static Result run(Database database, CrmConnection connection, RuleSet rules, LocalDate date, Clock clock) {
    var now = clock.instant();
    var source = new MirrorContextSource(database, connection.name(), now);
    var planner = new DayPlanner(routing(rules), ITERATIONS, 42);
    var plans = new ArrayList<>(planner.plan(source, date, now, Optional.empty()));
    return finish(database, connection, rules, clock, source, planner, plans, "plan-" + date + "-" + connection.name());
  }

  /**
   * Plans each rep of {@code dates} for the rep's own date (from {@link PlanSchedule}), re-plans
   * today where a booked meeting was cancelled, and queues both.
   */
  public static Result run(Database database, CrmConnection connection, RuleSet rules, Map<String, LocalDate> dates,
      Clock clock) {
    var now = clock.instant();
    var source = new MirrorContextSource(database, connection.name(), now);
    var planner = new DayPlanner(routing(rules), ITERATIONS, 42);
    var plans = new ArrayList<>(planner.plan(source, dates, now));
    var runId = "plan-" + LocalDate.ofInstant(now, ZoneOffset.UTC) + "-" + connection.name();
    return finish(database, connection, rules, clock, source, planner, plans, runId);
  }

  /** The reps of a connection with their working calendars (reps whose zone is unknown are left out). */
  public static Map<String, WorkCalendar> calendars(Database database, CrmConnection connection, RuleSet rules, Instant now) {
    var routing = routing(rules);
    var out = new LinkedHashMap<String, WorkCalendar>();
    for (var rep : DayPlanner.reps(new MirrorContextSource(database, connection.name(), now))) {
      routing.calendar(rep).ifPresent(c -> out.put(rep.id(), c));
    }
    return out;
  }

  /**
   * Re-plans the rest of today for the reps whose booked meeting today was cancelled, from where
   * each rep is (the stops completed so far), and queues the new plans: run after a pull that
   * brought activity changes, so a cancellation at 09:10 moves the rep's day within one poll. A
   * plan that did not change writes nothing (its writes are keyed by content).
   */
  public static Result replanToday(Database database, CrmConnection connection, RuleSet rules, Clock clock) {
    var now = clock.instant();
    var source = new MirrorContextSource(database, connection.name(), now);
    var planner = new DayPlanner(routing(rules), ITERATIONS, 42);
    var runId = "replan-" + LocalDate.ofInstant(now, ZoneOffset.UTC) + "-" + connection.name();
    return finish(database, connection, rules, clock, source, planner, new ArrayList<>(), runId);
  }

  /**
   * Whether the rep's day was planned after the latest cancellation of a meeting that day: a
   * cancellation is re-planned once, not at every pass (each pass starts from "now", so a second
   * re-plan would move every stop again and churn the rep's calendar).
   */
  static boolean handledAlready(Database database, String source, String owner, LocalDate day, java.time.ZoneId zone) {
    var from = java.sql.Timestamp.from(day.atStartOfDay(zone).toInstant());
    var to = java.sql.Timestamp.from(day.plusDays(1).atStartOfDay(zone).toInstant());
    try (var c = database.connection();
        var cancelled = c.prepareStatement("SELECT MAX(`crm_modified_at`) FROM `activity` WHERE `source` = ? AND `owner_id` = ?"
            + " AND `status` = 'cancelled' AND `start_at` >= ? AND `start_at` < ? AND `deleted` = FALSE");
        var planned = c.prepareStatement("SELECT MAX(created_at) FROM outbox WHERE source = ? AND write_kind = 'visit_plan'"
            + " AND op = 'UPSERT' AND JSON_VALUE(fields, '$.owner_id') = ?")) {
      cancelled.setString(1, source);
      cancelled.setString(2, owner);
      cancelled.setTimestamp(3, from);
      cancelled.setTimestamp(4, to);
      planned.setString(1, source);
      planned.setString(2, owner);
      java.sql.Timestamp lastCancel;
      java.sql.Timestamp lastPlan;
      try (var rs = cancelled.executeQuery()) {
        lastCancel = rs.next() ? rs.getTimestamp(1) : null;
      }
      try (var rs = planned.executeQuery()) {
        lastPlan = rs.next() ? rs.getTimestamp(1) : null;
      }
      return lastCancel != null && lastPlan != null && !lastPlan.before(lastCancel);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not read the plan history of " + owner + ": " + e.getMessage(), e);
    }
  }

  private static Result finish(Database database, CrmConnection connection, RuleSet rules, Clock clock,
      MirrorContextSource source, DayPlanner planner, List<DayPlanner.RepPlan> plans, String runId) {
    var now = clock.instant();
    var routing = routing(rules);
    var owners = new HashMap<String, CrmRecord>();
    source.owners().forEach(o -> owners.put(o.id(), o));
    int replanned = 0;
    var replannedReps = new HashSet<String>();
    for (var a : (Iterable<ActivityContext>) source.activities()::iterator) {
      var act = a.activity();
      var owner = act.string("owner_id");
      if (owner.isEmpty() || !act.string("status").map("cancelled"::equals).orElse(false) || replannedReps.contains(owner.get())) {
        continue;
      }
      // "today" is the rep's own date: a Berlin rep's day has begun while Denver still sleeps
      var zone = Optional.ofNullable(owners.get(owner.get())).flatMap(routing::zone);
      if (zone.isEmpty()) {
        continue;
      }
      var today = LocalDate.ofInstant(now, zone.get());
      if (act.instant("start_at").map(t -> LocalDate.ofInstant(t, zone.get()).equals(today)).orElse(false)
          && !handledAlready(database, connection.name(), owner.get(), today, zone.get())) {
        var done = new ArrayList<String>();
        source.activities().filter(x -> x.activity().string("owner_id").equals(owner)
                && x.activity().string("status").map("completed"::equals).orElse(false)
                && x.activity().instant("start_at").map(t -> LocalDate.ofInstant(t, zone.get()).equals(today) && t.isBefore(now)).orElse(false))
            .sorted(java.util.Comparator.comparing(x -> x.activity().instant("start_at").orElseThrow()))
            .forEach(x -> x.activity().string("account_id").ifPresent(done::add));
        var replan = planner.replan(source, owner.get(), today, new DayPlanner.Progress(now, done));
        if (replan.isPresent()) {
          plans.add(replan.get());
          replannedReps.add(owner.get());
          replanned++;
        }
      }
    }
    int queued = plans.isEmpty() ? 0 : new PlanWriter(database, clock).write(connection, plans, rules.writePolicy(), runId);
    return new Result(plans, queued, replanned);
  }
}
