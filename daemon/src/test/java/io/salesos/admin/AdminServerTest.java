package io.salesos.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.testing.TcpGate;
import io.salesos.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

  Database db;
  AdminServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    db = TestDatabases.fresh();
    server = AdminServer.start(db, new Metrics(db, List.of()), "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
    db.close();
  }

  @Test
  void metricsParseAsPrometheusTextAndTheOutboxDepthIsTheOutboxTable() throws Exception {
    var store = new OutboxStore(db, Clock.systemUTC());
    store.enqueue(IntStream.range(0, 7).mapToObj(i -> OutboxEntry.queued("k" + i, "hs", "tasks", "activity", Optional.empty(),
        Write.Op.UPSERT, WriteKind.TASK, Map.of("subject", "s" + i), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), "test")).toList());
    store.setStatus(store.byKey("k0").orElseThrow().id(), OutboxEntry.Status.DONE, "written");

    var body = get("/metrics");
    assertThat(body.statusCode()).isEqualTo(200);
    assertThat(body.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    var samples = parsePrometheus(body.body());
    assertThat(samples.get("salesos_outbox_depth")).isEqualTo((double) depthInTable());
    assertThat(samples.get("salesos_outbox_depth")).isEqualTo(6.0);
    assertThat(samples.get("salesos_outbox_rows{status=\"done\"}")).isEqualTo(1.0);
  }

  @Test
  void healthIs200WhenReadyAnd503WithTheReasonWhenNot() throws Exception {
    var ready = get("/health");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"ready\":true");
    try (var c = db.connection()) {
      c.createStatement().execute("INSERT INTO sync_checkpoint (source, crm_object, checkpoint, updated_at, last_error)"
          + " VALUES ('hs', 'deals', '{}', UTC_TIMESTAMP(), 'AUTHENTICATION: 401 the token was revoked')");
    }
    var health = get("/health");
    assertThat(health.statusCode()).as("not ready is 503, as a load balancer or a supervisor expects").isEqualTo(503);
    assertThat(health.body()).contains("\"ready\":false").contains("hs/deals: AUTHENTICATION: 401 the token was revoked");
  }

  @Test
  void healthStaysValidJsonWhenAReasonHoldsControlCharacters() throws Exception {
    var error = "RATE_LIMIT: \u0001bell\u0007 \u001b[31mred\u001b[0m \"quoted\" back\\slash\ttab\r\nnext \u2028line";
    try (var c = db.connection(); var st = c.prepareStatement("INSERT INTO sync_checkpoint"
        + " (source, crm_object, checkpoint, updated_at, last_error) VALUES ('hs', 'deals', '{}', UTC_TIMESTAMP(), ?)")) {
      st.setString(1, error);
      st.executeUpdate();
    }
    var body = get("/health").body();
    assertThat(body).doesNotContain("\u0001", "\u001b");
    var json = new ObjectMapper().readTree(body);
    assertThat(json.get("ready").asBoolean()).isFalse();
    assertThat(json.get("reasons").get(0).asText()).isEqualTo("hs/deals: " + error);
  }

  @Test
  void aLoopbackServerWithoutATokenKeepsItsPagesOpen() throws Exception {
    StatusPage.register(server, db, List.of("salesforce"), Clock.systemUTC(), Optional::empty);
    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(get("/").body()).doesNotContain("action=\"/drafts\"");
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void itListensOnLoopbackOnly() {
    assertThat(server.address()).startsWith("http://127.0.0.1:");
  }

  private long depthInTable() throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM outbox WHERE status IN ('pending','draft','held')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aDatabaseThatStopsAnsweringMakesHealthAndEveryPage503WithinSecondsAndHealth200WhenItIsBack() throws Exception {
    var schema = TestDatabases.newSchema();
    var server = TestDatabases.server();
    try (var gate = new TcpGate(server.port());
        var external = Database.external(TestDatabases.jdbcUrl(schema).replace(":" + server.port() + "/", ":" + gate.port() + "/"),
            TestDatabases.user(), TestDatabases.password(), 2);
        var admin = AdminServer.start(external, new Metrics(external, List.of()), "127.0.0.1", 0)) {
      StatusPage.register(admin, external, List.of("hs"), Clock.systemUTC(), Optional::empty);
      assertThat(get(admin, "/health").statusCode()).isEqualTo(200);
      assertThat(get(admin, "/metrics").statusCode()).isEqualTo(200);

      gate.cut();
      for (var path : List.of("/health", "/metrics", "/")) {
        long t0 = System.nanoTime();
        var answer = get(admin, path);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).as(path + " answers without waiting on the database")
            .isLessThan(java.time.Duration.ofSeconds(10));
        assertThat(answer.statusCode()).as(path).isEqualTo(503);
      }
      var health = new ObjectMapper().readTree(get(admin, "/health").body());
      assertThat(health.get("ready").asBoolean()).isFalse();
      assertThat(health.get("reasons").get(0).asText()).startsWith("database: unreachable");

      gate.restore();
      long end = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
      int status = 0;
      while (System.nanoTime() < end && (status = get(admin, "/health").statusCode()) != 200) {
        Thread.sleep(200);
      }
      assertThat(status).as("ready again once the database answers").isEqualTo(200);
      assertThat(get(admin, "/metrics").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aServerWhoseDaemonIsStillOpeningItsDatabaseAnswers503WithWhatItWaitsFor() throws Exception {
    try (var admin = AdminServer.starting("127.0.0.1", 0, AdminToken.none())) {
      admin.starting("database unreachable since 2026-12-03T13:00:00Z (attempt 3, retrying): connection refused");
      var health = get(admin, "/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(new ObjectMapper().readTree(health.body()).get("reasons").get(0).asText())
          .isEqualTo("database: database unreachable since 2026-12-03T13:00:00Z (attempt 3, retrying): connection refused");
      assertThat(get(admin, "/metrics").statusCode()).isEqualTo(503);

      admin.serve(db, new Metrics(db, List.of()));
      assertThat(get(admin, "/health").statusCode()).isEqualTo(200);
      assertThat(get(admin, "/metrics").statusCode()).isEqualTo(200);
    }
  }

  private HttpResponse<String> get(AdminServer admin, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(admin.address() + path)).timeout(java.time.Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.address() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A strict reader of the Prometheus text format: every non-comment line is NAME{LABELS} VALUE. */
  static Map<String, Double> parsePrometheus(String text) {
    var line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)$");
    var out = new HashMap<String, Double>();
    for (var l : text.split("\n")) {
      if (l.isBlank() || l.startsWith("#")) {
        assertThat(l.isBlank() || l.startsWith("# HELP ") || l.startsWith("# TYPE ")).as(l).isTrue();
        continue;
      }
      var m = line.matcher(l);
      assertThat(m.matches()).as("not Prometheus text: " + l).isTrue();
      out.put(m.group(1), Double.parseDouble(m.group(2).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
    }
    return out;
  }
}
