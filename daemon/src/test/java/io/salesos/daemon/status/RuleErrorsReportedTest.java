package io.salesos.daemon.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.admin.AdminServer;
import io.salesos.admin.Metrics;
import io.salesos.admin.StatusPage;
import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.rules.Change;
import io.salesos.rules.RuleError;
import io.salesos.rules.RuleVocabulary;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule that errors on some deals (a field that is sometimes empty, used without has()): those
 * deals get no flag write, and the error count per rule is in the run's result, in /metrics and on
 * the status page.
 */
class RuleErrorsReportedTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: users
          canonical: owner
          fields: {name: name, role: role}
        - crm_object: deals
          canonical: deal
          fields:
            name: name
            owner: owner_id
            stage: stage
            amount: amount
            close: close_date
            next: next_step_date
            category: forecast_category
            closed: is_closed
            flags: salesos_flags
            adjusted: salesos_forecast_category
      """;

  static final String CRITERION = """

        - id: negotiation.next_step_soon
          stages: [Negotiation]
          require: days_until(deal.next_step_date) <= 14
          flag: NEXT_STEP_FAR
          message: "Bring the next step on {{deal.name}} within two weeks."
      """;

  final Database db = TestDatabases.fresh();
  final HttpClient http = HttpClient.newHttpClient();
  AdminServer admin;

  @AfterEach
  void close() {
    if (admin != null) {
      admin.close();
    }
    db.close();
  }

  @Test
  void aRuleThatErrorsOnSomeDealsIsCountedInTheRunMetricsAndStatusPageAndThoseDealsGetNoFlagFromIt(@TempDir Path dir)
      throws Exception {
    var crm = new MemoryCrm("mem");
    crm.save("users", List.of(Map.of("id", "u1", "name", "Trent Walsh", "role", "rep")));
    var close = LocalDate.now().plusDays(20).toString();
    var ids = crm.save("deals", List.of(
        Map.of("name", "Dated", "owner", "u1", "stage", "Negotiation", "amount", "90000", "close", close,
            "next", LocalDate.now().plusDays(40).toString(), "category", "Pipeline", "closed", "false"),
        Map.of("name", "Undated", "owner", "u1", "stage", "Negotiation", "amount", "80000", "close", close,
            "category", "Pipeline", "closed", "false")));
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    var pipeline = new Pipeline(db, List.of(connection), LiveRuleSet.of(LiveRuleSet.load(rulesWithCriterion(dir),
        RuleVocabulary.standard())), ConflictPolicy.defaults(), new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000),
        Clock.systemUTC());

    pipeline.pull(Optional.empty());
    var run = pipeline.evaluate(Optional.empty()).get(0);

    var dated = ids.get(0);
    var undated = ids.get(1);
    assertThat(run.errorCounts()).containsEntry("negotiation.next_step_soon", 1L);
    assertThat(run.errors()).filteredOn(e -> e.ruleId().equals("negotiation.next_step_soon"))
        .extracting(RuleError::recordId).containsExactly(undated);
    // the erroring criterion writes nothing on the undated deal: no NEXT_STEP_FAR line (its other criteria still decide theirs)
    assertThat(run.changes()).filteredOn(c -> c instanceof Change.FlagsChanged).extracting(c -> c.recordId().orElseThrow())
        .contains(dated);
    assertThat(run.changes()).filteredOn(c -> c instanceof Change.FlagsChanged f && f.dealId().equals(undated))
        .allSatisfy(c -> assertThat(((Change.FlagsChanged) c).after()).doesNotContain("NEXT_STEP_FAR"));

    var metrics = new Metrics(db, List.of(connection));
    admin = AdminServer.start(db, metrics, "127.0.0.1", 0);
    StatusPage.register(admin, db, List.of("mem"), Clock.systemUTC(), pipeline.rules()::current);

    assertThat(get("/metrics")).containsPattern(
        "salesos_rule_errors\\{rule=\"negotiation\\.next_step_soon\",source=\"mem\"} 1\\.0");
    var page = get("/?source=mem");
    assertThat(page).contains("id=\"rule-errors\"");
    assertThat(page).containsPattern("<td>negotiation\\.next_step_soon</td><td class=\"n bad\">1</td><td>deal "
        + java.util.regex.Pattern.quote(undated) + "</td>");
  }

  /** The repository's rules plus one exit criterion that errors on a deal without a next step date. */
  private static Path rulesWithCriterion(Path dir) throws IOException {
    try (var files = Files.list(Path.of("..", "rules"))) {
      for (var f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    Files.writeString(dir.resolve("exit-criteria.yaml"), Files.readString(dir.resolve("exit-criteria.yaml")) + CRITERION);
    return dir;
  }

  private String get(String path) throws IOException, InterruptedException {
    var response = http.send(HttpRequest.newBuilder(URI.create(admin.address() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }
}
