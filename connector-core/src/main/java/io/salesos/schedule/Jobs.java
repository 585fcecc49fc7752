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

  /** Pulls every mapped object of one connection. */
  @DisallowConcurrentExecution
  public static final class Pull implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      var connection = context.getMergedJobDataMap().getString("connection");
      long t0 = System.nanoTime();
      var stats = runtime(context).engine().pullAll(Optional.of(connection));
      hooks(context).ran("pull:" + connection, System.nanoTime() - t0);
      logRun(context, "pull:" + connection, t0);
      log.debug("event=job_done job=pull connection={} objects={}", connection, stats.size());
    }
  }

  /** Drains the outbox to every CRM. */
  @DisallowConcurrentExecution
  public static final class Push implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      long t0 = System.nanoTime();
      runtime(context).engine().drain();
      hooks(context).ran("push", System.nanoTime() - t0);
      logRun(context, "push", t0);
    }
  }

  /** Evaluates the rules and queues their conclusions (when a rules hook is installed). */
  @DisallowConcurrentExecution
  public static final class Evaluate implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      long t0 = System.nanoTime();
      hooks(context).evaluate(runtime(context));
      hooks(context).ran("evaluate", System.nanoTime() - t0);
      logRun(context, "evaluate", t0);
    }
  }

  /** Plans tomorrow's visits (when a planner hook is installed). */
  @DisallowConcurrentExecution
  public static final class Plan implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      long t0 = System.nanoTime();
      hooks(context).plan(runtime(context));
      hooks(context).ran("plan", System.nanoTime() - t0);
      logRun(context, "plan", t0);
    }
  }

  /** The nightly reconcile: a full re-read that catches what no modification stamp shows. */
  @DisallowConcurrentExecution
  public static final class Reconcile implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      long t0 = System.nanoTime();
      hooks(context).reconcile(runtime(context));
      hooks(context).ran("reconcile", System.nanoTime() - t0);
      logRun(context, "reconcile", t0);
    }
  }
}
