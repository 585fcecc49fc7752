package io.salesos.sync;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.connection.CrmConnection;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.spi.ApiBudget;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pulls side by side: the objects of a thread-safe connector on lanes of their own, every call to
 * any other connector one at a time whichever job makes it, and one object never pulled twice at
 * once.
 */
class PullLanesTest {

  /** The engine tests' deals and tasks, and meetings, a second object on the activity table. */
  static final String MAPPING = SyncEngineTest.MAPPING + """
        - crm_object: meetings
          canonical: activity
          fields:
            subject: subject
          constants:
            kind: meeting
      """;

  Database db;
  MemoryCrm crm;
  Mapping mapping;

  @BeforeEach
  void setUp() {
    db = TestDatabases.fresh();
    crm = new MemoryCrm("mem");
    crm.pageLimit(20);
    mapping = Mapping.from(YamlNode.parse("memory.yaml", MAPPING));
    for (var object : List.of("deals", "tasks", "meetings")) {
      crm.save(object, IntStream.range(0, 150).mapToObj(i -> Map.<String, Object>of(
          object.equals("deals") ? "dealname" : "subject", object + " " + i)).toList());
    }
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  Pipeline engine(Connector connector, int lanes) {
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(connector, ResilienceSettings.fast()), mapping, true);
    return new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(50, 1000, 3, Duration.ZERO, 10_000, lanes), Clock.systemUTC());
  }

  @Test
  void theObjectsOfAThreadSafeConnectorArePulledSideBySide() throws SQLException {
    // every object's first page waits until another object's first page is asked for too
    var meet = new CyclicBarrier(2);
    var first = ConcurrentHashMap.<String>newKeySet();
    var watched = new Watched(crm, true) {
      @Override
      void before(String what) throws ConnectorException {
        if (what.startsWith("pull ") && first.add(what) && !what.equals("pull meetings")) {
          try {
            meet.await(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new ConnectorException(ConnectorException.Kind.PERMANENT, what + " was pulled alone");
          }
        }
      }
    };
    var stats = engine(watched, 2).pull(Optional.empty());

    assertThat(stats).extracting(Puller.PullStats::crmObject).containsExactly("deals", "tasks", "meetings");
    assertThat(stats).allSatisfy(s -> {
      assertThat(s.error()).isEmpty();
      assertThat(s.inserted()).isEqualTo(150);
    });
    assertThat(watched.mostAtOnce.get()).isGreaterThanOrEqualTo(2);
    assertThat(count("SELECT COUNT(*) FROM activity")).isEqualTo(300);
    assertThat(count("SELECT COUNT(*) FROM record_history")).isEqualTo(450);
  }

  @Test
  void aConnectorThatIsNotThreadSafeGetsOneCallAtATimeFromEveryJob() throws Exception {
    var watched = new Watched(crm, false);
    var engine = engine(watched, 4);
    var tasks = new ArrayList<OutboxEntry>();
    for (int i = 0; i < 60; i++) {
      tasks.add(OutboxEntry.queued("t-" + i, "mem", "tasks", "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.TASK,
          Map.of("subject", "Follow up " + i), Map.of(), Optional.of("r"), Optional.empty(),
          Optional.of("run-1"), "rules"));
    }
    engine.outbox().enqueue(tasks);
    // the pull, push and reconcile jobs of a daemon, all at once
    var jobs = Executors.newFixedThreadPool(3);
    try {
      var pulls = jobs.submit(() -> {
        for (int i = 0; i < 3; i++) {
          engine.pull(Optional.empty());
        }
        return null;
      });
      var push = jobs.submit(() -> engine.push());
      var reconcile = jobs.submit(() -> engine.compare(Optional.empty()));
      pulls.get(60, TimeUnit.SECONDS);
      assertThat(push.get(60, TimeUnit.SECONDS).written()).isEqualTo(60);
      assertThat(reconcile.get(60, TimeUnit.SECONDS)).allSatisfy(r -> assertThat(r.error()).isEmpty());
    } finally {
      jobs.shutdownNow();
    }
    assertThat(watched.threads).hasSizeGreaterThanOrEqualTo(3);
    assertThat(watched.mostAtOnce.get()).isEqualTo(1);
    engine.pull(Optional.empty());
    assertThat(count("SELECT COUNT(*) FROM activity WHERE crm_object = 'tasks' AND deleted = FALSE")).isEqualTo(210);
  }

  @Test
  void oneObjectIsNeverPulledByTwoThreadsAtOnce() throws Exception {
    var watched = new Watched(crm, true);
    var engine = engine(watched, 3);
    var jobs = Executors.newFixedThreadPool(3);
    try {
      var a = jobs.submit(() -> engine.pull(Optional.empty()));
      var b = jobs.submit(() -> engine.pull(Optional.empty()));
      var c = jobs.submit(() -> engine.compare(Optional.empty()));
      var inserted = new ArrayList<Integer>();
      for (var f : List.of(a, b)) {
        f.get(60, TimeUnit.SECONDS).forEach(s -> {
          assertThat(s.error()).isEmpty();
          inserted.add(s.inserted());
        });
      }
      int repaired = c.get(60, TimeUnit.SECONDS).stream().mapToInt(CrmCompare.Result::repaired).sum();
      // each record landed once, by whichever of the three reached its object first
      assertThat(inserted.stream().mapToInt(Integer::intValue).sum() + repaired).isEqualTo(450);
    } finally {
      jobs.shutdownNow();
    }
    assertThat(watched.mostOfOneObjectAtOnce.get()).isEqualTo(1);
    assertThat(watched.mostAtOnce.get()).isGreaterThanOrEqualTo(2);
    assertThat(count("SELECT COUNT(*) FROM record_history")).isEqualTo(450);
  }

  private long count(String sql) throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Counts calls in flight (overall and per pulled object), each call held open a moment. */
  static class Watched implements Connector {
    final MemoryCrm delegate;
    final boolean concurrent;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final AtomicInteger mostOfOneObjectAtOnce = new AtomicInteger();
    final Map<String, AtomicInteger> perObject = new ConcurrentHashMap<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    Watched(MemoryCrm delegate, boolean concurrent) {
      this.delegate = delegate;
      this.concurrent = concurrent;
    }

    void before(String what) throws ConnectorException {}

    interface Call<T> {
      T run() throws ConnectorException;
    }

    <T> T watch(String what, Optional<String> pulled, Call<T> call) throws ConnectorException {
      threads.add(Thread.currentThread().getName());
      before(what);
      mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      var mine = pulled.map(o -> perObject.computeIfAbsent(o, k -> new AtomicInteger()));
      mine.ifPresent(n -> mostOfOneObjectAtOnce.accumulateAndGet(n.incrementAndGet(), Math::max));
      try {
        Thread.sleep(2);
        return call.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConnectorException(ConnectorException.Kind.TRANSIENT, "interrupted");
      } finally {
        mine.ifPresent(AtomicInteger::decrementAndGet);
        inFlight.decrementAndGet();
      }
    }

    @Override
    public boolean concurrentCalls() {
      return concurrent;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public CrmSchema describe() throws ConnectorException {
      return watch("describe", Optional.empty(), delegate::describe);
    }

    @Override
    public PullBatch pull(PullRequest request) throws ConnectorException {
      return watch("pull " + request.crmObject(), Optional.of(request.crmObject()), () -> delegate.pull(request));
    }

    @Override
    public List<WriteResult> push(String crmObject, List<Write> writes) throws ConnectorException {
      return watch("push " + crmObject, Optional.empty(), () -> delegate.push(crmObject, writes));
    }

    @Override
    public Optional<List<RawRecord>> read(String crmObject, List<String> fields, List<String> ids) throws ConnectorException {
      return watch("read " + crmObject, Optional.empty(), () -> delegate.read(crmObject, fields, ids));
    }

    @Override
    public int maxWriteBatch() {
      return delegate.maxWriteBatch();
    }

    @Override
    public ApiBudget limits() {
      return delegate.limits();
    }
  }
}
