package io.salesos.daemon.engine;

import io.salesos.config.YamlNode;
import io.salesos.hubspot.HubSpotConnectorProvider;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.mapping.Mapping;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.salesforce.SalesforceConnectorProvider;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.spi.ConnectorContext;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.Write;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/** What the engine's hard tests share: a small HubSpot mapping, config files for child daemons, child JVMs, mirror reads. */
final class EngineFixtures {

  private EngineFixtures() {}

  /** Deals and tasks only: enough for a load, a push and a conflict, without the per-deal history calls. */
  static final String HUBSPOT_MAPPING = """
      crm: hubspot
      objects:
        - crm_object: deals
          canonical: deal
          fields:
            dealname: name
            amount: amount
            salesos_flags: salesos_flags
        - crm_object: tasks
          canonical: activity
          constants:
            kind: task
          fields:
            hs_task_subject: subject
            hs_timestamp: due_date
            salesos_key: salesos_key
      """;

  static Mapping hubspotMapping() {
    return Mapping.from(YamlNode.parse("engine-test-hubspot.yaml", HUBSPOT_MAPPING));
  }

  /** An in-process connection to the sandbox, wrapped in the resilience layer with {@code resilience}. */
  static CrmConnection hubspotConnection(HubSpotSandbox sandbox, ResilienceSettings resilience, Map<String, String> extra) {
    var ctx = ConnectorContext.fromFlat("hubspot", sandbox.clock(), sandbox.connectionSettings(),
        Map.of("search_per_second", "100", "overlap_seconds", "2"), extra);
    try {
      var connector = new HubSpotConnectorProvider().create(ctx);
      return new CrmConnection("hubspot", "hubspot", new ResilientConnector(connector, resilience), hubspotMapping(), true);
    } catch (ConnectorException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An in-process connection to the Salesforce sandbox, re-reading one second before the server's
   * clock at each pull ({@code overlap_seconds}, 60 by default) so the tests' clock moves stay short.
   */
  static CrmConnection salesforceConnection(SalesforceSandbox sandbox, String mappingYaml) {
    var connector = new SalesforceConnectorProvider().create(ConnectorContext.fromFlat("salesforce", sandbox.clock(),
        sandbox.connectionSettings(), Map.of("overlap_seconds", "1")));
    return new CrmConnection("salesforce", "salesforce", new ResilientConnector(connector, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("engine-test-salesforce.yaml", mappingYaml)), true);
  }

  /** Closes what a test opened, in order, skipping what it never got to open. */
  static void closeAll(AutoCloseable... resources) {
    for (var r : resources) {
      if (r != null) {
        try {
          r.close();
        } catch (Exception e) {
          throw new IllegalStateException("could not close " + r + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /** A task upsert with a deterministic key, as a rule would queue it. */
  static OutboxEntry taskWrite(String key, String run) {
    var fields = new HashMap<String, Object>();
    fields.put("subject", "Follow up " + key);
    fields.put("due_date", "2026-12-01");
    return OutboxEntry.queued(key, "hubspot", "tasks", "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.TASK,
        fields, Map.of(), Optional.of("engine.test"), Optional.empty(), Optional.of(run), "rules");
  }

  /**
   * Writes a daemon configuration for the sandbox on an external schema of the shared test MariaDB:
   * the token goes to a file (secrets are references, never values), the mapping beside the config.
   */
  /**
   * A rule set that concludes nothing and lets the tests' own queued writes through: the push is
   * held to the rule set's allow-list, and with no rule set in force nothing would be pushed.
   */
  static final String PUSH_ONLY_POLICY = """
      writes: {flag: off, forecast: off, task: off, visit_plan: off}
      allow:
        deal: [salesos_flags, salesos_forecast_category]
        activity: [kind, subject, body, status, priority, due_date, start_at, end_at, owner_id, deal_id, account_id,
                   contact_id, salesos_key]
      """;

  static Path hubspotConfig(Path dir, HubSpotSandbox sandbox, String schema, String extraYaml) {
    try {
      Files.createDirectories(dir);
      var token = dir.resolve("hubspot-token");
      Files.writeString(token, sandbox.token());
      var mapping = dir.resolve("hubspot-mapping.yaml");
      Files.writeString(mapping, HUBSPOT_MAPPING);
      var rules = Files.createDirectories(dir.resolve("rules"));
      Files.writeString(rules.resolve("write-policy.yaml"), PUSH_ONLY_POLICY);
      var config = dir.resolve("salesos.yaml");
      Files.writeString(config, """
          database:
            url: %s
            user: %s
            password: {file: %s}
            pool_size: 4
          connections:
            - name: hubspot
              type: hubspot
              mapping: %s
              settings:
                base_url: %s
                tier: %s
                search_per_second: "100"
                overlap_seconds: "2"
              secrets:
                token: {file: %s}
          rules: %s
          admin:
            port: 0
          %s
          """.formatted(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.passwordFile(), mapping, sandbox.baseUrl(), sandbox.tier(), token, rules, extraYaml));
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JVM on the test classpath running {@code mainClass}, its stdout and stderr in {@code log}. */
  static Process startChild(Path log, Class<?> mainClass, String... args) {
    return startChild(log, List.of(), mainClass, args);
  }

  static Process startChild(Path log, List<String> jvmArgs, Class<?> mainClass, String... args) {
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        mainClass.getName()));
    command.addAll(List.of(args));
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> lines(Path log) {
    try {
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a line of {@code log} after line {@code from} matches; fails with the log's tail otherwise. */
  static int awaitLine(Path log, int from, Predicate<String> wanted, Duration timeout, Process process) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      var all = lines(log);
      for (int i = from; i < all.size(); i++) {
        if (wanted.test(all.get(i))) {
          return i;
        }
      }
      if (process != null && !process.isAlive()) {
        throw new AssertionError("the child exited (" + process.exitValue() + ") before the line came; log tail:\n" + tail(log));
      }
      sleep(50);
    }
    throw new AssertionError("no matching line within " + timeout + "; log tail:\n" + tail(log));
  }

  static String tail(Path log) {
    var all = lines(log);
    return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
  }

  /** Live mirror rows of one CRM object: id -> the value of {@code column}. */
  static Map<String, String> mirrored(String schema, String table, String crmObject, String column) {
    var out = new TreeMap<String, String>();
    try (var c = TestDatabases.connect(schema);
        var ps = c.prepareStatement("SELECT id, `" + column + "` FROM `" + table + "` WHERE crm_object = ? AND NOT deleted")) {
      ps.setString(1, crmObject);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    } catch (SQLException e) {
      if (e.getMessage().contains("doesn't exist")) {
        return out;
      }
      throw new IllegalStateException(e);
    }
    return out;
  }

  static long count(String schema, String sql) {
    try (var c = TestDatabases.connect(schema);
        var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Live sandbox records of a type: id -> the value of {@code property} (empty string when unset). */
  static Map<String, String> inSandbox(HubSpotSandbox sandbox, String type, String property) {
    var out = new TreeMap<String, String>();
    for (var id : sandbox.ids(type)) {
      out.put(id, sandbox.get(type, id).flatMap(o -> o.property(property)).orElse(""));
    }
    return out;
  }

  /** How many live tasks the sandbox holds per salesos_key. */
  static Map<String, Integer> tasksByKey(HubSpotSandbox sandbox) {
    var out = new HashMap<String, Integer>();
    inSandbox(sandbox, "tasks", "salesos_key").values().forEach(k -> out.merge(k, 1, Integer::sum));
    return out;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }
}
