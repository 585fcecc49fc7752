package io.salesos.sync;

import io.salesos.journal.Journal;
import io.salesos.journal.JournalEntry;
import io.salesos.mirror.Database;
import io.salesos.mirror.MirrorSchema;
import io.salesos.mirror.MirrorStore;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxDrainer;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.outbox.WriteKind;
import io.salesos.spi.Write;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The both-way mirror for a set of CRM connections: pulls every mapped object into MariaDB, drains
 * the outbox back to the CRMs, and rolls a run's writes back from the journal. The same engine
 * wraps every connector alike.
 */
public final class SyncEngine {

  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

  private final Database database;
  private final Map<String, CrmConnection> connections;
  private final MirrorStore mirror;
  private final OutboxStore outbox;
  private final Journal journal;
  private final Puller puller;
  private final OutboxDrainer drainer;
  private final Clock clock;

  /**
   * Tuning of the engine. {@code pullLanes} is how many objects are pulled side by side when a
   * connector can be called from several threads ({@link io.salesos.spi.Connector#concurrentCalls()}).
   */
  public record Settings(int pullBatch, int maxBatchesPerPull, int maxAttempts, Duration backoff, int drainLimit,
      int pullLanes) {

    public static final int DEFAULT_PULL_LANES = 2;

    public Settings {
      if (pullLanes < 1) {
        throw new IllegalArgumentException("pullLanes must be at least 1, was " + pullLanes);
      }
    }

    public Settings(int pullBatch, int maxBatchesPerPull, int maxAttempts, Duration backoff, int drainLimit) {
      this(pullBatch, maxBatchesPerPull, maxAttempts, backoff, drainLimit, DEFAULT_PULL_LANES);
    }

    public static Settings defaults() {
      return new Settings(2000, 10_000, 8, Duration.ofSeconds(30), 50_000);
    }
  }

  public SyncEngine(Database database, List<CrmConnection> connections, AllowList allowList, ConflictPolicy conflicts,
      Settings settings, Clock clock) {
    this.database = database;
    var byName = new LinkedHashMap<String, CrmConnection>();
    connections.forEach(c -> byName.put(c.name(), c));
    this.connections = byName;
    this.clock = clock;
    this.mirror = new MirrorStore(database, clock);
    this.outbox = new OutboxStore(database, clock);
    this.journal = new Journal(database, clock);
    this.puller = new Puller(mirror, settings.pullBatch(), locks);
    this.drainer = new OutboxDrainer(database, outbox, journal, mirror, puller, allowList, conflicts,
        settings.maxAttempts(), settings.backoff(), clock);
    this.maxBatches = settings.maxBatchesPerPull();
    this.pullBatch = settings.pullBatch();
    this.drainLimit = settings.drainLimit();
    this.pullLanes = settings.pullLanes();
    var schema = new MirrorSchema(database, clock);
    var readWriteColumns = new LinkedHashMap<String, Map<String, io.salesos.model.FieldType>>();
    for (var c : connections) {
      schema.ensure(c.mapping().columns(), c.mapping().file());
      if (c.readWrite()) {
        c.mapping().columns().forEach((object, cols) -> readWriteColumns.computeIfAbsent(object, k -> new LinkedHashMap<>()).putAll(cols));
      }
    }
    readWriteColumns.forEach((object, cols) -> io.salesos.mirror.LocalEditTriggers.install(database, object, cols));
  }

  private final int maxBatches;
  private final int pullBatch;
  private final int drainLimit;
  private final int pullLanes;
  private final ObjectLocks locks = new ObjectLocks();

