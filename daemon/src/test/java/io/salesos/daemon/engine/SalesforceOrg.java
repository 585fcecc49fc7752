package io.salesos.daemon.engine;

import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.pipeline.Pipeline;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.testing.SandboxConfig;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The small demo org in a Salesforce sandbox, run by a real runtime with the repository's Salesforce
 * mapping and a copy of the repository's rule files (which a test may edit) on a fresh schema.
 */
final class SalesforceOrg implements AutoCloseable {

  final SalesforceSandbox sandbox;
  final String schema;
  final Path config;
  final Path rules;
  SalesosRuntime runtime;

  private SalesforceOrg(SalesforceSandbox sandbox, String schema, Path config, Path rules) {
    this.sandbox = sandbox;
    this.schema = schema;
    this.config = config;
    this.rules = rules;
  }

  /** The small demo org as of now, with the repository's rule files, {@code write-policy.yaml} passed through {@code policy}. */
  static SalesforceOrg start(Path dir, UnaryOperator<String> policy) {
    return start(dir, Instant.now(), policy);
  }

  /** The small demo org as of {@code asOf} (the same instant gives the same org, record ids included), as above. */
  static SalesforceOrg start(Path dir, Instant asOf, UnaryOperator<String> policy) {
    var sandbox = SalesforceSandbox.builder().seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(asOf))).start();
    try {
      var root = Path.of("..").toAbsolutePath().normalize();
      var rules = Files.createDirectories(dir.resolve("rules"));
      try (var files = Files.list(root.resolve("rules"))) {
        for (var f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
          var text = Files.readString(f);
          Files.writeString(rules.resolve(f.getFileName()), f.getFileName().toString().equals("write-policy.yaml")
              ? policy.apply(text) : text);
        }
      }
      var schema = TestDatabases.newSchema();
      var config = SandboxConfig.on(schema).salesforceInProcess().rules(rules).writeInto(dir);
      var org = new SalesforceOrg(sandbox, schema, config, rules);
      org.runtime = SalesosRuntime.open(SalesosConfig.load(config), Map.of("salesforce", sandbox.connectionSettings()),
          System::getenv, Clock.systemUTC());
      return org;
    } catch (IOException | RuntimeException e) {
      sandbox.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  Pipeline pipeline() {
    return runtime.pipeline();
  }

  /** One daemon cycle: pull, evaluate, push, and the pull that brings the echo. */
  void cycle() {
    var p = pipeline();
    p.pull(Optional.empty());
    p.evaluate(Optional.empty());
    p.push();
    p.pull(Optional.empty());
  }

  /** Logs a completed call on a lead or contact, as a rep would in Salesforce; returns the call's id. */
  String logCall(String whoId) {
    return sandbox.createAsUser("Task", Map.of("WhoId", whoId, "Subject", "Intro call", "Type", "Call",
        "Status", "Completed", "ActivityDate", java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString()));
  }

  /** A record's fields as the API returns them; fails if the org has no such record. */
  Map<String, String> record(String id) {
    return sandbox.get(id).orElseThrow(() -> new AssertionError("no record " + id + " in the org"));
  }

  /** The tasks salesos created that stand in the org: Salesos_Key__c to status and subject, sorted. */
  static java.util.SortedMap<String, String> salesosTasks(SalesforceSandbox org) {
    var out = new java.util.TreeMap<String, String>();
    for (var id : org.ids("Task")) {
      var t = org.get(id).orElseThrow();
      var key = t.get("Salesos_Key__c");
      if (key != null && !key.isBlank()) {
        out.put(key, t.get("Status") + " " + t.get("Subject"));
      }
    }
    return out;
  }

  /** How many tasks the org holds per Salesos_Key__c (tasks without one left out). */
  static Map<String, Integer> tasksPerKey(SalesforceSandbox org) {
    var out = new java.util.TreeMap<String, Integer>();
    for (var id : org.ids("Task")) {
      var key = org.get(id).orElseThrow().get("Salesos_Key__c");
      if (key != null && !key.isBlank()) {
        out.merge(key, 1, Integer::sum);
      }
    }
    return out;
  }

  /** The flags salesos wrote on opportunities (Salesos_Flags__c), by opportunity id (those without flags left out). */
  static java.util.SortedMap<String, String> flags(SalesforceSandbox org) {
    var out = new java.util.TreeMap<String, String>();
    for (var id : org.ids("Opportunity")) {
      var v = org.get(id).orElseThrow().get("Salesos_Flags__c");
      if (v != null && !v.isBlank()) {
        out.put(id, v);
      }
    }
    return out;
  }

  /** Rows of a query on this org's schema, each as its columns joined by '|'. */
  List<String> rows(String sql) {
    var out = new ArrayList<String>();
    try (var c = TestDatabases.connect(schema); var rs = c.createStatement().executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        var row = new ArrayList<String>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getString(i));
        }
        out.add(String.join("|", row));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  @Override
  public void close() {
    EngineFixtures.closeAll(runtime, sandbox);
  }
}
