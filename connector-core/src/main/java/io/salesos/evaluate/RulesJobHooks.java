package io.salesos.evaluate;

import io.salesos.admin.Metrics;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.RuleSetWatcher;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.schedule.JobHooks;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's scheduled work beyond sync: evaluates the last good rule set (hot-reloaded when a
 * rule file changes; a broken edit keeps the previous set running and is reported), runs the
 * nightly reconcile, and times every job for the metrics.
 */
public final class RulesJobHooks implements JobHooks, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RulesJobHooks.class);

  private final RuleSetWatcher watcher;
  private final Metrics metrics;

  public RulesJobHooks(SalesosRuntime runtime, Metrics metrics) {
    this.metrics = metrics;
    this.watcher = new RuleSetWatcher(runtime.config().rulesDir(),
        new RuleSetLoader(RuleSets.vocabulary(runtime.connections())));
    watcher.refresh();
    watcher.start(Duration.ofSeconds(5));
  }

  public RuleSetWatcher watcher() {
    return watcher;
  }

  /** The cadence of the rule set in force (rules/cadence.yaml), or visits at each account's own cadence until one loads. */
  public io.salesos.rules.Cadence cadence() {
    return watcher().current().map(io.salesos.rules.RuleSet::cadence).orElse(io.salesos.rules.Cadence.accountVisitsOnly());
  }

  @Override
  public void evaluate(SalesosRuntime runtime) {
    var rules = watcher.current();
    if (rules.isEmpty()) {
      log.warn("event=rules_skipped reason=\"no rule set has loaded cleanly yet\" problems={}", watcher.problems().size());
      return;
    }
    var runner = new RulesRunner(runtime.database(), runtime.clock());
    for (var c : runtime.connections()) {
      runner.run(c, rules.get(), false);
    }
  }

  @Override
  public void plan(SalesosRuntime runtime) {
    var rules = watcher.current();
    if (rules.isEmpty()) {
      return;
    }
    var day = io.salesos.visits.Planning.nextWorkday(java.time.LocalDate.ofInstant(runtime.clock().instant(), java.time.ZoneOffset.UTC));
    for (var c : runtime.connections()) {
      io.salesos.visits.Planning.run(runtime.database(), c, rules.get(), day, runtime.clock());
    }
  }

  @Override
  public void reconcile(SalesosRuntime runtime) {
    runtime.engine().reconcile(Optional.empty());
  }

  @Override
  public void ran(String job, long nanos) {
    metrics.jobRan(job, nanos);
  }

  @Override
  public void close() {
    watcher.close();
  }
}
