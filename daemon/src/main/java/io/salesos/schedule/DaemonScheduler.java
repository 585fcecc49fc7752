package io.salesos.schedule;

import io.salesos.runtime.SalesosRuntime;
import java.util.function.BiConsumer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules the daemon's jobs with Quartz on a JDBC job store in the mirror's own MariaDB: pull
 * per connection and push every poll interval, evaluate after them, plan every 15 minutes (each rep at
 * the rep's local evening), a nightly reconcile and a nightly retention.
 * With several daemons on one database the store is clustered and each trigger runs once.
 * Job data is stored as text properties, never as serialized Java objects.
 */
public final class DaemonScheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DaemonScheduler.class);

  private final Scheduler scheduler;

  private DaemonScheduler(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** Starts the schedule over the runtime's pipeline; {@code timer} is told each job's name and duration. */
  public static DaemonScheduler start(SalesosRuntime runtime, BiConsumer<String, Long> timer) {
    var cfg = runtime.config().scheduler();
    var dsName = "salesos-" + System.identityHashCode(runtime);
    DBConnectionManager.getInstance().addConnectionProvider(dsName, new ConnectionProvider() {
      @Override
      public Connection getConnection() throws SQLException {
        return runtime.database().connection();
      }

      @Override
      public void shutdown() {}

      @Override
      public void initialize() {}
    });
    var p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "salesos");
    p.setProperty("org.quartz.scheduler.instanceId", cfg.instanceId());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(cfg.threads()));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dsName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    // job data as text properties, not Java-serialized objects: Quartz would deserialize whatever
    // sits in the QRTZ_ tables, so a row someone edited could run code in the daemon. Job data maps
    // hold strings only (the connection name); the pipeline and timer live in the scheduler
    // context, which stays in memory and is never stored
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.isClustered", Boolean.toString(cfg.clustered()));
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "30000");
    try {
      var factory = new StdSchedulerFactory(p);
      var scheduler = factory.getScheduler();
      scheduler.getContext().put(Jobs.PIPELINE, runtime.pipeline());
      scheduler.getContext().put(Jobs.TIMER, timer);
      scheduler.getContext().put(Jobs.RETENTION, new io.salesos.retention.Retention(runtime.database(),
          io.salesos.retention.Retention.Settings.of(runtime.config().retention()), runtime.clock()));
      int poll = runtime.config().sync().pollSeconds();
      for (var c : runtime.connections()) {
        schedule(scheduler, "pull-" + c.name(), Jobs.Pull.class, poll, c.name());
      }
      schedule(scheduler, "push", Jobs.Push.class, poll, null);
      schedule(scheduler, "evaluate", Jobs.Evaluate.class, Math.max(poll, runtime.config().sync().evaluateSeconds()), null);
      var plan = JobBuilder.newJob(Jobs.Plan.class).withIdentity("plan").storeDurably().build();
      plan = keepPlanMemory(scheduler, plan);
      // every 15 minutes: each rep is planned at the rep's own local plan time (PlanSchedule)
      var planTrigger = TriggerBuilder.newTrigger().withIdentity("plan-every-15-minutes").forJob(plan)
          .withSchedule(CronScheduleBuilder.cronSchedule("0 0/15 * * * ?").inTimeZone(java.util.TimeZone.getTimeZone("UTC"))).build();
      // the plan trigger of earlier versions fired at 18:00 UTC for everyone
      scheduler.unscheduleJob(org.quartz.TriggerKey.triggerKey("plan-daily"));
      replace(scheduler, plan, planTrigger);
      var reconcile = JobBuilder.newJob(Jobs.Reconcile.class).withIdentity("reconcile").storeDurably().build();
      var reconcileTrigger = TriggerBuilder.newTrigger().withIdentity("reconcile-nightly").forJob(reconcile)
          .withSchedule(CronScheduleBuilder.dailyAtHourAndMinute(2, 30).inTimeZone(java.util.TimeZone.getTimeZone("UTC"))).build();
      replace(scheduler, reconcile, reconcileTrigger);
      var retention = JobBuilder.newJob(Jobs.Retention.class).withIdentity("retention").storeDurably().build();
      var retentionTrigger = TriggerBuilder.newTrigger().withIdentity("retention-nightly").forJob(retention)
          .withSchedule(CronScheduleBuilder.dailyAtHourAndMinute(3, 45).inTimeZone(java.util.TimeZone.getTimeZone("UTC"))).build();
      replace(scheduler, retention, retentionTrigger);
      scheduler.start();
      log.info("event=scheduler_started instance={} clustered={} poll_seconds={}", scheduler.getSchedulerInstanceId(),
          cfg.clustered(), poll);
      return new DaemonScheduler(scheduler);
    } catch (SchedulerException e) {
      throw new IllegalStateException("could not start the scheduler: " + e.getMessage(), e);
    }
  }

  /**
   * The plan job's memory of the days it planned per rep survives a daemon start: storing the job
   * again would otherwise empty it and plan every rep a second time that evening (harmless, since an
   * unchanged plan writes nothing, but not once per evening). A memory that cannot be read is dropped.
   */
  private static org.quartz.JobDetail keepPlanMemory(Scheduler scheduler, org.quartz.JobDetail plan) {
    try {
      var stored = scheduler.getJobDetail(plan.getKey());
      if (stored == null) {
        return plan;
      }
      var data = new org.quartz.JobDataMap();
      for (var key : stored.getJobDataMap().getKeys()) {
        if (key.startsWith(Jobs.Plan.PLANNED) && stored.getJobDataMap().get(key) instanceof String day) {
          data.put(key, day);
        }
      }
      return plan.getJobBuilder().usingJobData(data).build();
    } catch (SchedulerException | RuntimeException e) {
      log.warn("event=plan_memory_dropped reason=\"{}\"", e.getMessage());
      return plan;
    }
  }

  private static void schedule(Scheduler scheduler, String name, Class<? extends org.quartz.Job> job, int seconds,
      String connection) throws SchedulerException {
    var builder = JobBuilder.newJob(job).withIdentity(name).storeDurably();
    if (connection != null) {
      builder.usingJobData("connection", connection);
    }
    var detail = builder.build();
    var trigger = TriggerBuilder.newTrigger().withIdentity(name + "-every").forJob(detail).startNow()
        .withSchedule(SimpleScheduleBuilder.repeatSecondlyForever(seconds).withMisfireHandlingInstructionNextWithRemainingCount())
        .build();
    replace(scheduler, detail, trigger);
  }

  /**
   * Several daemons share one schedule: a daemon that finds a job's trigger already stored with the
   * same schedule keeps it (replacing it would restart it, running the job again at once on every
   * daemon start); a changed schedule (a new poll interval) replaces it. Two daemons starting at
   * once: whoever comes second finds the job there and keeps it.
   */
  private static void replace(Scheduler scheduler, org.quartz.JobDetail job, org.quartz.Trigger trigger) throws SchedulerException {
    var existing = scheduler.getTrigger(trigger.getKey());
    if (existing != null && sameSchedule(existing, trigger)) {
      // a store written before job data went to properties holds it serialized, which this
      // scheduler no longer reads; storing the durable job again rewrites it and leaves its trigger be
      scheduler.addJob(job, true);
      log.debug("event=job_exists job={}", job.getKey());
      return;
    }
    try {
      scheduler.scheduleJob(job, java.util.Set.of(trigger), existing != null);
    } catch (org.quartz.ObjectAlreadyExistsException e) {
      log.debug("event=job_exists job={}", job.getKey());
    }
  }

  static boolean sameSchedule(org.quartz.Trigger a, org.quartz.Trigger b) {
    if (a instanceof org.quartz.SimpleTrigger sa && b instanceof org.quartz.SimpleTrigger sb) {
      return sa.getRepeatInterval() == sb.getRepeatInterval() && sa.getRepeatCount() == sb.getRepeatCount();
    }
    if (a instanceof org.quartz.CronTrigger ca && b instanceof org.quartz.CronTrigger cb) {
      return ca.getCronExpression().equals(cb.getCronExpression()) && ca.getTimeZone().equals(cb.getTimeZone());
    }
    return false;
  }

  public Scheduler quartz() {
    return scheduler;
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      log.warn("event=scheduler_stop_failed reason={}", e.getMessage());
    }
  }
}
