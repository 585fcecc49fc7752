package io.salesos.daemon.engine;

import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.mirror.CanonicalJson;
import io.salesos.pipeline.Pipeline;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.testing.SandboxConfig;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The small demo org in a HubSpot sandbox (no search lag), run by a real runtime with the
 * repository's HubSpot mapping and rule files on a fresh schema: the whole path a daemon runs.
 */
final class HubSpotOrg implements AutoCloseable {

  final HubSpotSandbox sandbox;
  final String schema;
  final Path config;
  SalesosRuntime runtime;

  private HubSpotOrg(HubSpotSandbox sandbox, String schema, Path config) {
    this.sandbox = sandbox;
    this.schema = schema;
    this.config = config;
  }

  static HubSpotOrg start(Path dir) {
    return start(dir, Instant.now());
  }

  /** The small demo org as of {@code asOf}: the same instant gives the same org, record ids included. */
  static HubSpotOrg start(Path dir, Instant asOf) {
    var sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ZERO).withoutRequestLog());
    sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(asOf)));
    var schema = TestDatabases.newSchema();
    var org = new HubSpotOrg(sandbox, schema, writeConfig(dir, schema));
    org.open();
    return org;
  }

  /** Opens the runtime (again, after {@link #closeRuntime}), as a restarted daemon would. */
  void open() {
    runtime = SalesosRuntime.open(SalesosConfig.load(config), Map.of("hubspot", sandbox.connectionSettings()), System::getenv,
        Clock.systemUTC());
  }

  void closeRuntime() {
    if (runtime != null) {
      runtime.close();
      runtime = null;
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

  /** Logs a completed call on a contact, as a rep would in HubSpot. */
  String logCall(String contactId) {
    var body = """
        {"properties": {"hs_call_title": "Intro call", "hs_call_status": "COMPLETED", "hs_timestamp": "%s"},
         "associations": [{"to": {"id": "%s"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}]}]}
        """.formatted(Instant.now().minusSeconds(60), contactId);
    try {
      var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/crm/v3/objects/calls"))
          .header("Authorization", "Bearer " + sandbox.token()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        throw new IllegalStateException("the sandbox refused the call: " + response.statusCode() + " " + response.body());
      }
      return CanonicalJson.read(response.body()).get("id").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The tasks salesos created that stand in the CRM: salesos_key to status and subject, sorted. */
  java.util.SortedMap<String, String> salesosTasks() {
    return salesosTasks(sandbox);
  }

  /** As {@link #salesosTasks()}, for any HubSpot sandbox (one a child daemon wrote into). */
  static java.util.SortedMap<String, String> salesosTasks(HubSpotSandbox sandbox) {
    var out = new java.util.TreeMap<String, String>();
    for (var id : sandbox.ids("tasks")) {
      var p = sandbox.get("tasks", id).orElseThrow().properties();
      var key = p.get("salesos_key");
      if (key != null && !key.isBlank()) {
        out.put(key, p.get("hs_task_status") + " " + p.get("hs_task_subject"));
      }
    }
    return out;
  }

  /** How many tasks a HubSpot sandbox holds per salesos_key (tasks without one left out). */
  static Map<String, Integer> tasksPerKey(HubSpotSandbox sandbox) {
    var out = new java.util.TreeMap<>(EngineFixtures.tasksByKey(sandbox));
    out.remove("");
    return out;
  }

  /** The flags salesos wrote on deals in the CRM, by deal id (deals without flags left out). */
  java.util.SortedMap<String, String> flags() {
    return flags(sandbox);
  }

  /** As {@link #flags()}, for any HubSpot sandbox. */
  static java.util.SortedMap<String, String> flags(HubSpotSandbox sandbox) {
    var out = new java.util.TreeMap<String, String>();
    for (var id : sandbox.ids("deals")) {
      var v = sandbox.get("deals", id).orElseThrow().properties().get("salesos_flags");
      if (v != null && !v.isBlank()) {
        out.put(id, v);
      }
    }
    return out;
  }

  /** Rows of a query on this org's schema, each as its columns joined by '|'. */
  List<String> rows(String sql) {
    var out = new ArrayList<String>();
    try (var c = java.sql.DriverManager.getConnection(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password());
        var rs = c.createStatement().executeQuery(sql)) {
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

  private static Path writeConfig(Path dir, String schema) {
    return SandboxConfig.on(schema).hubspotInProcess().writeInto(dir);
  }

  @Override
  public void close() {
    closeRuntime();
    sandbox.close();
  }
}
