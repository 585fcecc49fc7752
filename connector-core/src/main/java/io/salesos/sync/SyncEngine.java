package io.salesos.sync;

import io.salesos.mirror.LocalEditTriggers;
import io.salesos.model.FieldType;
import io.salesos.connection.CrmConnection;
import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.Database;
import io.salesos.mirror.MirrorSchema;
import io.salesos.mirror.MirrorStore;
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
 * The pull side of the mirror for a set of CRM connections: pulls every mapped object into
 * MariaDB (side by side where the connector allows), and compares the mirror with the CRM in full
 * at night. The same engine wraps every connector alike; the push is the outbox's.
 */
public final class SyncEngine {

  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

  private final Database database;
  private final Map<String, CrmConnection> connections;
  private final MirrorStore mirror;
  private final Puller puller;
  private final Clock clock;

  /**
   * Tuning of the pull: records per batch, batches per pull before it yields, and how many objects
   * are pulled side by side when a connector can be called from several threads ({@link
   * io.salesos.spi.Connector#concurrentCalls()}), and the stored size cap of a quarantined payload.
   */
  public record PullSettings(int pullBatch, int maxBatchesPerPull, int pullLanes, int quarantinePayloadBytes) {

    public PullSettings(int pullBatch, int maxBatchesPerPull, int pullLanes) {
      this(pullBatch, maxBatchesPerPull, pullLanes, MirrorStore.DEFAULT_QUARANTINE_PAYLOAD_BYTES);
    }

    public PullSettings {
      if (pullBatch < 1 || maxBatchesPerPull < 1) {
        throw new IllegalArgumentException("pullBatch and maxBatchesPerPull must be at least 1");
      }
      if (pullLanes < 1) {
        throw new IllegalArgumentException("pullLanes must be at least 1, was " + pullLanes);
      }
    }
  }

  public SyncEngine(Database database, List<CrmConnection> connections, PullSettings settings, Clock clock) {
    this.database = database;
    var byName = new LinkedHashMap<String, CrmConnection>();
    connections.forEach(c -> byName.put(c.name(), c));
    this.connections = byName;
    this.clock = clock;
    this.mirror = new MirrorStore(database, clock, settings.quarantinePayloadBytes());
    this.progress = new PullProgress(database, clock);
    this.pauses = new Pauses(database, clock);
    this.calendars = new CrmCalendars(database, clock);
    this.puller = new Puller(mirror, settings.pullBatch(), locks, progress);
    this.maxBatches = settings.maxBatchesPerPull();
    this.pullBatch = settings.pullBatch();
    this.pullLanes = settings.pullLanes();
    this.amounts = new io.salesos.currency.AmountConversion(database, clock);
    var schema = new MirrorSchema(database, clock);
    var readWriteColumns = new LinkedHashMap<String, Map<String, FieldType>>();
    this.customObjects = new CustomObjectSync(new io.salesos.mirror.CustomTables(database, clock), clock);
    for (var c : connections) {
      schema.ensure(c.mapping().columns(), c.mapping().file());
      // an org's own objects count for the watermark too: rules read them through their relations
      var registered = new ArrayList<String>(c.mapping().objects().stream().map(ObjectMapping::crmObject).toList());
      c.mapping().customObjects().forEach(o -> registered.add(o.crmObject()));
      progress.register(c.name(), registered);
      if (c.readWrite()) {
        c.mapping().columns().forEach((object, cols) -> readWriteColumns.computeIfAbsent(object, k -> new LinkedHashMap<>()).putAll(cols));
      }
    }
    readWriteColumns.forEach((object, cols) -> LocalEditTriggers.install(database, object, cols));
    this.follower = new StreamFollower(mirror, new StreamPositions(database, clock), locks, pauses,
        name -> pullAll(Optional.of(name)), (c, m) -> puller.pull(c, m, maxBatches), STREAM_ENTRIES_PER_READ, clock,
        this::convertDeals, new io.salesos.journal.Journal(database, clock));
  }

  /** Journal entries (or stream events) read per step of a change stream. */
  static final int STREAM_ENTRIES_PER_READ = 50;
  private final StreamFollower follower;

  /** Follows the connections' change streams (for connectors that offer one). */
  public StreamFollower follower() {
    return follower;
  }

  private final CustomObjectSync customObjects;
  private final int maxBatches;
  private final int pullBatch;
  private final int pullLanes;
  private final ObjectLocks locks = new ObjectLocks();
  private final Pauses pauses;
  private final CrmCalendars calendars;
  private final PullProgress progress;
  private final io.salesos.currency.AmountConversion amounts;

  /**
   * Pulls every mapped object of every connection (or of one), answering in mapping order. Up to
   * {@code pullLanes} pulls run side by side: the objects of a connector that can be called from
   * several threads each on a lane of their own, those of any other connector one after another
   * on one lane. Each object still lands batch by batch with its own checkpoint, so a crash in the
   * middle replays at most one batch per object.
   */
  public List<Puller.PullStats> pullAll(Optional<String> onlyConnection) {
    var out = pullEach(onlyConnection);
    convertAmounts(out.stream().map(Puller.PullStats::source).distinct().toList(), false);
    return out;
  }

  /**
   * Reads each named connection's exchange rates when due and converts its deals' amounts to its
   * corporate currency (see {@link io.salesos.currency.AmountConversion}); a connection whose
   * rates cannot be read or converted is logged and keeps its amounts, the others go on.
   */
  private void convertAmounts(List<String> sources, boolean force) {
    for (var name : sources) {
      var c = connections.get(name);
      if (c == null) {
        continue;
      }
      try {
        amounts.refreshAndConvert(c, force);
      } catch (RuntimeException e) {
        log.warn("event=amount_conversion_failed source={} reason=\"{}\"", name, e.getMessage());
      }
    }
  }

