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
      if (act.instant("start_at").map(t -> LocalDate.ofInstant(t, zone.get()).equals(today)).orElse(false)) {
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
    int queued = new PlanWriter(database, clock).write(connection, plans, rules.writePolicy(), runId);
    return new Result(plans, queued, replanned);
  }
}
