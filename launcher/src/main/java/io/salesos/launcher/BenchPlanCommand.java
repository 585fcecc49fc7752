package io.salesos.launcher;

import io.salesos.cli.Home;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.RuleVocabulary;
import io.salesos.visits.DayPlanner;
import io.salesos.visits.Planning;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Plans a whole team's next day on a generated org and prints the seconds it took (median of runs). */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = "Time planning one day for every rep of a generated team (reps x accounts).")
final class BenchPlanCommand implements Runnable {

  @Option(names = "--reps", description = "reps in the team (default: ${DEFAULT-VALUE})")
  int reps = 60;

  @Option(names = "--accounts", description = "accounts across the team (default: ${DEFAULT-VALUE})")
  int accounts = 3000;

  @Option(names = "--runs", description = "timed runs (default: ${DEFAULT-VALUE})")
  int runs = 3;

  @Option(names = "--rules", description = "the rules folder (default: rules/ under SALESOS_HOME)")
  Path rules;

  @Override
  public void run() {
    var now = Instant.now();
    int regions = Math.min(6, Math.max(1, reps / 10));
    var options = new DemoOrgGenerator.Options(42L, now, regions, Math.max(1, reps / regions), Math.max(1, accounts / reps),
        25, 15, 12);
    var org = DemoOrgGenerator.generate(options);
    var source = DemoContextSource.of(org);
    var ruleSet = LiveRuleSet.load(rules != null ? rules : Home.dir().resolve("rules"), RuleVocabulary.standard());
    var planner = new DayPlanner(Planning.routing(ruleSet), Planning.ITERATIONS, 42);
    var day = Planning.nextWorkday(LocalDate.ofInstant(now, ZoneOffset.UTC));
    System.out.printf("team: %d reps, %d accounts, %d open deals; planning %s%n",
        org.users().stream().filter(u -> u.role() == io.salesos.demo.DemoOrg.Role.REP).count(), org.accounts().size(),
        org.deals().stream().filter(d -> !d.stage().closed()).count(), day);
    planner.plan(source, day, now, Optional.empty()); // warm-up
    var times = new ArrayList<Double>();
    for (int r = 1; r <= runs; r++) {
      long t0 = System.nanoTime();
      var plans = planner.plan(source, day, now, Optional.empty());
      double s = (System.nanoTime() - t0) / 1e9;
      times.add(s);
      System.out.printf("run %d: %d rep-days, %d stops, visit value $%,.0f, %.0f min driving, in %.2f s%n", r, plans.size(),
          plans.stream().mapToInt(p -> p.stops().size()).sum(), plans.stream().mapToDouble(DayPlanner.RepPlan::totalValue).sum(),
          plans.stream().mapToDouble(DayPlanner.RepPlan::driveMinutes).sum(), s);
    }
    System.out.printf("median %.2f s for the whole team's day%n", BenchSyncCommand.median(times));
  }
}
