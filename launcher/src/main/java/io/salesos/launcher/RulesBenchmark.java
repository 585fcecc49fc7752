package io.salesos.launcher;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.rules.AccountContext;
import io.salesos.rules.ActivityContext;
import io.salesos.rules.ContactContext;
import io.salesos.rules.CrmRecord;
import io.salesos.rules.CurrentState;
import io.salesos.rules.DealContext;
import io.salesos.rules.DesiredStateDiff;
import io.salesos.rules.InMemoryContextSource;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleEvaluator;
import io.salesos.rules.RuleSet;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.RuleVocabulary;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code salesos bench rules --deals N}: an org of about N open deals (1,000 deals a partition,
 * built from a few generated demo-like orgs whose ids are prefixed per partition, so every deal is
 * its own), the rule set loaded, then evaluate + reconcile (against an empty mirror, the worst
 * case) timed three times after warm-up, and the median printed with the peak heap seen.
 * {@link Mode#PARTITIONED} evaluates one partition at a time, as the daemon reads its mirror;
 * {@link Mode#WHOLE} holds the whole org's contexts at once and evaluates them in one go, as the
 * daemon did before. Building a partition's contexts is not timed (the daemon reads them from the
 * mirror; {@code bench sync} measures that side), nor are data generation and rule compilation.
 */
public final class RulesBenchmark {

  private RulesBenchmark() {}

  /** How the org is evaluated. */
  public enum Mode { PARTITIONED, WHOLE }

  /** Deals in one partition of the benchmark org. */
  static final int DEALS_PER_PARTITION = 1_000;
  /** Distinct generated orgs the partitions are built from (each partition prefixes its ids). */
  static final int TEMPLATES = 8;

  /**
   * The figures of one benchmark: deals evaluated, changes the reconcile found, median seconds,
   * the timed runs, and the most heap seen in use (sampled after each partition, or after the
   * whole evaluation and its reconcile) against the heap limit.
   */
  public record Result(Mode mode, int deals, int changes, double medianSeconds, double[] runs, long peakHeapBytes,
      long peakLiveBytes, long maxHeapBytes, Verdicts verdicts, double medianCpuSeconds) {}

  /**
   * What the timed evaluation concluded, counted outside the timing: deals flagged, forecasts
   * downgraded, tasks, rule errors, and a digest of every change in order, so a change to the
   * evaluator that alters a verdict shows here (the same org and rule set give the same figures).
   */
  public record Verdicts(long flagged, long downgraded, long tasks, long errors, String digest) {

    /** Counts one evaluation's conclusions and folds its changes into the digest. */
    static final class Counter {
      private final java.security.MessageDigest sha;
      long flagged;
      long downgraded;
      long tasks;
      long errors;

      Counter() {
        try {
          sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException("the JDK has no SHA-256", e);
        }
      }

      void add(io.salesos.rules.DesiredState desired, List<io.salesos.rules.Change> changes) {
        flagged += desired.flags().size();
        downgraded += desired.forecasts().stream().filter(f -> !f.supportedCategory().equals(f.calledCategory())).count();
        tasks += desired.tasks().size();
        errors += desired.ruleErrors().size();
        for (var c : changes) {
          sha.update(c.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        sha.update(desired.rollups().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }

      Verdicts done() {
        return new Verdicts(flagged, downgraded, tasks, errors, java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16));
      }
    }
  }

  public static Result run(int deals, Path rulesDir, PrintStream out) {
    return run(deals, rulesDir, Mode.PARTITIONED, out);
  }

  public static Result run(int deals, Path rulesDir, Mode mode, PrintStream out) {
    if (deals < 1) {
      throw new IllegalArgumentException("--deals must be at least 1, got " + deals);
    }
    var result = new RuleSetLoader(RuleVocabulary.standard()).load(rulesDir);
    if (result instanceof LoadResult.Rejected r) {
      throw new IllegalStateException("rule set does not load: " + r.problems());
    }
    var rules = ((LoadResult.Loaded) result).ruleSet();
    var now = Instant.parse("2026-11-02T09:00:00Z");
    int partitions = (deals + DEALS_PER_PARTITION - 1) / DEALS_PER_PARTITION;
    int last = deals - (partitions - 1) * DEALS_PER_PARTITION;
    long t0 = System.nanoTime();
    var templates = new ArrayList<DemoOrg>();
    for (int t = 0; t < Math.min(TEMPLATES, partitions); t++) {
      templates.add(DemoOrgGenerator.generate(new DemoOrgGenerator.Options(42L + t, now, 1, 10, 25, 100, 0, 12)));
    }
    if (last < DEALS_PER_PARTITION) {
      // the last partition holds what is left of N
      templates.add(DemoOrgGenerator.generate(new DemoOrgGenerator.Options(42L + TEMPLATES, now, 1, 1, 25,
          Math.max(1, last), 0, 12)));
    }
    var org = new Org(templates, partitions, last < DEALS_PER_PARTITION);
    out.printf("bench rules: %s, %d partitions of about %d deals, built from %d generated orgs in %.1f s; heap limit %d MB;"
        + " rules %s%n", mode.name().toLowerCase(), partitions, DEALS_PER_PARTITION, templates.size(), (System.nanoTime() - t0) / 1e9,
        Runtime.getRuntime().maxMemory() >> 20, rules.version());
    var evaluator = new RuleEvaluator(rules);
    var runs = new double[3];
    var cpu = new double[runs.length];
    var os = ManagementFactory.getOperatingSystemMXBean();
    var heap = new Heap();
    int evaluated = 0;
    int changes = 0;
    Verdicts verdicts = null;
    long wall0 = System.nanoTime();
    if (mode == Mode.WHOLE) {
      var whole = org.whole();
      heap.sample();
      for (int i = 0; i < 2; i++) {
        DesiredStateDiff.diff(evaluator.evaluate(whole, now), CurrentState.empty(), rules.writePolicy());
      }
      for (int i = 0; i < runs.length; i++) {
        long c = cpuNanos(os);
        long s = System.nanoTime();
        var desired = evaluator.evaluate(whole, now);
        heap.sample();
        var list = DesiredStateDiff.diff(desired, CurrentState.empty(), rules.writePolicy());
        heap.sample();
        runs[i] = (System.nanoTime() - s) / 1e9;
        cpu[i] = (cpuNanos(os) - c) / 1e9;
        changes = list.size();
        evaluated = desired.evaluatedDealIds().size();
        if (i == 0) {
          var counter = new Verdicts.Counter();
          counter.add(desired, list);
          verdicts = counter.done();
        }
      }
    } else {
      // warm-up over the first partitions only: the JIT needs the hot paths, not the whole org
      for (int i = 0; i < 2; i++) {
        for (int p = 0; p < Math.min(partitions, 20); p++) {
          DesiredStateDiff.diff(evaluator.evaluate(org.partition(p), now), CurrentState.empty(), rules.writePolicy());
        }
      }
      for (int i = 0; i < runs.length; i++) {
        long nanos = 0;
        long cpuTime = 0;
        int n = 0;
        int found = 0;
        // the first run's conclusions are counted, outside the timing
        var counter = i == 0 ? new Verdicts.Counter() : null;
        for (int p = 0; p < partitions; p++) {
          var source = org.partition(p);
          long c = cpuNanos(os);
          long s = System.nanoTime();
          var desired = evaluator.evaluate(source, now);
          var list = DesiredStateDiff.diff(desired, CurrentState.empty(), rules.writePolicy());
          nanos += System.nanoTime() - s;
          cpuTime += cpuNanos(os) - c;
          n += desired.evaluatedDealIds().size();
          found += list.size();
          heap.sample();
          if (counter != null) {
            counter.add(desired, list);
          }
        }
        if (counter != null) {
          verdicts = counter.done();
        }
        runs[i] = nanos / 1e9;
        cpu[i] = cpuTime / 1e9;
        evaluated = n;
        changes = found;
      }
    }
    var sorted = runs.clone();
    Arrays.sort(sorted);
    var cpuSorted = cpu.clone();
    Arrays.sort(cpuSorted);
    var r = new Result(mode, evaluated, changes, sorted[1], runs, heap.peak, heap.live, Runtime.getRuntime().maxMemory(), verdicts,
        cpuSorted[1]);
    // CPU seconds say what the work costs when the machine is shared; wall seconds what a user waits
    out.printf("bench rules: %s evaluate+reconcile %d deals: median %.3f s wall (runs %s), median %.3f s CPU, %d changes,"
        + " peak heap used %d MB (live after GC %d MB) of %d MB, %d cores, load average %.1f, %.1f s in all%n",
        mode.name().toLowerCase(), r.deals(), r.medianSeconds(), Arrays.toString(runs), cpuSorted[1], changes,
        r.peakHeapBytes() >> 20, r.peakLiveBytes() >> 20, r.maxHeapBytes() >> 20, Runtime.getRuntime().availableProcessors(), os.getSystemLoadAverage(),
        (System.nanoTime() - wall0) / 1e9);
    out.printf("bench rules: verdicts: %d deals flagged, %d forecasts downgraded, %d tasks, %d rule errors, %d changes;"
        + " digest of the changes %s%n", verdicts.flagged(), verdicts.downgraded(), verdicts.tasks(), verdicts.errors(), changes,
        verdicts.digest());
    return r;
  }

  private static long cpuNanos(java.lang.management.OperatingSystemMXBean os) {
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
  }

  /**
   * The most heap seen in use at the sampling points (garbage included: G1 collects lazily, so this
   * mostly shows how much room it was given), and the most seen live just after a collection (the
   * heap pools' usage after their latest collection, summed): what the run really holds.
   */
  private static final class Heap {
    long peak;
    long live;

    void sample() {
      peak = Math.max(peak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
      long afterGc = 0;
      for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
          afterGc += pool.getCollectionUsage().getUsed();
        }
      }
      live = Math.max(live, afterGc);
    }
  }

  /** The benchmark org: partition {@code p} is template {@code p mod T} with every id prefixed by the partition. */
  private record Org(List<DemoOrg> templates, int partitions, boolean shortLast) {

    InMemoryContextSource partition(int p) {
      var template = shortLast && p == partitions - 1 ? templates.get(templates.size() - 1) : templates.get(p % Math.min(TEMPLATES, partitions));
      return DemoContextSource.of(template, "p" + p + "-");
    }

    /** Every partition's contexts in one source, as the whole-org path held them. */
    InMemoryContextSource whole() {
      var deals = new ArrayList<DealContext>();
      var contacts = new ArrayList<ContactContext>();
      var accounts = new ArrayList<AccountContext>();
      var activities = new ArrayList<ActivityContext>();
      var owners = new ArrayList<CrmRecord>();
      for (int p = 0; p < partitions; p++) {
        var s = partition(p);
        deals.addAll(s.dealList());
        contacts.addAll(s.contactList());
        accounts.addAll(s.accountList());
        activities.addAll(s.activityList());
        owners.addAll(s.owners());
      }
      return new InMemoryContextSource(deals, contacts, accounts, activities, owners);
    }
  }

  /** Usage: RulesBenchmark [DEALS] [RULES_DIR] [partitioned|whole]: one measurement in this JVM. */
  public static void main(String[] args) {
    int deals = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    var dir = Path.of(args.length > 1 ? args[1] : "rules");
    var mode = args.length > 2 ? Mode.valueOf(args[2].toUpperCase()) : Mode.PARTITIONED;
    var r = run(deals, dir, mode, System.out);
    // one line the parent process reads
    System.out.printf(java.util.Locale.ROOT, "bench-result mode=%s deals=%d changes=%d median=%.3f peak=%d live=%d max=%d"
        + " flagged=%d tasks=%d digest=%s cpu=%.3f%n", r.mode().name().toLowerCase(), r.deals(), r.changes(), r.medianSeconds(),
        r.peakHeapBytes(), r.peakLiveBytes(), r.maxHeapBytes(), r.verdicts().flagged(), r.verdicts().tasks(), r.verdicts().digest(),
        r.medianCpuSeconds());
  }
}
