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
      var engine = new SyncEngine(database, connections, AllowList.defaults(), ConflictPolicy.defaults(),
          new SyncEngine.Settings(s.pullBatch(), 10_000, s.maxAttempts(), Duration.ofSeconds(s.backoffSeconds()), 50_000), clock);
      return new SalesosRuntime(config, database, connections, engine, clock);
    } catch (RuntimeException e) {
      connections.forEach(CrmConnection::close);
      database.close();
      throw e;
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
