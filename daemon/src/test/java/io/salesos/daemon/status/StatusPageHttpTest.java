package io.salesos.daemon.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.admin.AdminServer;
import io.salesos.admin.AdminToken;
import io.salesos.admin.Metrics;
import io.salesos.admin.StatusPage;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.RuleSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status page over plain HTTP after a demo cycle: the headline names the padder, CRM text is escaped, actions need the token. */
class StatusPageHttpTest {

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void pageNamesTheRepWithTheBiggestForecastGapFirst() throws Exception {
    var cycle = DemoCycle.get();
    var padder = topPadder(cycle);

    var page = get(cycle.url("/"));

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("<strong class=\"padder\">" + padder + "</strong>");
    // the forecast table comes before everything else on the page
    assertThat(page.body().indexOf("class=\"forecast\"")).isLessThan(page.body().indexOf("id=\"tomorrow\""));
    assertThat(page.body()).doesNotContain("http://", "https://").as("no outside assets");
  }

  @Test
  void htmlFromACrmFieldIsEscaped() throws Exception {
    var cycle = DemoCycle.get();
    String id;
    String name;
    try (var c = cycle.database().connection(); var rs = c.createStatement().executeQuery(
        "SELECT id, name FROM owner WHERE source = 'salesforce' AND id IN (SELECT owner_id FROM account WHERE source = 'salesforce')"
            + " ORDER BY name LIMIT 1")) {
      rs.next();
      id = rs.getString(1);
      name = rs.getString(2);
    }
    var evil = "<script>alert('x')</script><img src=x onerror=alert(1)> & Co";
    setOwnerName(cycle, id, evil);
    try {
      var body = get(cycle.url("/?source=salesforce")).body();
      assertThat(body).doesNotContain("<script>alert", "<img src=x");
      assertThat(body).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; Co");
    } finally {
      setOwnerName(cycle, id, name);
    }
  }

  @Test
  void eachSourceHasItsOwnPageAndTheFirstIsTheDefault() throws Exception {
    var cycle = DemoCycle.get();
    var first = get(cycle.url("/")).body();
    var hubspot = get(cycle.url("/?source=hubspot")).body();

    assertThat(first).contains("<strong>salesforce</strong>").contains("href=\"/?source=hubspot\"");
    assertThat(hubspot).contains("<strong>hubspot</strong>").contains("href=\"/?source=salesforce\"");
  }

  @Test
  void eachSourceShowsItsWatermarkAndThatRulesRunOverItsCompleteMirror() throws Exception {
    var cycle = DemoCycle.get();
    var hubspot = get(cycle.url("/?source=hubspot")).body();
    assertThat(hubspot).containsPattern("Mirror complete up to: <strong>[^<]*\\d{2}:\\d{2} UTC</strong> · rules <span class=\"good\">run over it");

    // a pull that stops short holds the rules back, and the page says why
    try (var c = cycle.database().connection(); var ps = c.prepareStatement(
        "UPDATE pull_progress SET state = 'failed', reason = 'TRANSIENT: read timed out' WHERE source = 'hubspot' AND crm_object = 'deals'")) {
      ps.executeUpdate();
    }
    try {
      var waiting = get(cycle.url("/?source=hubspot")).body();
      assertThat(waiting).contains("wait: the latest pull of deals failed: TRANSIENT: read timed out");
      assertThat(get(cycle.url("/metrics")).body()).contains("salesos_evaluation_ready{source=\"hubspot\"} 0.0");
    } finally {
      cycle.runtime.pipeline().pull(java.util.Optional.of("hubspot"));
    }
    assertThat(get(cycle.url("/?source=hubspot")).body()).contains("run over it");
  }

