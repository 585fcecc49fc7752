package io.salesos.launcher;

import io.salesos.cli.Home;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.mirror.EmbeddedMariaDb;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.runtime.Connections;
import io.salesos.spi.ConnectorContext;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both CRMs' latency runs share: salesos over a sandbox as the daemon runs it (a fresh schema
 * of the bench's embedded MariaDB, the connector wrapped in its rate limiter, the shipped mapping and
 * rules), its first cycle, and the daemon's poll schedule condensed into one thread.
 */
final class LatencyRig implements AutoCloseable {

  final Pipeline pipeline;
  private final String name;
  private final int pollSeconds;
  private final EmbeddedMariaDb server;
  private final Database db;
  private final CrmConnection connection;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger polls = new AtomicInteger();
  private Thread poller;

  /**
   * {@code crm} names the connector, mapping file and connection; {@code sandboxSettings} are the
   * sandbox's connection settings ({@code secret.} keys are secrets); {@code stream} the
   * {@code change_stream} setting.
   */
  LatencyRig(String crm, Map<String, String> sandboxSettings, String stream, int pollSeconds) throws Exception {
    this.name = crm;
    this.pollSeconds = pollSeconds;
    var mapping = Mapping.load(Home.dir().resolve("config").resolve("mappings").resolve(crm + ".yaml"));
    var rules = LiveRuleSet.of(LiveRuleSet.load(Home.dir().resolve("rules"), LiveRuleSet.vocabulary(List.of(mapping))));
    this.server = EmbeddedMariaDb.start(Home.var().resolve("bench-mariadb"), "salesos");
    try {
      var admin = server.adminCredentials();
      var schema = "bench_latency_" + System.nanoTime();
      try (var c = java.sql.DriverManager.getConnection(server.jdbcUrl("salesos"), admin.user(), admin.password())) {
        c.createStatement().execute("CREATE DATABASE `" + schema + "` CHARACTER SET utf8mb4");
      }
      var settings = new HashMap<String, String>();
      var secrets = new HashMap<String, String>();
      sandboxSettings.forEach((k, v) -> (k.startsWith("secret.") ? secrets : settings).put(k.replaceFirst("^secret\\.", ""), v));
      settings.put("change_stream", stream);
      // as the daemon wraps it: the rate limiter sized to the CRM's own budget
      var provider = Connections.provider(crm);
      var context = new ConnectorContext(crm, settings, secrets, Clock.systemUTC());
      var connector = new ResilientConnector(provider.create(context), ResilienceSettings.under(provider.rateBudget(context)));
      this.db = Database.external(server.jdbcUrl(schema), admin.user(), admin.password(), 6);
      this.connection = new CrmConnection(crm, crm, connector, mapping, true);
      this.pipeline = new Pipeline(db, List.of(connection), rules, ConflictPolicy.defaults(),
          new Pipeline.Settings(2000, 10_000, 8, Duration.ofSeconds(5), 50_000, 2, 64 * 1024,
              io.salesos.outbox.RunLimits.NONE, Duration.ofSeconds(pollSeconds), 10), Clock.systemUTC());
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  /** The first cycle, as the daemon's first minutes: load, evaluate, write back, read the echo. */
  void firstCycle() {
    pipeline.pull(Optional.empty());
    pipeline.evaluate(Optional.empty());
    pipeline.push();
    pipeline.pull(Optional.empty());
  }

  /** Starts the daemon's schedule, condensed: every poll interval a pull (when due), an evaluation and a push. */
  void startPolling() {
    poller = new Thread(this::pollLoop, "bench-poll");
    poller.setDaemon(true);
    poller.start();
  }

  /** How many safety-net polls (pulls with an evaluation) ran. */
  int polls() {
    return polls.get();
  }

  private void pollLoop() {
    while (!stop.get()) {
      try {
        Thread.sleep(pollSeconds * 1000L);
        if (pipeline.pollDue(name)) {
          polls.incrementAndGet();
          pipeline.pull(Optional.of(name));
          pipeline.evaluate(Optional.of(name));
        }
        pipeline.push();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (stop.get()) {
          return; // interrupted at the end of the run (a push waiting for its rate limiter)
        }
        System.out.println("  poll failed: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() throws Exception {
    stop.set(true);
    try {
      if (poller != null) {
        poller.interrupt();
        poller.join(30_000);
      }
    } finally {
      try (server; db; connection) {
        // closed in reverse order: the connection, the database, the server
      }
    }
  }
}