  /**
   * Pulls every mapped object of every connection (or of one), answering in mapping order. Up to
   * {@code pullLanes} pulls run side by side: the objects of a connector that can be called from
   * several threads each on a lane of their own, those of any other connector one after another
   * on one lane. Each object still lands batch by batch with its own checkpoint, so a crash in the
   * middle replays at most one batch per object.
   */
  public List<Puller.PullStats> pullAll(Optional<String> onlyConnection) {
    var tasks = new ArrayList<java.util.concurrent.Callable<List<Puller.PullStats>>>();
    for (var c : connections.values()) {
      if (onlyConnection.isPresent() && !onlyConnection.get().equals(c.name())) {
        continue;
      }
      if (c.connector().concurrentCalls()) {
        for (var m : c.mapping().objects()) {
          tasks.add(() -> List.of(puller.pull(c, m, maxBatches)));
        }
      } else {
        tasks.add(() -> c.mapping().objects().stream().map(m -> puller.pull(c, m, maxBatches)).toList());
      }
    }
    var out = new ArrayList<Puller.PullStats>();
    if (pullLanes == 1 || tasks.size() <= 1) {
      for (var t : tasks) {
        out.addAll(call(t));
      }
      return out;
    }
    var lanes = java.util.concurrent.Executors.newFixedThreadPool(Math.min(pullLanes, tasks.size()), pullLaneThreads());
    try {
      // every lane runs to its end before a failure is reported, so no pull outlives this call
      var done = lanes.invokeAll(tasks);
      RuntimeException failure = null;
      for (var f : done) {
        try {
          out.addAll(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          var cause = e.getCause() instanceof RuntimeException r ? r
              : new IllegalStateException("a pull failed: " + e.getCause(), e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pulling", e);
    } finally {
      lanes.shutdownNow();
    }
  }

  private static <T> T call(java.util.concurrent.Callable<T> task) {
    try {
      return task.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.util.concurrent.ThreadFactory pullLaneThreads() {
    var n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      var t = new Thread(r, "salesos-pull-lane-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Pulls one CRM object of one connection. */
  public Puller.PullStats pull(String connection, String crmObject) {
    var c = connection(connection);
    var m = c.mapping().forCrmObject(crmObject).orElseThrow(
        () -> new IllegalArgumentException(connection + " maps no CRM object " + crmObject));
    return puller.pull(c, m, maxBatches);
  }

  /** The nightly full compare of every mapped object (or of one connection) with the CRM. */
  public List<Reconciler.Result> reconcile(Optional<String> onlyConnection) {
    var reconciler = new Reconciler(mirror, pullBatch, clock, locks);
    var out = new ArrayList<Reconciler.Result>();
    for (var c : connections.values()) {
      if (onlyConnection.isEmpty() || onlyConnection.get().equals(c.name())) {
        for (var m : c.mapping().objects()) {
          out.add(reconciler.reconcile(c, m));
        }
      }
    }
    return out;
  }

  /** Sends every due outbox row. */
  public OutboxDrainer.DrainStats drain() {
    return drainer.drain(connections, drainLimit);
  }

  /**
   * Queues the before-images of every write a run made (records it created are deleted), as
   * writes of their own, journalled under a new run; then drains them.
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
      if (e.op().equals(Write.Kind.UPSERT.name()) && e.before().isEmpty()) {
        queue.add(OutboxEntry.queued(key, e.source(), e.crmObject(), mapping.canonicalObject(), e.recordId(),
            Write.Kind.DELETE, WriteKind.ROLLBACK, Map.of(), Map.of(), e.ruleId(), e.ruleHash(), Optional.of(rollbackRun), actor));
      } else if (!e.before().isEmpty()) {
        // decided on the values the run wrote: a field someone changed since is a conflict, settled by policy
        var expected = new java.util.HashMap<String, Object>();
        e.before().keySet().forEach(f -> expected.put(f, e.after().get(f)));
        queue.add(OutboxEntry.queued(key, e.source(), e.crmObject(), mapping.canonicalObject(), e.recordId(),
            Write.Kind.UPDATE, WriteKind.ROLLBACK, e.before(), expected, e.ruleId(), e.ruleHash(), Optional.of(rollbackRun), actor));
      }
    }
    int queued = outbox.enqueue(queue);
    var stats = drain();
    pullAll(Optional.empty());
    log.info("event=rollback run={} queued={} written={} failed={}", runId, queued, stats.written(), stats.failed() + stats.dead());
    return new RollbackResult(rollbackRun, queued, stats);
  }

  /** What a rollback did. */
  public record RollbackResult(String runId, int queued, OutboxDrainer.DrainStats stats) {}

  public CrmConnection connection(String name) {
    var c = connections.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no connection named '" + name + "'; configured: " + connections.keySet());
    }
    return c;
  }

  public Map<String, CrmConnection> connections() {
    return connections;
  }

  public MirrorStore mirror() {
    return mirror;
  }

  public OutboxStore outbox() {
    return outbox;
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
}
