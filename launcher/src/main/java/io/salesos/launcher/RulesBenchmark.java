package io.salesos.launcher;

import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.CurrentState;
import io.salesos.rules.DesiredStateDiff;
import io.salesos.rules.RuleVocabulary;
import io.salesos.demo.DemoOrgGenerator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * {@code salesos bench rules --deals N}: builds a demo-like org with about N open deals in memory,
 * loads the rule set, then times evaluate + reconcile (against an empty mirror, the worst case)
 * three times and prints the median. Data generation and rule compilation are not timed.
 */
public final class RulesBenchmark {

  private RulesBenchmark() {}

  /** The figures of one benchmark: deals evaluated, changes written by the first reconcile, median seconds. */
  public record Result(int deals, int changes, double medianSeconds, double[] runs) {}

  public static Result run(int deals, Path rulesDir, PrintStream out) {
    var result = new RuleSetLoader(RuleVocabulary.standard()).load(rulesDir);
    if (result instanceof LoadResult.Rejected r) {
      throw new IllegalStateException("rule set does not load: " + r.problems());
    }
    var rules = ((LoadResult.Loaded) result).ruleSet();
    var now = Instant.parse("2026-11-02T09:00:00Z");
    int perRep = 100;
    int reps = Math.max(1, (deals + perRep - 1) / perRep);
    int regions = Math.min(6, reps);
    int perRegion = (reps + regions - 1) / regions;
    int openPerRep = Math.max(1, (deals + regions * perRegion - 1) / (regions * perRegion));
    long t0 = System.nanoTime();
    var org = DemoOrgGenerator.generate(new DemoOrgGenerator.Options(42L, now, regions, perRegion, 25,
        openPerRep, 0, 12));
    var source = DemoContextSource.of(org);
    out.printf("bench rules: %d deals, %d accounts, %d activities generated in %.1f s; rules %s%n",
        source.dealList().size(), org.accounts().size(), org.activities().size(), (System.nanoTime() - t0) / 1e9,
        rules.version());
    var evaluator = new RuleEvaluator(rules);
    var runs = new double[3];
    int changes = 0;
    // two untimed warm-ups so the JIT has compiled the hot paths, as in a daemon's steady state
    for (int i = 0; i < 2; i++) {
      DesiredStateDiff.diff(evaluator.evaluate(source, now), CurrentState.empty(), rules.writePolicy());
    }
    var cpu = new double[runs.length];
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    for (int i = 0; i < runs.length; i++) {
      long c = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
      long s = System.nanoTime();
      var desired = evaluator.evaluate(source, now);
      var list = DesiredStateDiff.diff(desired, CurrentState.empty(), rules.writePolicy());
      runs[i] = (System.nanoTime() - s) / 1e9;
      cpu[i] = os instanceof com.sun.management.OperatingSystemMXBean sun ? (sun.getProcessCpuTime() - c) / 1e9 : 0.0;
      changes = list.size();
    }
    var cpuSorted = cpu.clone();
    Arrays.sort(cpuSorted);
    var sorted = runs.clone();
    Arrays.sort(sorted);
    var r = new Result(source.dealList().size(), changes, sorted[1], runs);
    // CPU seconds say what the work costs when the machine is shared; wall seconds what a user waits
    out.printf("bench rules: evaluate+reconcile %d deals: median %.3f s wall (runs %s), median %.3f s CPU,"
        + " %d changes, %d cores, load average %.1f%n",
        r.deals(), r.medianSeconds(), Arrays.toString(runs), cpuSorted[1], changes,
        Runtime.getRuntime().availableProcessors(), os.getSystemLoadAverage());
    return r;
  }

  /** Usage: RulesBenchmark [DEALS] [RULES_DIR]. */
  public static void main(String[] args) {
    int deals = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    var dir = Path.of(args.length > 1 ? args[1] : "rules");
    run(deals, dir, System.out);
  }
}
