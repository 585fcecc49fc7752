package io.salesos.runtime;

import io.salesos.config.SalesosConfig;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.spi.SandboxProvider;
import io.salesos.sync.CrmConnection;
import io.salesos.sync.SyncEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything one salesos process runs on, opened from a configuration file: the mirror database,
 * the CRM connections and the sync engine over them. Closed in reverse order.
 */
public final class SalesosRuntime implements AutoCloseable {

  private final SalesosConfig config;
  private final Database database;
  private final List<CrmConnection> connections;
  private final SyncEngine engine;
  private final Clock clock;

  private SalesosRuntime(SalesosConfig config, Database database, List<CrmConnection> connections, SyncEngine engine,
      Clock clock) {
    this.config = config;
    this.database = database;
    this.connections = connections;
    this.engine = engine;
    this.clock = clock;
  }

  /** Opens the database named by the configuration (embedded or external) and migrates it. */
  public static Database openDatabase(SalesosConfig config, Function<String, String> env) {
    var d = config.database();
    if (d.url().isPresent()) {
      var password = d.password().map(p -> p.resolve(env)).orElse("");
      return Database.external(d.url().get(), d.user(), password, d.poolSize());
    }
    return Database.embedded(d.embeddedDataDir().orElseThrow());
  }

  /**
   * Opens the database and every connection of the configuration. Connections marked {@code
   * sandbox: true} are served by {@code sandboxes} (by connection name), or skipped without one.
   */
  public static SalesosRuntime open(SalesosConfig config, Map<String, SandboxProvider.Sandbox> sandboxes,
      Function<String, String> env, Clock clock) {
    var database = openDatabase(config, env);
    var connections = new ArrayList<CrmConnection>();
    try {
      for (var c : config.connections()) {
        if (c.sandbox()) {
          var sandbox = sandboxes.get(c.name());
          if (sandbox != null) {
            connections.add(Connections.openSandbox(c, sandbox, clock));
          }
        } else {
          connections.add(Connections.open(c, env, clock));
        }
      }
      var s = config.sync();
      var engine = new SyncEngine(database, connections, allowList(config, connections), ConflictPolicy.defaults(),
          new SyncEngine.Settings(s.pullBatch(), 10_000, s.maxAttempts(), Duration.ofSeconds(s.backoffSeconds()), 50_000,
              s.pullLanes()), clock);
      return new SalesosRuntime(config, database, connections, engine, clock);
    } catch (RuntimeException e) {
      connections.forEach(CrmConnection::close);
      database.close();
      throw e;
    }
  }

  /**
   * The allow-list of rules/write-policy.yaml, so the drainer holds every write (rules', admins',
   * local edits') to the same list the ops team edits; the built-in default while the rule files
   * do not load (they are then reported by `salesos rules check` and the status page).
   */
  public static AllowList allowList(SalesosConfig config, List<CrmConnection> connections) {
    try {
      var rules = io.salesos.evaluate.RuleSets.load(config.rulesDir(), io.salesos.evaluate.RuleSets.vocabulary(connections));
      var allow = rules.writePolicy().allow();
      var deletable = allow.getOrDefault("activity", java.util.Set.of()).contains("salesos_key")
          ? java.util.Set.of("activity") : java.util.Set.<String>of();
      return new AllowList(allow, deletable);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(SalesosRuntime.class).warn(
          "event=allow_list_default reason=\"the rule files did not load: {}\"", e.getMessage().lines().findFirst().orElse(""));
      return AllowList.defaults();
    }
  }

  public SalesosConfig config() {
    return config;
  }

  public Database database() {
    return database;
  }

  public List<CrmConnection> connections() {
    return connections;
  }

  public SyncEngine engine() {
    return engine;
  }

  public Clock clock() {
    return clock;
  }

  @Override
  public void close() {
    connections.forEach(CrmConnection::close);
    database.close();
  }
}
