package io.salesos.schedule;

import io.salesos.runtime.SalesosRuntime;
import java.util.Optional;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's Quartz jobs; with a clustered job store each trigger runs on exactly one daemon. */
final class Jobs {

  private static final Logger log = LoggerFactory.getLogger(Jobs.class);

  static final String RUNTIME = "salesos.runtime";
  static final String HOOKS = "salesos.hooks";

  private Jobs() {}

  static SalesosRuntime runtime(JobExecutionContext context) throws JobExecutionException {
    try {
      return (SalesosRuntime) context.getScheduler().getContext().get(RUNTIME);
    } catch (SchedulerException e) {
      throw new JobExecutionException(e);
    }
  }

  static JobHooks hooks(JobExecutionContext context) throws JobExecutionException {
    try {
      var h = (JobHooks) context.getScheduler().getContext().get(HOOKS);
      return h == null ? JobHooks.NONE : h;
    } catch (SchedulerException e) {
      throw new JobExecutionException(e);
    }
  }

  /**
   * One line per run, keyed by the trigger's scheduled fire time: with a clustered store a (job,
   * fire time) pair shows up on one daemon only, which is how operators and tests tell a double run.
   */
  static void logRun(JobExecutionContext context, String job, long t0) {
    String instance;
    try {
      instance = context.getScheduler().getSchedulerInstanceId();
    } catch (SchedulerException e) {
      instance = "unknown";
    }
    var fireTime = context.getScheduledFireTime();
    log.info("event=job_ran job={} scheduled_fire_time={} instance={} millis={}", job,
        fireTime == null ? "none" : fireTime.toInstant(), instance, (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * What every job does around its work: time it, tell the hooks (metrics), and log the run keyed
   * by its scheduled fire time.
   */
  abstract static class TimedJob implements Job {

    abstract String name(JobExecutionContext context);

    abstract void work(JobExecutionContext context, SalesosRuntime runtime, JobHooks hooks);

    @Override
    public final void execute(JobExecutionContext context) throws JobExecutionException {
      var name = name(context);
      var hooks = hooks(context);
      long t0 = System.nanoTime();
      work(context, runtime(context), hooks);
      hooks.ran(name, System.nanoTime() - t0);
      logRun(context, name, t0);
    }
  }

  /** Pulls every mapped object of one connection. */
  @DisallowConcurrentExecution
  public static final class Pull extends TimedJob {
    @Override
    String name(JobExecutionContext context) {
      return "pull:" + context.getMergedJobDataMap().getString("connection");
    }

    @Override
    void work(JobExecutionContext context, SalesosRuntime runtime, JobHooks hooks) {
      var connection = context.getMergedJobDataMap().getString("connection");
      var stats = runtime.engine().pullAll(Optional.of(connection));
      log.debug("event=job_done job=pull connection={} objects={}", connection, stats.size());
    }
  }

  /** Drains the outbox to every CRM. */
  @DisallowConcurrentExecution
  public static final class Push extends TimedJob {
    @Override
    String name(JobExecutionContext context) {
      return "push";
    }

    @Override
    void work(JobExecutionContext context, SalesosRuntime runtime, JobHooks hooks) {
      runtime.engine().drain();
    }
  }

  /** Evaluates the rules and queues their conclusions (when a rules hook is installed). */
  @DisallowConcurrentExecution
  public static final class Evaluate extends TimedJob {
    @Override
    String name(JobExecutionContext context) {
      return "evaluate";
    }

    @Override
    void work(JobExecutionContext context, SalesosRuntime runtime, JobHooks hooks) {
      hooks.evaluate(runtime);
    }
  }

  /** Plans tomorrow's visits (when a planner hook is installed). */
  @DisallowConcurrentExecution
  public static final class Plan extends TimedJob {
    @Override
    String name(JobExecutionContext context) {
      return "plan";
    }

    @Override
    void work(JobExecutionContext context, SalesosRuntime runtime, JobHooks hooks) {
      hooks.plan(runtime);
    }
  }

  /** The nightly reconcile: a full re-read that catches what no modification stamp shows. */
  @DisallowConcurrentExecution
  public static final class Reconcile extends TimedJob {
    @Override
    String name(JobExecutionContext context) {
      return "reconcile";
    }

    @Override
    void work(JobExecutionContext context, SalesosRuntime runtime, JobHooks hooks) {
      hooks.reconcile(runtime);
    }
  }
}
