package io.salesos.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
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
  void healthSaysReadyAndWhyNot() throws Exception {
    assertThat(get("/health").body()).contains("\"ready\":true");
    try (var c = db.connection()) {
      c.createStatement().execute("INSERT INTO sync_checkpoint (source, crm_object, checkpoint, updated_at, last_error)"
          + " VALUES ('hs', 'deals', '{}', UTC_TIMESTAMP(), 'AUTHENTICATION: 401 the token was revoked')");
    }
    var health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
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
