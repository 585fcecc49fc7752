package io.salesos.pipeline;

import io.salesos.config.SalesosConfig;
import io.salesos.connection.CrmConnection;
import io.salesos.evaluate.AffectedDeals;
import io.salesos.evaluate.MirrorContextSource;
import io.salesos.evaluate.RulesRunner;
import io.salesos.journal.Journal;
import io.salesos.journal.JournalEntry;
import io.salesos.mirror.Database;
import io.salesos.mirror.MirrorStore;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.ConflictStore;
import io.salesos.outbox.OutboxDrainer;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.outbox.RunLimits;
import io.salesos.rules.Explainer;
import io.salesos.rules.RuleSet;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.sync.CrmCompare;
import io.salesos.sync.PullProgress;
import io.salesos.sync.Puller;
import io.salesos.sync.SyncEngine;
import io.salesos.visits.DayPlanner;
import io.salesos.visits.PlanSchedule;
import io.salesos.visits.PlanWriter;
import io.salesos.visits.Planning;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the data path: holds the live rule set (allow-list and write policy included)
 * and runs pull, evaluate, plan, reconcile and push for a set of CRM connections. The daemon's
 * jobs, every verb and the tests go through it; nothing else loads rules or writes to a CRM.
 */
public final class Pipeline implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  /**
   * Tuning of the data path: the pull's batches and lanes, the push's retries and size, and the
   * run limits over which a run's writes are held for review.
   */
  public record Settings(int pullBatch, int maxBatchesPerPull, int maxAttempts, Duration backoff, int drainLimit,
      int pullLanes, int quarantinePayloadBytes, RunLimits limits, Duration pollInterval, int streamPollFactor) {

    public Settings(int pullBatch, int maxBatchesPerPull, int maxAttempts, Duration backoff, int drainLimit,
        int pullLanes, int quarantinePayloadBytes, RunLimits limits) {
      this(pullBatch, maxBatchesPerPull, maxAttempts, backoff, drainLimit, pullLanes, quarantinePayloadBytes, limits,
          Duration.ofSeconds(60), 10);
    }

    public Settings(int pullBatch, int maxBatchesPerPull, int maxAttempts, Duration backoff, int drainLimit) {
      this(pullBatch, maxBatchesPerPull, maxAttempts, backoff, drainLimit, SalesosConfig.DEFAULT_PULL_LANES);
    }

    public Settings(int pullBatch, int maxBatchesPerPull, int maxAttempts, Duration backoff, int drainLimit,
        int pullLanes) {
      this(pullBatch, maxBatchesPerPull, maxAttempts, backoff, drainLimit, pullLanes,
          io.salesos.mirror.MirrorStore.DEFAULT_QUARANTINE_PAYLOAD_BYTES, RunLimits.NONE);
    }

    /** As a configuration's {@code sync} and {@code retention} sections set them. */
    public static Settings of(SalesosConfig config) {
      var sync = config.sync();
      return new Settings(sync.pullBatch(), 10_000, sync.maxAttempts(), Duration.ofSeconds(sync.backoffSeconds()), 50_000,
          sync.pullLanes(), config.retention().quarantinePayloadBytes(),
          new RunLimits(sync.holdWritesOver(), sync.holdPercentOver()), Duration.ofSeconds(sync.pollSeconds()),
          sync.streamPollFactor());
    }

    SyncEngine.PullSettings pull() {
      return new SyncEngine.PullSettings(pullBatch, maxBatchesPerPull, pullLanes, quarantinePayloadBytes);
    }
  }

  private final Database database;
  private final Map<String, CrmConnection> connections;
  private final LiveRuleSet rules;
  private final SyncEngine sync;
  private final OutboxStore outbox;
  private final ConflictStore conflicts;
  private final Journal journal;
  private final OutboxDrainer drainer;
  private final int drainLimit;
  private final Clock clock;
  private final AbsentInputs absentInputs;
  private final StageVocabularies stages;
  private final RunLimits limits;
  private final Map<String, java.util.concurrent.locks.ReentrantReadWriteLock> cycles = new java.util.concurrent.ConcurrentHashMap<>();
  /** How long an evaluation waits for a pull under way before it is skipped. */
  static final Duration WAIT_FOR_PULL = Duration.ofMinutes(5);

  public Pipeline(Database database, List<CrmConnection> connections, LiveRuleSet rules, ConflictPolicy conflictPolicy,
      Settings settings, Clock clock) {
    this.database = database;
    var byName = new LinkedHashMap<String, CrmConnection>();
    connections.forEach(c -> byName.put(c.name(), c));
    this.connections = byName;
    this.rules = rules;
    this.clock = clock;
    this.absentInputs = new AbsentInputs(clock);
    this.sync = new SyncEngine(database, connections, settings.pull(), clock);
    this.outbox = new OutboxStore(database, clock);
    this.conflicts = new ConflictStore(database, clock);
    this.journal = new Journal(database, clock);
    this.drainer = new OutboxDrainer(outbox, conflicts, journal, sync.mirror(), sync::refresh, rules::allowList,
        conflictPolicy, settings.maxAttempts(), settings.backoff(), clock);
    this.drainLimit = settings.drainLimit();
    this.limits = settings.limits();
    this.pollInterval = settings.pollInterval();
    this.streamPollFactor = settings.streamPollFactor();
    this.stages = new StageVocabularies(database, clock);
    // the rule files are checked against the stages last mirrored for these connections, from the start
    useMirroredStages();
  }

  /** Checks the rule files against every connection's mirrored stages (reloading them when those changed). */
  private void useMirroredStages() {
    rules.vocabulary().ifPresent(v -> rules.useVocabulary(stages.ruleVocabulary(List.copyOf(connections.values()),
        v.customFields()).withRelations(v.relations())));
  }

  /** The newest deal stages mirrored for a connection, as its CRM reported them. */
  public Optional<io.salesos.spi.StageVocabulary> stages(String connection) {
    return stages.of(connection(connection).name());
  }

  /**
   * Reads the deal stages of every connection (or one) from the CRM now, mirrors them, and checks
   * the rule files against them: what {@code rules check --config} does against live CRMs.
   */
  public void readStages(Optional<String> connection) {
    for (var c : selected(connection)) {
      stages.refreshNow(c);
    }
    useMirroredStages();
  }

  private final Duration pollInterval;
  private final int streamPollFactor;

  /** Pulls every mapped object of every connection (or of one) into the mirror. */
  public List<Puller.PullStats> pull(Optional<String> connection) {
    // every selected connection's cycle lock, shared, in the configured order (so two pulls never wait on each other)
    var held = new ArrayList<java.util.concurrent.locks.Lock>();
    try {
      for (var c : selected(connection)) {
        var lock = cycle(c.name()).readLock();
        lock.lock();
        held.add(lock);
      }
      // metadata first: the CRM's stages, so the rules are checked against what the pulled deals name
      for (var c : selected(connection)) {
        if (sync.pauses().of(c.name()).isEmpty()) {
          stages.refresh(c);
        }
      }
      useMirroredStages();
      return sync.pullAll(connection);
    } finally {
      held.forEach(java.util.concurrent.locks.Lock::unlock);
    }
  }

  /**
   * Per connection: pulls hold it shared, an evaluation alone. The daemon's pull and evaluate jobs
   * fire on their own schedules; without it an evaluation that met a pull under way was skipped,
   * and with pulls as long as the poll interval (or firing at the same instants) every one was, so
   * the daemon never evaluated. Fair, so a queued evaluation is not starved by the next pull.
   */
  private java.util.concurrent.locks.ReentrantReadWriteLock cycle(String connection) {
    return cycles.computeIfAbsent(connection, k -> new java.util.concurrent.locks.ReentrantReadWriteLock(true));
  }

  /**
   * {@code body}'s answer when the mirror of {@code c} is consistent for {@code step}, empty (with the
   * reason logged) when not. A loaded connection's pull under way in this process is waited for (up
   * to {@link #WAIT_FOR_PULL}) and no pull starts meanwhile; an initial load or a pause is not waited
   * for. A pull in another process (a CLI sync, another daemon) still holds the step back.
   */
  private <T> Optional<T> whenConsistent(CrmConnection c, String step, java.util.function.Supplier<T> body) {
    var lock = cycle(c.name()).writeLock();
    boolean held = false;
    if (sync.pauses().of(c.name()).isEmpty() && readiness(c.name()).watermark().isPresent()) {
      try {
        held = lock.tryLock(WAIT_FOR_PULL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      return consistent(c, step) ? Optional.of(body.get()) : Optional.empty();
    } finally {
      if (held) {
        lock.unlock();
      }
    }
  }

  /** Pulls one CRM object of one connection. */
  public Puller.PullStats pull(String connection, String crmObject) {
    return sync.pull(connection, crmObject);
  }

  /**
   * Evaluates the rule set in force over the mirror of every connection (or of one) and queues
   * what changed; nothing while no rule set is in force.
   */
  public List<RulesRunner.RunResult> evaluate(Optional<String> connection) {
    return run(connection, false);
  }

  /** As {@link #evaluate}, queueing and storing nothing: what the rules would write. */
  public List<RulesRunner.RunResult> dryRun(Optional<String> connection) {
    return run(connection, true);
  }

  /**
   * Evaluates {@code candidate} (a rule set not in force, for example an edit under review) over
   * the mirror of every connection (or of one), queueing and storing nothing.
   */
  public List<RulesRunner.RunResult> dryRun(RuleSet candidate, Optional<String> connection) {
    var runner = new RulesRunner(database, clock);
    var out = new ArrayList<RulesRunner.RunResult>();
    for (var c : selected(connection)) {
      out.add(runner.run(c, absentInputs.restrict(candidate, c), true));
    }
    return out;
  }

  private List<RulesRunner.RunResult> run(Optional<String> connection, boolean dryRun) {
    var set = inForce("evaluate");
    if (set.isEmpty()) {
      return List.of();
    }
    var runner = new RulesRunner(database, clock, limits);
    var out = new ArrayList<RulesRunner.RunResult>();
    for (var c : selected(connection)) {
      whenConsistent(c, dryRun ? "dry-run" : "evaluate", () -> runner.run(c, absentInputs.restrict(set.get(), c), dryRun))
          .ifPresent(out::add);
    }
    return out;
  }

  /**
   * Evaluates the rule set in force over the deals {@code dealIds} of one connection only and
   * queues what changed for them (see {@link RulesRunner#runDeals}): for a caller that knows which
   * deals changed. Empty when no rule set is in force or the mirror may not be evaluated now.
   */
  public Optional<RulesRunner.RunResult> evaluateDeals(String connection, java.util.Collection<String> dealIds, boolean dryRun) {
    var set = inForce("evaluate");
    if (set.isEmpty()) {
      return Optional.empty();
    }
    var c = selected(Optional.of(connection)).get(0);
    return whenConsistent(c, dryRun ? "dry-run" : "evaluate",
        () -> new RulesRunner(database, clock, limits).runDeals(c, absentInputs.restrict(set.get(), c), dealIds, dryRun));
  }

  /** As {@link #evaluate(Optional)} for one connection, reading its mirror {@code accountsPerPartition} accounts at a time. */
  public List<RulesRunner.RunResult> evaluate(String connection, int accountsPerPartition, boolean dryRun) {
    var set = inForce("evaluate");
    var out = new ArrayList<RulesRunner.RunResult>();
    var c = selected(Optional.of(connection)).get(0);
    if (set.isPresent() && consistent(c, dryRun ? "dry-run" : "evaluate")) {
      out.add(new RulesRunner(database, clock, limits).run(c, absentInputs.restrict(set.get(), c), dryRun, accountsPerPartition));
    }
    return out;
  }

  /**
   * Whether the mirror of a connection may be evaluated now (see {@link PullProgress#readiness}):
   * every mapped object loaded and its latest pull read to the end. Evaluating a partial mirror
   * would conclude from missing records (a lead with no activities yet, a Commit deal with no
   * visit) and write tasks and flags that do not hold, so the step is skipped with the reason.
   */
  private boolean consistent(CrmConnection c, String step) {
    var pause = sync.pauses().of(c.name());
    if (pause.isPresent()) {
      log.info("event=evaluation_skipped step={} source={} reason=\"{}\"", step, c.name(), pause.get().describe());
      return false;
    }
    var unread = stages.blocked(c);
    if (unread.isPresent()) {
      useMirroredStages();
      if (stages.blocked(c).isPresent()) {
        log.warn("event=evaluation_skipped step={} source={} reason=\"{}\"", step, c.name(), unread.get());
        return false;
      }
    }
    var readiness = readiness(c.name());
    if (readiness.ready()) {
      return true;
    }
    log.warn("event=evaluation_skipped step={} source={} watermark={} reason=\"{}\"", step, c.name(),
        readiness.watermark().map(Object::toString).orElse("none"), readiness.blocked().orElseThrow());
    return false;
  }

  /** Whether the mirror of one connection is consistent enough to evaluate, its watermark, and why not. */
  public PullProgress.Readiness readiness(String connection) {
    return sync.progress().readiness(connection(connection).name());
  }

  /**
   * Pulls one connection and, when the pull brought activity changes (a meeting cancelled or
   * booked, a check-in), re-plans the rest of today for the reps whose booked meeting today was
   * cancelled: the live re-plan, within one poll of the change.
   */
  public List<Puller.PullStats> pullAndReplan(String connection) {
    return pullAndReplanned(connection).stats();
  }

  /** What a pull with live re-planning did: the pull's stats and how many plan writes the re-plan queued. */
  public record Pulled(List<Puller.PullStats> stats, int replanQueued) {
    public Pulled {
      stats = List.copyOf(stats);
    }
  }

  /**
   * As {@link #pullAndReplan}, also saying how many plan writes a re-plan queued, so the caller can
   * push them at once rather than at the next push: the rep's new route reaches the CRM within one
   * poll of the cancellation.
   */
  public Pulled pullAndReplanned(String connection) {
    var stats = pull(Optional.of(connection));
    int queued = 0;
    var c = connection(connection);
    boolean activityChanged = stats.stream().anyMatch(s -> s.changed() > 0 && c.mapping().forCrmObject(s.crmObject())
        .map(m -> m.canonicalObject().equals(io.salesos.model.CanonicalSchema.ACTIVITY)).orElse(false));
    if (activityChanged) {
      var set = rules.current();
      if (set.isPresent() && set.get().routing().isPresent() && consistent(c, "replan")) {
        var result = Planning.replanToday(database, c, set.get(), clock);
        if (result.replanned() > 0) {
          log.info("event=replanned source={} reps={} queued={}", connection, result.replanned(), result.queued());
        }
        queued = result.queued();
      }
    }
    return new Pulled(stats, queued);
  }

  /**
   * Plans {@code day} for every rep of every connection (or of one), re-plans today where a booked
   * meeting was cancelled, and queues the plans under the write policy.
   */
  public List<Planning.Result> plan(LocalDate day, Optional<String> connection) {
    var set = inForce("plan");
    if (set.isEmpty()) {
      return List.of();
    }
    var out = new ArrayList<Planning.Result>();
    for (var c : selected(connection)) {
      whenConsistent(c, "plan", () -> Planning.run(database, c, set.get(), day, clock)).ifPresent(out::add);
    }
    return out;
  }

  /**
   * Plans each rep's own next working day (in the rep's zone, after the rep's local today) for every
   * connection (or one): what "plan tomorrow" means for a team across zones.
   */
  public List<Planning.Result> planNext(Optional<String> connection) {
    var set = inForce("plan");
    if (set.isEmpty()) {
      return List.of();
    }
    var now = clock.instant();
    var out = new ArrayList<Planning.Result>();
    for (var c : selected(connection)) {
      var dates = new java.util.HashMap<String, LocalDate>();
      Planning.calendars(database, c, set.get(), now).forEach((rep, cal) -> dates.put(rep, cal.nextWorkday(cal.date(now))));
      out.add(Planning.run(database, c, set.get(), dates, clock));
    }
    return out;
  }

  /** What one pass of the plan job did: the plans, and the day now planned per "connection/rep". */
  public record PlanPass(List<Planning.Result> results, Map<String, LocalDate> planned) {
    public PlanPass {
      results = List.copyOf(results);
      planned = Map.copyOf(planned);
    }
  }

  /**
   * The plan job's pass: plans every rep whose local plan time has passed and whose next working day
   * is not planned yet ({@code planned}: the day last planned per "connection/rep", as the previous
   * pass returned it), each for that rep's own next working day, so every rep is planned once per
   * local evening whatever zone the rep works in.
   */
  public PlanPass planDue(Map<String, LocalDate> planned) {
    var set = inForce("plan");
    if (set.isEmpty()) {
      return new PlanPass(List.of(), planned);
    }
    var now = clock.instant();
    var routing = Planning.routing(set.get());
    var next = new java.util.HashMap<>(planned);
    var out = new ArrayList<Planning.Result>();
    for (var c : selected(Optional.empty())) {
      var dates = new java.util.HashMap<String, LocalDate>();
      var source = new MirrorContextSource(database, c.name(), now);
      for (var rep : DayPlanner.reps(source)) {
        var calendar = routing.calendar(rep);
        if (calendar.isEmpty()) {
          continue;
        }
        var key = c.name() + "/" + rep.id();
        PlanSchedule.due(now, calendar.get(), routing.repDay(rep).planAt(), Optional.ofNullable(planned.get(key)))
            .ifPresent(d -> dates.put(rep.id(), d));
      }
      if (dates.isEmpty()) {
        continue;
      }
      out.add(Planning.run(database, c, set.get(), dates, clock));
      dates.forEach((rep, d) -> next.put(c.name() + "/" + rep, d));
      log.info("event=plan_due connection={} reps={} days={}", c.name(), dates.size(), new java.util.TreeMap<>(dates));
    }
    // a week's memory is enough to plan each rep once per evening
    next.values().removeIf(d -> d.isBefore(LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(7)));
    return new PlanPass(out, next);
  }

  /** The next weekday after today (UTC); {@link #planNext} plans each rep's own next working day. */
  public LocalDate nextWorkday() {
    return Planning.nextWorkday(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
  }

  /** One rep's plan for {@code day}, found in the first connection that knows the rep, queued unless {@code dryRun}. */
  public Optional<RepDay> planRep(String rep, LocalDate day, Optional<String> connection, boolean dryRun) {
    return planRep(rep, Optional.of(day), connection, dryRun);
  }

  /**
   * One rep's plan for {@code day}, or without one for the rep's own next working day in the rep's
   * zone, found in the first connection that knows the rep, queued unless {@code dryRun}.
   */
  public Optional<RepDay> planRep(String rep, Optional<LocalDate> day, Optional<String> connection, boolean dryRun) {
    var set = inForce("plan");
    if (set.isEmpty()) {
      throw new IllegalStateException("no rule set is in force: " + problemsLine());
    }
    var routing = Planning.routing(set.get());
    var now = clock.instant();
    for (var c : selected(connection)) {
      if (!dryRun && !consistent(c, "plan")) {
        throw new IllegalStateException("the mirror of " + c.name() + " is not complete, so no plan is written from it: "
            + readiness(c.name()).blocked().orElse("") + "; let the pull finish (salesos sync) or plan with --dry-run");
      }
      var source = new MirrorContextSource(database, c.name(), now);
      var owner = DayPlanner.reps(source).stream().filter(o -> o.id().equals(rep)).findFirst();
      var calendar = owner.flatMap(routing::calendar);
      if (owner.isEmpty() || (day.isEmpty() && calendar.isEmpty())) {
        continue;
      }
      var date = day.orElseGet(() -> calendar.get().nextWorkday(calendar.get().date(now)));
      var plans = new DayPlanner(routing, Planning.ITERATIONS, 42).plan(source, date, now, Optional.of(rep));
      if (plans.isEmpty()) {
        continue;
      }
      int queued = dryRun ? 0 : new PlanWriter(database, clock).write(c, plans, set.get().writePolicy(), "plan-cli-" + date);
      return Optional.of(new RepDay(c.name(), plans.get(0), queued));
    }
    return Optional.empty();
  }

  /** A rep's planned day and how many writes it queued. */
  public record RepDay(String connection, DayPlanner.RepPlan plan, int queued) {}

  /** Every rule's verdict on one deal with the values it saw, from the first connection that holds it. */
  public Optional<String> explain(String dealId, Optional<String> connection) {
    var set = inForce("explain");
    if (set.isEmpty()) {
      throw new IllegalStateException("no rule set is in force: " + problemsLine());
    }
    var now = clock.instant();
    for (var c : selected(connection)) {
      // that deal's context only, as a run over that one deal reads it
      var parts = new io.salesos.evaluate.MirrorPartitions(database, c.name(), now, 1);
      var found = new ArrayList<io.salesos.rules.DealContext>();
      parts.deals(List.of(dealId), parts.owners(), p -> p.deal(dealId).ifPresent(found::add));
      var deal = found.stream().findFirst();
      if (deal.isPresent()) {
        return Optional.of(Explainer.explain(set.get(), deal.get(), now,
            sync.calendars().of(c.name()).map(io.salesos.sync.CrmCalendars.Stored::calendar)));
      }
    }
    return Optional.empty();
  }

  /**
   * One step of a connection's change stream (see {@link io.salesos.sync.StreamFollower}): applies
   * what arrived, pulls the objects the stream does not carry, and when anything changed evaluates
   * at once and drains the outbox (under the connector's rate limiter, as every push), recording the
   * change-to-flag latency of every streamed deal change whose deal was written. Does nothing for a
   * connection without a stream.
   */
  public StreamResult stream(String connection) {
    var applied = applyStream(connection);
    var step = applied.step();
    var affected = applied.affected();
    var c = connection(connection);
    if (affected.isEmpty()) {
      return new StreamResult(step, affected, List.of(), Optional.empty());
    }
    var t = applied.nanos();
    long t3 = System.nanoTime();
    // only the deals the changes can affect are evaluated; a fall-back to the pull evaluates them all
    // (lead, account and meeting rules run at the scheduled full evaluation)
    var runs = affected.everything() ? evaluate(Optional.of(c.name()))
        : evaluateDeals(c.name(), affected.dealIds(), false).map(List::of).orElse(List.<RulesRunner.RunResult>of());
    long t4 = System.nanoTime();
    var pushedFrom = clock.instant();
    var pushed = push();
    long t5 = System.nanoTime();
    recordLatency(c, step, pushedFrom);
    // where one batch's time went: read, resolved by id and applied; derived objects pulled; affected
    // deals found; evaluated (waiting for a pull or a full evaluation under way included); pushed
    log.info("event=stream_evaluated source={} changes={} affected_deals={} queued={} written={} step_ms={} derived_ms={}"
        + " affected_ms={} evaluate_ms={} push_ms={}", c.name(), step.changes(),
        affected.everything() ? "all" : Integer.toString(affected.dealIds().size()),
        runs.stream().mapToInt(RulesRunner.RunResult::queued).sum(), pushed.written(), t[0] / 1_000_000,
        t[1] / 1_000_000, t[2] / 1_000_000, (t4 - t3) / 1_000_000, (t5 - t4) / 1_000_000);
    return new StreamResult(step, affected, runs, Optional.of(pushed));
  }

  /**
   * The first half of {@link #stream}: reads one step of the connection's stream into the mirror,
   * pulls the objects the stream does not carry, and says which deals the changes can affect,
   * evaluating nothing (for a caller that evaluates them itself, or compares). The changes are what
   * the stream named, the rows the pull of the unstreamed objects wrote, and the deals whose amount
   * the conversion changed (see {@link AffectedDeals}); a fall-back to the pull affects every deal.
   */
  public StreamApplied applyStream(String connection) {
    var c = connection(connection);
    var since = clock.instant();
    long t0 = System.nanoTime();
    var step = sync.follower().step(c);
    long t1 = System.nanoTime();
    if (step.changes() == 0 && step.fellBack().isEmpty()) {
      return new StreamApplied(step, AffectedDeals.Scope.none(), new long[] {t1 - t0, 0, 0});
    }
    if (step.fellBack().isPresent()) {
      return new StreamApplied(step, AffectedDeals.Scope.all(), new long[] {t1 - t0, 0, 0});
    }
    var changed = new LinkedHashMap<String, java.util.Set<String>>();
    step.changed().forEach((k, v) -> changed.put(k, new java.util.TreeSet<>(v)));
    // what the pull of the unstreamed objects changed (a contact added to a deal, a stage history row,
    // a user), told record by record by the rows it wrote; that pull runs at most once a poll interval
    for (var s : sync.follower().pullUnstreamed(c, pollInterval)) {
      if (s.changed() > 0 || s.error().isPresent()) {
        var object = c.mapping().forCrmObject(s.crmObject()).map(io.salesos.mapping.ObjectMapping::canonicalObject)
            .orElse(s.crmObject());
        changed.computeIfAbsent(object, k -> new java.util.TreeSet<>())
            .addAll(AffectedDeals.syncedSince(database, c.name(), object, since));
      }
    }
    long t2 = System.nanoTime();
    // amounts converted again (the rates read anew, or a rate gone) change deals the stream never named
    if (sync.amounts().changedSince(c.name(), since)) {
      changed.computeIfAbsent(io.salesos.model.CanonicalSchema.DEAL, k -> new java.util.TreeSet<>())
          .addAll(AffectedDeals.syncedSince(database, c.name(), io.salesos.model.CanonicalSchema.DEAL, since));
    }
    var affected = AffectedDeals.of(database, c.name(), changed, Optional.of(since));
    return new StreamApplied(step, affected, new long[] {t1 - t0, t2 - t1, System.nanoTime() - t2});
  }

  /**
   * What a stream step applied and the deals its changes can affect, with where its time went
   * (nanoseconds: the stream read and apply, the pull of unstreamed objects, finding the affected deals).
   */
  public record StreamApplied(io.salesos.sync.StreamFollower.Step step, AffectedDeals.Scope affected, long[] nanos) {}

  /** What one stream step did: the step, the deals it affects, the evaluation and the push it caused. */
  public record StreamResult(io.salesos.sync.StreamFollower.Step step, AffectedDeals.Scope affected,
      List<RulesRunner.RunResult> runs, Optional<OutboxDrainer.DrainStats> pushed) {}

  /** The deals a set of changes (record ids per canonical object) of one connection can affect. */
  public AffectedDeals.Scope affectedDeals(String connection, Map<String, ? extends java.util.Collection<String>> changed) {
    return AffectedDeals.of(database, connection(connection).name(), changed);
  }

  private void recordLatency(CrmConnection c, io.salesos.sync.StreamFollower.Step step, java.time.Instant pushedFrom) {
    var deals = step.changed().getOrDefault(io.salesos.model.CanonicalSchema.DEAL, java.util.Set.of());
    if (deals.isEmpty()) {
      return;
    }
    var ids = List.copyOf(deals);
    try (var con = database.connection(); var ps = con.prepareStatement("SELECT record_id, MAX(written_at) FROM write_journal"
        + " WHERE source = ? AND outcome = 'written' AND written_at >= ? AND record_id IN ("
        + String.join(",", java.util.Collections.nCopies(ids.size(), "?")) + ") GROUP BY record_id")) {
      ps.setString(1, c.name());
      ps.setTimestamp(2, java.sql.Timestamp.from(pushedFrom.minusMillis(1)));
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(3 + i, ids.get(i));
      }
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var committed = step.committedAt().get(io.salesos.model.CanonicalSchema.DEAL + "/" + rs.getString(1));
          if (committed != null) {
            latency.record(c.name(), Duration.between(committed, rs.getTimestamp(2).toInstant()));
          }
        }
      }
    } catch (java.sql.SQLException e) {
      log.warn("event=latency_not_recorded source={} reason=\"{}\"", c.name(), e.getMessage());
    }
  }

  private final ChangeLatency latency = new ChangeLatency();

  /**
   * Whether the scheduled poll of a connection should run now: less often (poll interval times
   * {@code sync.stream_poll_factor}) while its change stream is healthy, as usual otherwise.
   */
  public boolean pollDue(String connection) {
    return sync.follower().pollDue(connection(connection), pollInterval, streamPollFactor);
  }

  /** Change-to-flag latency per connection, as this daemon measured it. */
  public ChangeLatency latency() {
    return latency;
  }

  /** Sends every due outbox row under the allow-list in force now; nothing while no rule set is in force. */
  public OutboxDrainer.DrainStats push() {
    // one drain at a time in this process: the push job and the stream's push on arrival read the same
    // due rows, and two drains side by side each sent and journalled them (a write made twice)
    pushing.lock();
    try {
      return drainer.drain(connections, drainLimit);
    } finally {
      pushing.unlock();
    }
  }

  private final java.util.concurrent.locks.ReentrantLock pushing = new java.util.concurrent.locks.ReentrantLock();

  /** The nightly full compare of the mirror with each CRM (or one). */
  public List<CrmCompare.Result> compare(Optional<String> connection) {
    return sync.compare(connection);
  }

  /**
   * Queues the before-images of every write a run made (records it created are deleted), as
   * writes of their own, journalled under a new run; then pushes them and pulls the echo.
   */
  public RollbackResult rollback(String runId, String actor) {
    var entries = journal.ofRun(runId).stream().filter(e -> e.outcome().equals(JournalEntry.WRITTEN)).toList();
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("run " + runId + " wrote nothing that can be rolled back (see the write_journal table)");
    }
    var rollbackRun = "rollback-" + runId;
    var queue = new ArrayList<OutboxEntry>();
    // newest first, so a record written twice in the run ends at its oldest before-image
    for (int i = entries.size() - 1; i >= 0; i--) {
      var e = entries.get(i);
      var c = connection(e.source());
      var mapping = c.mapping().forCrmObject(e.crmObject()).orElseThrow();
      var key = "rollback:" + e.id();
      if (e.op().equals(Write.Op.UPSERT.name()) && e.before().isEmpty()) {
        queue.add(OutboxEntry.queued(key, e.source(), e.crmObject(), mapping.canonicalObject(), e.recordId(),
            Write.Op.DELETE, WriteKind.ROLLBACK, Map.of(), Map.of(), e.ruleId(), e.ruleHash(), Optional.of(rollbackRun), actor));
      } else if (e.op().equals(Write.Op.DELETE.name()) && !e.before().isEmpty()) {
        // a withdrawn task salesos deleted: created again as it was, under its own key
        queue.add(OutboxEntry.queued(key, e.source(), e.crmObject(), mapping.canonicalObject(), Optional.empty(),
            Write.Op.UPSERT, WriteKind.ROLLBACK, e.before(), Map.of(), e.ruleId(), e.ruleHash(), Optional.of(rollbackRun), actor));
      } else if (!e.before().isEmpty()) {
        // decided on the values the run wrote: a field someone changed since is a conflict, settled by policy
        var expected = new HashMap<String, Object>();
        e.before().keySet().forEach(f -> expected.put(f, e.after().get(f)));
        queue.add(OutboxEntry.queued(key, e.source(), e.crmObject(), mapping.canonicalObject(), e.recordId(),
            Write.Op.UPDATE, WriteKind.ROLLBACK, e.before(), expected, e.ruleId(), e.ruleHash(), Optional.of(rollbackRun), actor));
      }
    }
    // held to the allow-list in force; with none in force nothing is pushed, so the rows wait as queued
    int queued = rules.allowList().map(allow -> outbox.enqueue(queue, allow)).orElseGet(() -> outbox.enqueue(queue));
    var stats = push();
    pull(Optional.empty());
    log.info("event=rollback run={} queued={} written={} failed={}", runId, queued, stats.written(), stats.failed() + stats.dead());
    return new RollbackResult(rollbackRun, queued, stats);
  }

  /** What a rollback did. */
  public record RollbackResult(String runId, int queued, OutboxDrainer.DrainStats stats) {}

  private Optional<RuleSet> inForce(String step) {
    var set = rules.current();
    if (set.isEmpty()) {
      log.warn("event=rules_skipped step={} reason=\"no rule set has loaded as a whole yet\" problems={} first=\"{}\"", step,
          rules.problems().size(), problemsLine());
    }
    return set;
  }

  private String problemsLine() {
    return rules.problems().isEmpty() ? "none reported" : rules.problems().get(0).toString();
  }

  private List<CrmConnection> selected(Optional<String> connection) {
    if (connection.isPresent()) {
      return List.of(connection(connection.get()));
    }
    return List.copyOf(connections.values());
  }

  public CrmConnection connection(String name) {
    var c = connections.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no connection named '" + name + "'; configured: " + connections.keySet());
    }
    return c;
  }

  public List<CrmConnection> connections() {
    return List.copyOf(connections.values());
  }

  public LiveRuleSet rules() {
    return rules;
  }

  public SyncEngine sync() {
    return sync;
  }

  public MirrorStore mirror() {
    return sync.mirror();
  }

  public OutboxStore outbox() {
    return outbox;
  }

  public ConflictStore conflicts() {
    return conflicts;
  }

  public Journal journal() {
    return journal;
  }

  public Database database() {
    return database;
  }

  public Clock clock() {
    return clock;
  }

  @Override
  public void close() {
    rules.close();
  }
}
