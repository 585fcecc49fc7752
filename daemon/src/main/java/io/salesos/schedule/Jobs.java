package io.salesos.schedule;

import io.salesos.pipeline.Pipeline;
import java.util.function.BiConsumer;
import java.util.Optional;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.PersistJobDataAfterExecution;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's Quartz jobs; with a clustered job store each trigger runs on exactly one daemon. */
final class Jobs {

  private static final Logger log = LoggerFactory.getLogger(Jobs.class);

  static final String PIPELINE = "salesos.pipeline";
  static final String TIMER = "salesos.timer";
  static final String RETENTION = "salesos.retention";

  private Jobs() {}

  static Pipeline pipeline(JobExecutionContext context) throws JobExecutionException {
    try {
      return (Pipeline) context.getScheduler().getContext().get(PIPELINE);
    } catch (SchedulerException e) {
      throw new JobExecutionException(e);
    }
  }

  /** Told each job's name and duration (the metrics); nothing when none is installed. */
  @SuppressWarnings("unchecked")
  static BiConsumer<String, Long> timer(JobExecutionContext context) throws JobExecutionException {
    try {
      var t = (BiConsumer<String, Long>) context.getScheduler().getContext().get(TIMER);
      return t == null ? (job, nanos) -> {} : t;
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
   * What every job does around its work: time it, tell the timer (metrics), and log the run keyed
   * by its scheduled fire time.
   */
  abstract static class TimedJob implements Job {

    abstract String name(JobExecutionContext context);

    abstract void work(JobExecutionContext context, Pipeline pipeline);

    @Override
    public final void execute(JobExecutionContext context) throws JobExecutionException {
      var name = name(context);
      var timer = timer(context);
      long t0 = System.nanoTime();
      work(context, pipeline(context));
      timer.accept(name, System.nanoTime() - t0);
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
    void work(JobExecutionContext context, Pipeline pipeline) {
      var connection = context.getMergedJobDataMap().getString("connection");
      if (!pipeline.pollDue(connection)) {
        // the change stream is healthy: the safety-net poll runs less often (sync.stream_poll_factor)
        return;
      }
      // a cancelled or new meeting seen by this pull re-plans the rep's day now, not at the next plan run
      var pulled = pipeline.pullAndReplanned(connection);
      log.debug("event=job_done job=pull connection={} objects={}", connection, pulled.stats().size());
      if (pulled.replanQueued() > 0) {
        // the re-planned route goes out now, not a poll later: the push job runs at once (after the
        // one under way, if any, in whichever daemon of the cluster holds it)
        try {
          context.getScheduler().triggerJob(org.quartz.JobKey.jobKey("push"));
        } catch (org.quartz.SchedulerException e) {
          log.warn("event=push_not_triggered reason=\"{}\" next=\"the scheduled push\"", e.getMessage());
        }
      }
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
    void work(JobExecutionContext context, Pipeline pipeline) {
      pipeline.push();
    }
  }

  /** Evaluates the rule set in force and queues its conclusions. */
  @DisallowConcurrentExecution
  public static final class Evaluate extends TimedJob {
    @Override
    String name(JobExecutionContext context) {
      return "evaluate";
    }

    @Override
    void work(JobExecutionContext context, Pipeline pipeline) {
      pipeline.evaluate(Optional.empty());
    }
  }

  /**
   * Plans each rep's next working day once the rep's local plan time has passed (every 15 minutes it
   * asks who is due). The day last planned per rep is kept in the job's data, as text
   * ("connection/rep" = date), so each rep is planned once per local evening on whichever daemon runs
   * the job, and a daemon start keeps it (DaemonScheduler).
   */
  @DisallowConcurrentExecution
  @PersistJobDataAfterExecution
  public static final class Plan extends TimedJob {
    static final String PLANNED = "planned.";

    @Override
    String name(JobExecutionContext context) {
      return "plan";
    }

    @Override
    void work(JobExecutionContext context, Pipeline pipeline) {
      var data = context.getJobDetail().getJobDataMap();
      var pass = pipeline.planDue(planned(data));
      for (var key : java.util.List.copyOf(data.keySet())) {
        if (key.startsWith(PLANNED)) {
          data.remove(key);
        }
      }
      pass.planned().forEach((rep, day) -> data.put(PLANNED + rep, day.toString()));
    }

    static java.util.Map<String, java.time.LocalDate> planned(org.quartz.JobDataMap data) {
      var out = new java.util.HashMap<String, java.time.LocalDate>();
      for (var key : data.getKeys()) {
        if (key.startsWith(PLANNED)) {
          try {
            out.put(key.substring(PLANNED.length()), java.time.LocalDate.parse(data.getString(key)));
          } catch (java.time.format.DateTimeParseException | ClassCastException e) {
            log.warn("event=plan_memory_skipped key={} reason=\"not a date\"", key);
          }
        }
      }
      return out;
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
    void work(JobExecutionContext context, Pipeline pipeline) {
      pipeline.compare(Optional.empty());
    }
  }

  /** The nightly retention: deletes system-table rows past their configured age, in small batches. */
  @DisallowConcurrentExecution
  public static final class Retention extends TimedJob {
    @Override
    String name(JobExecutionContext context) {
      return "retention";
    }

    @Override
    void work(JobExecutionContext context, Pipeline pipeline) {
      try {
        ((io.salesos.retention.Retention) context.getScheduler().getContext().get(RETENTION)).run();
      } catch (SchedulerException e) {
        throw new IllegalStateException("the retention job found no scheduler context: " + e.getMessage(), e);
      }
    }
  }
}
