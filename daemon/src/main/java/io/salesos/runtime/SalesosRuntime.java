package io.salesos.runtime;

import io.salesos.config.SalesosConfig;
import io.salesos.mirror.Database;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.connection.CrmConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything one salesos process runs on, opened from a configuration file: the mirror database,
 * the CRM connections and the pipeline over them. Closed in reverse order.
 */
public final class SalesosRuntime implements AutoCloseable {

  private final SalesosConfig config;
  private final Database database;
  private final List<CrmConnection> connections;
  private final Pipeline pipeline;
  private final Clock clock;

  private SalesosRuntime(SalesosConfig config, Database database, List<CrmConnection> connections, Pipeline pipeline,
      Clock clock) {
    this.config = config;
    this.database = database;
    this.connections = connections;
    this.pipeline = pipeline;
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
   * sandbox: true} connect with the settings of a running sandbox in {@code sandboxes} (by
   * connection name, as the sandbox gives them), or are skipped without one.
   */
  public static SalesosRuntime open(SalesosConfig config, Map<String, Map<String, String>> sandboxes,
      Function<String, String> env, Clock clock) {
    return open(config, openDatabase(config, env), sandboxes, env, clock);
  }

  /**
   * As {@link #open(SalesosConfig, Map, Function, Clock)}, over a database already open (the daemon
   * opens it first, retrying while it is unreachable); the runtime owns it from here and closes it.
   */
  public static SalesosRuntime open(SalesosConfig config, Database database, Map<String, Map<String, String>> sandboxes,
      Function<String, String> env, Clock clock) {
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
      // an org's own objects are described first: their relations (account.site_visits) are typed by their tables
      var relations = io.salesos.sync.CustomObjectSync.describeAll(database, connections, clock);
      var rules = LiveRuleSet.watching(config.rulesDir(),
          LiveRuleSet.vocabulary(connections.stream().map(CrmConnection::mapping).toList(), relations));
      var pipeline = new Pipeline(database, connections, rules, ConflictPolicy.defaults(), Pipeline.Settings.of(config),
          clock);
      return new SalesosRuntime(config, database, connections, pipeline, clock);
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

  /** The data path over this process's connections, with the live rule set of the configuration's rules folder. */
  public Pipeline pipeline() {
    return pipeline;
  }

  public Clock clock() {
    return clock;
  }

  @Override
  public void close() {
    pipeline.close();
    connections.forEach(CrmConnection::close);
    database.close();
  }
}
