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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Plans a connection's reps for a day and queues the plans, and re-plans days whose booked meeting was cancelled. */
public final class Planning {

  public static final long ITERATIONS = 4000;

  private Planning() {}

  /** The next working day after {@code today}. */
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
   * Plans {@code date} for every rep of the connection, re-plans the rest of today for reps whose
   * booked meeting today was cancelled, and queues both under the visit_plan write policy.
   */
  public static Result run(Database database, CrmConnection connection, RuleSet rules, LocalDate date, Clock clock) {
    var now = clock.instant();
    var source = new MirrorContextSource(database, connection.name(), now);
    var planner = new DayPlanner(routing(rules), ITERATIONS, 42);
    var plans = new ArrayList<>(planner.plan(source, date, now, Optional.empty()));
    var today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    int replanned = 0;
    for (var a : (Iterable<ActivityContext>) source.activities()::iterator) {
      var act = a.activity();
      if (act.string("status").map("cancelled"::equals).orElse(false)
          && act.instant("start_at").map(t -> LocalDate.ofInstant(t, ZoneOffset.UTC).equals(today)).orElse(false)) {
        var owner = act.string("owner_id");
        if (owner.isEmpty()) {
          continue;
        }
        var done = new ArrayList<String>();
        source.activities().filter(x -> x.activity().string("owner_id").equals(owner)
                && x.activity().string("status").map("completed"::equals).orElse(false)
                && x.activity().instant("start_at").map(t -> LocalDate.ofInstant(t, ZoneOffset.UTC).equals(today) && t.isBefore(now)).orElse(false))
            .sorted(java.util.Comparator.comparing(x -> x.activity().instant("start_at").orElseThrow()))
            .forEach(x -> x.activity().string("account_id").ifPresent(done::add));
        var replan = planner.replan(source, owner.get(), today, new DayPlanner.Progress(now, done));
        if (replan.isPresent()) {
          plans.add(replan.get());
          replanned++;
        }
      }
    }
    int queued = new PlanWriter(database, clock).write(connection, plans, rules.writePolicy(), "plan-" + date + "-" + connection.name());
    return new Result(plans, queued, replanned);
  }
}
