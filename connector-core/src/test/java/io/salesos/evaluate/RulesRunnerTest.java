package io.salesos.evaluate;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.RuleVocabulary;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.sync.SyncEngine;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RulesRunnerTest {

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
            category: forecast_category
            closed: is_closed
            flags: salesos_flags
            adjusted: salesos_forecast_category
      """;

  final Database db = TestDatabases.fresh();

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aDraftIsNotQueuedAgainWhenTheDealChangesButTheConclusionDoesNot() {
    var crm = new MemoryCrm("mem");
    crm.save("users", List.of(Map.of("id", "u1", "name", "Trent Walsh", "role", "rep")));
    var close = LocalDate.now().plusDays(5).toString();
    var id = crm.save("deals", List.of(Map.of("name", "Fleet renewal", "owner", "u1", "stage", "Verbal Commit",
        "amount", "120000", "close", close, "category", "Commit", "closed", "false"))).get(0);
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    var rules = LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard());
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.of(rules), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000), Clock.systemUTC());

    engine.pull(Optional.empty());
    var first = engine.evaluate(Optional.empty()).get(0);
    assertThat(first.downgraded()).isEqualTo(1);
    assertThat(drafts(engine)).hasSize(1);

    // the flag lands (auto), the deal's version moves, the rep edits the amount: same conclusion
    engine.push();
    crm.save("deals", List.of(Map.of("id", id, "amount", "125000")));
    engine.pull(Optional.empty());
    engine.evaluate(Optional.empty());
    engine.evaluate(Optional.empty());
    assertThat(drafts(engine)).hasSize(1);
    assertThat(crm.get("deals", id).orElseThrow().fields().get("flags").toString()).isNotBlank();
  }

  @Test
  void twoRunsInTheSameSecondGetRunIdsOfTheirOwn() throws Exception {
    var crm = new MemoryCrm("mem");
    crm.save("users", List.of(Map.of("id", "u1", "name", "Trent Walsh", "role", "rep")));
    crm.save("deals", List.of(Map.of("name", "Fleet renewal", "owner", "u1", "stage", "Verbal Commit", "amount", "120000",
        "close", LocalDate.now().plusDays(5).toString(), "category", "Commit", "closed", "false")));
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    var rules = LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard());
    // one instant for every run: what two cycles inside one second look like
    var clock = Clock.fixed(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), java.time.ZoneOffset.UTC);
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.of(rules), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000), clock);
    engine.pull(Optional.empty());

    var first = engine.evaluate(Optional.empty()).get(0).runId();
    var second = engine.evaluate(Optional.empty()).get(0).runId();
    var third = engine.evaluate(Optional.empty()).get(0).runId();

    assertThat(List.of(first, second, third)).doesNotHaveDuplicates();
    assertThat(second).isEqualTo(first.replace("-mem", "-2-mem"));
    try (var c = db.connection();
        var rs = c.createStatement().executeQuery("SELECT run_id, deals, status FROM rule_run ORDER BY run_id")) {
      var rows = new java.util.ArrayList<String>();
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3));
      }
      assertThat(rows).containsExactlyInAnyOrder(first + " 1 done", second + " 1 done", third + " 1 done");
    }
    // the writes of the first run carry its id alone (the later runs find nothing new to write)
    assertThat(engine.outbox().drafts(Optional.empty(), Optional.empty(), 100)).isNotEmpty()
        .allSatisfy(d -> assertThat(d.runId()).contains(first));
  }

  private static List<OutboxEntry> drafts(Pipeline engine) {
    return engine.outbox().drafts(Optional.empty(), Optional.empty(), 100);
  }
}