  @Test
  void draftActionsAreRefusedWithoutAConfiguredTokenAndWithAWrongOne() throws Exception {
    var cycle = DemoCycle.get();
    var noToken = post(cycle.url("/drafts"), "id=1&action=approve&token=anything", Optional.empty());
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(get(cycle.url("/")).body()).doesNotContain("action=\"/drafts\"");

    var db = cycle.database();
    var token = "s3cret-" + "x".repeat(32);
    try (var admin = AdminServer.start(db, new Metrics(db, List.of()), "127.0.0.1", 0, AdminToken.of(Optional.of(token)))) {
      StatusPage.register(admin, db, List.of("salesforce", "hubspot"), Clock.systemUTC(),
          cycle.runtime.pipeline().rules()::current);
      long draft = firstDraft(cycle);
      assertThat(post(admin.address() + "/drafts", "id=" + draft + "&action=reject&token=wrong", Optional.empty()).statusCode())
          .as("a locked server refuses before the form is read").isEqualTo(401);
      assertThat(post(admin.address() + "/drafts", "id=" + draft + "&action=reject", Optional.of("wrong")).statusCode())
          .isEqualTo(401);
      assertThat(statusOf(cycle, draft)).isEqualTo("draft");
      var page = http.send(HttpRequest.newBuilder(URI.create(admin.address() + "/?source=hubspot"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.body()).contains("action=\"/drafts\"");

      var ok = post(admin.address() + "/drafts", "id=" + draft + "&action=reject", Optional.of(token));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("Rejected 1 draft");
      assertThat(statusOf(cycle, draft)).isEqualTo("rejected");
    }
  }

  @Test
  void theStallSectionCountsByTheStallRuleOfTheRuleSetInForce(@TempDir Path dir) throws Exception {
    var cycle = DemoCycle.get();
    var inForce = cycle.runtime.pipeline().rules().current().orElseThrow();
    // the repository's rules with the stall thresholds halved: the page must follow the copy
    try (var files = Files.list(Path.of("..", "rules"))) {
      for (var f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    var followUp = dir.resolve("follow-up.yaml");
    var yaml = Files.readString(followUp);
    assertThat(yaml).contains("? 56 : 42");
    Files.writeString(followUp, yaml.replace("? 56 : 42", "? 28 : 21"));
    var halved = LiveRuleSet.load(dir, inForce.vocabulary());

    var before = Instant.now();
    var asShipped = get(cycle.url("/?source=salesforce")).body();
    var shippedTotal = stallTotal(asShipped);
    assertThat(shippedTotal).isBetween(stalledBySql(cycle, before, 56, 42), stalledBySql(cycle, Instant.now(), 56, 42));
    assertThat(asShipped).contains("(rules/follow-up.yaml: stall.stage)");

    var db = cycle.database();
    try (var admin = AdminServer.start(db, new Metrics(db, List.of()), "127.0.0.1", 0)) {
      StatusPage.register(admin, db, List.of("salesforce"), Clock.systemUTC(), LiveRuleSet.of(halved)::current);
      before = Instant.now();
      var page = get(admin.address() + "/?source=salesforce").body();
      var total = stallTotal(page);
      assertThat(total).isBetween(stalledBySql(cycle, before, 28, 21), stalledBySql(cycle, Instant.now(), 28, 21))
          .isGreaterThan(shippedTotal);
      var recent = count(page, "Deals stalled in the last 72 hours \\((\\d+)\\)");
      assertThat(recent).isLessThanOrEqualTo(total);
      if (recent > 0) {
        assertThat(page).contains("stall.stage: Stalled ");
      }
    }
    try (var admin = AdminServer.start(db, new Metrics(db, List.of()), "127.0.0.1", 0)) {
      StatusPage.register(admin, db, List.of("salesforce"), Clock.systemUTC(), Optional::<RuleSet>empty);
      var page = get(admin.address() + "/?source=salesforce").body();
      assertThat(page).contains("No rule set is in force, so there is no stall rule to count by.")
          .doesNotContain("past the stall line");
    }
  }

  private static int stallTotal(String page) {
    return count(page, "(\\d+) open deals are past the stall line");
  }

  private static int count(String page, String regex) {
    var m = Pattern.compile(regex).matcher(page);
    assertThat(m.find()).as(regex).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** Open deals whose days in stage reach {@code early} (Prospecting, Qualification) or {@code late} days at {@code now}. */
  private static int stalledBySql(DemoCycle cycle, Instant now, int early, int late) throws SQLException {
    try (var c = cycle.database().connection(); var ps = c.prepareStatement("SELECT COUNT(*) FROM deal WHERE source = 'salesforce'"
        + " AND deleted = FALSE AND COALESCE(is_closed, FALSE) = FALSE"
        + " AND stage_entered_at <= CASE WHEN stage IN ('Prospecting','Qualification') THEN ? ELSE ? END")) {
      ps.setTimestamp(1, Timestamp.from(now.minus(Duration.ofDays(early))));
      ps.setTimestamp(2, Timestamp.from(now.minus(Duration.ofDays(late))));
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  static String topPadder(DemoCycle cycle) throws SQLException {
    try (var c = cycle.database().connection(); var rs = c.createStatement().executeQuery(
        "SELECT subject_name FROM forecast_snapshot WHERE level = 'rep' AND run_id = (SELECT run_id FROM forecast_snapshot"
            + " WHERE source = 'salesforce' ORDER BY taken_at DESC LIMIT 1) ORDER BY called_commit - adjusted_commit DESC,"
            + " subject_name LIMIT 1")) {
      assertThat(rs.next()).as("a forecast snapshot after the rules run").isTrue();
      return rs.getString(1);
    }
  }

  private static long firstDraft(DemoCycle cycle) throws SQLException {
    try (var c = cycle.database().connection(); var rs = c.createStatement().executeQuery(
        "SELECT MAX(id) FROM outbox WHERE status = 'draft'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("the demo's write policy leaves forecast changes as drafts").isPositive();
      return rs.getLong(1);
    }
  }

  private static String statusOf(DemoCycle cycle, long id) throws SQLException {
    try (var c = cycle.database().connection(); var ps = c.prepareStatement("SELECT status FROM outbox WHERE id = ?")) {
      ps.setLong(1, id);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static void setOwnerName(DemoCycle cycle, String id, String name) throws SQLException {
    try (var c = cycle.database().connection(); var ps = c.prepareStatement("UPDATE owner SET name = ? WHERE source = 'salesforce' AND id = ?")) {
      ps.setString(1, name);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String form, Optional<String> token) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    token.ifPresent(t -> b.header("X-Admin-Token", t));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
