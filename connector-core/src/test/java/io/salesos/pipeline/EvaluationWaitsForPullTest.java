package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.evaluate.RulesRunner;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.rules.RuleVocabulary;
import io.salesos.spi.ApiBudget;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's evaluate job fires on its own schedule, beside the pull job: an evaluation that meets
 * a pull of a loaded connection under way waits for it and then evaluates the whole mirror, rather
 * than being skipped (with pulls as long as the poll interval, every evaluation was).
 */
class EvaluationWaitsForPullTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: users
          canonical: owner
          fields: {name: name, role: role}
        - crm_object: deals
          canonical: deal
          fields: {name: name, owner: owner_id, stage: stage, amount: amount, close: close_date,
                   category: forecast_category, closed: is_closed, flags: salesos_flags}
      """;

  final Database db = TestDatabases.fresh();

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void anEvaluationThatMeetsAPullUnderWayWaitsForItAndEvaluates() throws Exception {
    var crm = new MemoryCrm("mem");
    crm.save("users", List.of(Map.of("id", "u1", "name", "Trent Walsh", "role", "rep")));
    crm.save("deals", List.of(Map.of("name", "Fleet renewal", "owner", "u1", "stage", "Verbal Commit", "amount", "120000",
        "close", LocalDate.now().plusDays(5).toString(), "category", "Commit", "closed", "false")));
    var gate = new Gate(crm);
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(gate, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.of(LiveRuleSet.load(Path.of("../rules"),
        RuleVocabulary.standard())), ConflictPolicy.defaults(), new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000),
        Clock.systemUTC());
    engine.pull(Optional.empty());
    assertThat(engine.readiness("mem").ready()).as("loaded").isTrue();

    // the next scheduled pull stops inside the CRM call, its object marked as being pulled
    gate.armed = true;
    var pulling = CompletableFuture.runAsync(() -> engine.pull(Optional.empty()));
    assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(engine.readiness("mem").ready()).as("a pull under way").isFalse();
    var evaluating = CompletableFuture.supplyAsync(() -> engine.evaluate(Optional.empty()));
    Thread.sleep(500);
    assertThat(evaluating).as("the evaluation waits for the pull").isNotDone();

    gate.release.countDown();
    pulling.get(10, TimeUnit.SECONDS);
    List<RulesRunner.RunResult> runs = evaluating.get(30, TimeUnit.SECONDS);
    assertThat(runs).as("evaluated once the pull ended").hasSize(1);
    assertThat(runs.get(0).deals()).isEqualTo(1);
  }

  /** The CRM, with its pull calls held until released once armed. */
  static final class Gate implements Connector {
    final MemoryCrm crm;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean armed;

    Gate(MemoryCrm crm) {
      this.crm = crm;
    }

    @Override
    public String name() {
      return crm.name();
    }

    @Override
    public CrmSchema describe() throws ConnectorException {
      return crm.describe();
    }

    @Override
    public PullBatch pull(PullRequest request) throws ConnectorException {
      if (armed) {
        entered.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return crm.pull(request);
    }

    @Override
    public List<WriteResult> push(String crmObject, List<Write> writes) throws ConnectorException {
      return crm.push(crmObject, writes);
    }

    @Override
    public int maxWriteBatch() {
      return crm.maxWriteBatch();
    }

    @Override
    public ApiBudget limits() {
      return crm.limits();
    }
  }
}