  /**
   * Converts the amounts of the deals a streamed batch changed with the rates known (read at most
   * every {@link io.salesos.currency.AmountConversion#REFRESH}); every deal when those rates changed
   * since the connection's deals were last all converted.
   */
  private void convertDeals(String source, java.util.Set<String> dealIds) {
    var c = connections.get(source);
    if (c == null) {
      return;
    }
    try {
      amounts.refresh(c, false);
      if (amounts.ratesChangedSinceFullConversion(c)) {
        // new rates (or a rate gone) change deals the batch never named: every deal is converted again
        amounts.convert(c);
      } else if (!dealIds.isEmpty()) {
        amounts.convert(c, dealIds);
      }
    } catch (RuntimeException e) {
      log.warn("event=amount_conversion_failed source={} reason=\"{}\"", source, e.getMessage());
    }
  }

  /** The amount conversion of this engine's connections (rates, unconverted deals). */
  public io.salesos.currency.AmountConversion amounts() {
    return amounts;
  }

  private List<Puller.PullStats> pullEach(Optional<String> onlyConnection) {
    var tasks = new ArrayList<java.util.concurrent.Callable<List<Puller.PullStats>>>();
    var paused = pauses.paused();
    for (var c : connections.values()) {
      if (onlyConnection.isPresent() && !onlyConnection.get().equals(c.name())) {
        continue;
      }
      if (paused.containsKey(c.name())) {
        log.info("event=pull_skipped source={} reason=\"{}\"", c.name(), paused.get(c.name()).describe());
        continue;
      }
      calendars.refresh(c);
      var objects = pulledObjects(c);
      if (c.connector().concurrentCalls()) {
        for (var m : objects) {
          tasks.add(() -> List.of(puller.pull(c, m, maxBatches)));
        }
      } else {
        tasks.add(() -> objects.stream().map(m -> puller.pull(c, m, maxBatches)).toList());
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

  /**
   * The objects a pull of {@code c} reads: its canonical objects, then its custom objects as last
   * described (described again every {@link CustomObjectSync#DESCRIBE_EVERY}); a custom object
   * left out has its reason recorded as its pull error, for the status page and {@code schema verify}.
   */
  private List<ObjectMapping> pulledObjects(CrmConnection c) {
    var out = new ArrayList<>(c.mapping().objects());
    if (!c.mapping().customObjects().isEmpty()) {
      var resolved = customObjects.current(c);
      out.addAll(resolved.pullable());
      resolved.problems().forEach((object, reason) -> mirror.recordPullError(c.name(), object, reason));
    }
    return out;
  }

  /** Reads the describe of every connection with custom objects now (or of one), bringing their tables in step. */
  public Map<String, CustomObjectSync.Resolved> describeCustomObjects(Optional<String> onlyConnection) {
    var out = new LinkedHashMap<String, CustomObjectSync.Resolved>();
    for (var c : connections.values()) {
      if ((onlyConnection.isEmpty() || onlyConnection.get().equals(c.name())) && !c.mapping().customObjects().isEmpty()) {
        out.put(c.name(), customObjects.refresh(c));
      }
    }
    return out;
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
    var pause = pauses.of(c.name());
    if (pause.isPresent()) {
      throw new IllegalStateException(c.name() + " is " + pause.get().describe() + "; resume it first (salesos sync --resume "
          + c.name() + ")");
    }
    var m = c.mapping().forCrmObject(crmObject)
        .or(() -> customObjects.current(c).pullable().stream().filter(o -> o.crmObject().equals(crmObject)).findFirst())
        .orElseThrow(() -> new IllegalArgumentException(connection + " maps no CRM object " + crmObject));
    var stats = puller.pull(c, m, maxBatches);
    convertAmounts(List.of(c.name()), false);
    return stats;
  }

  /** The nightly full compare of every mapped object (or of one connection) with the CRM. */
  public List<CrmCompare.Result> compare(Optional<String> onlyConnection) {
    var reconciler = new CrmCompare(mirror, pullBatch, clock, locks);
    var out = new ArrayList<CrmCompare.Result>();
    var paused = pauses.paused();
    for (var c : connections.values()) {
      if (paused.containsKey(c.name())) {
        log.info("event=compare_skipped source={} reason=\"{}\"", c.name(), paused.get(c.name()).describe());
        continue;
      }
      if (onlyConnection.isEmpty() || onlyConnection.get().equals(c.name())) {
        for (var m : pulledObjects(c)) {
          out.add(reconciler.reconcile(c, m));
        }
        // the nightly compare re-reads the rates too: a rate edited in the CRM is seen that night at the latest
        convertAmounts(List.of(c.name()), true);
      }
    }
    return out;
  }

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

  /** How far each mapped object is pulled, and whether a connection's mirror may be evaluated. */
  /** The connections an admin paused. */
  /** The org calendars (fiscal year, default zone) the connections' CRMs reported. */
  public CrmCalendars calendars() {
    return calendars;
  }

  public Pauses pauses() {
    return pauses;
  }

  public PullProgress progress() {
    return progress;
  }

  public MirrorStore mirror() {
    return mirror;
  }

  public Database database() {
    return database;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * Refreshes one object from the CRM (a short incremental pull) so that the push checks its
   * updates against what the CRM holds now.
   */
  public void refresh(CrmConnection connection, ObjectMapping mapping) {
    puller.pull(connection, mapping, 50);
  }
}
