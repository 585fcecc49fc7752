package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.RunLimits;
import io.salesos.rules.RuleVocabulary;
import io.salesos.rules.WriteDecision;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push is held to the write policy of the rule set in force now, not the one the process started with. */
class LiveWritePolicyTest {

  @TempDir
  Path rules;

  Database db;
  MemoryCrm crm;
  Pipeline pipeline;

  @BeforeEach
  void setUp() throws IOException {
    try (var files = Files.list(Path.of("../rules"))) {
      for (var f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, rules.resolve(f.getFileName()));
      }
    }
    db = TestDatabases.fresh();
    crm = new MemoryCrm("mem");
    var mapping = Mapping.from(YamlNode.parse("memory.yaml", """
        crm: memory
        objects:
          - crm_object: tasks
            canonical: activity
            fields:
              subject: subject
              owner: owner_id
              key: salesos_key
            constants:
              kind: task
        """));
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()), mapping, true);
    pipeline = new Pipeline(db, List.of(connection), LiveRuleSet.watching(rules, RuleVocabulary.standard()),
        ConflictPolicy.defaults(), new Pipeline.Settings(50, 1000, 3, Duration.ZERO, 10_000), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    pipeline.close();
    db.close();
  }

  @Test
  void narrowingTheAllowListWhileRunningHoldsTheNextPushToIt() throws IOException {
    assertThat(pipeline.rules().current()).as("the shipped rules load").isPresent();
    pipeline.outbox().enqueue(List.of(task("t-1")));
    assertThat(pipeline.push().written()).isEqualTo(1);
    assertThat(crm.all("tasks").size()).isEqualTo(1);

    // the ops team turns tasks off and takes activities off the allow-list, as an admin would while the daemon runs
    Files.writeString(rules.resolve("write-policy.yaml"), """
        writes:
          flag: auto
          forecast: draft
          task: off
          visit_plan: off
        allow:
          deal: [salesos_flags, salesos_forecast_category]
        """);
    assertThat(pipeline.rules().refresh()).as("the narrowed set loads as a whole").isTrue();
    pipeline.outbox().enqueue(List.of(task("t-2")));
    var push = pipeline.push();

    assertThat(push.written()).isZero();
    assertThat(push.blocked()).isEqualTo(1);
    assertThat(crm.all("tasks").size()).as("nothing outside the new allow-list reaches the CRM").isEqualTo(1);
    var held = pipeline.outbox().byKey("t-2").orElseThrow();
    assertThat(held.status()).isEqualTo(OutboxEntry.Status.BLOCKED);
    assertThat(held.lastError().orElseThrow()).contains("not on the write allow-list");
  }

  @Test
  void aNarrowingAppliesEvenWhenTheSameEditBreaksAnotherFile() throws IOException {
    pipeline.outbox().enqueue(List.of(task("t-1")));
    assertThat(pipeline.push().written()).isEqualTo(1);

    // one edit: tasks off, activities off the allow-list, and a typo in routing.yaml
    Files.writeString(rules.resolve("write-policy.yaml"), """
        writes:
          flag: auto
          forecast: draft
          task: off
          visit_plan: off
        allow:
          deal: [salesos_flags, salesos_forecast_category]
        """);
    Files.writeString(rules.resolve("routing.yaml"), Files.readString(rules.resolve("routing.yaml")) + "\nvisit_vlaue: 3\n");
    assertThat(pipeline.rules().refresh()).as("the edit does not load whole").isFalse();
    assertThat(pipeline.rules().problems()).isNotEmpty();

    var inForce = pipeline.rules().current().orElseThrow();
    assertThat(inForce.writePolicy().decision(WriteKind.TASK)).as("the tighter decision").isEqualTo(WriteDecision.OFF);
    assertThat(inForce.writePolicy().allow()).doesNotContainKey("activity");
    pipeline.outbox().enqueue(List.of(task("t-2")));
    assertThat(pipeline.push().blocked()).isEqualTo(1);
    assertThat(crm.all("tasks")).hasSize(1);
  }

  @Test
  void aBrokenEditThatWidensThePolicyWidensNothing() throws IOException {
    Files.writeString(rules.resolve("write-policy.yaml"), Files.readString(rules.resolve("write-policy.yaml"))
        .replace("deal: [salesos_flags, salesos_forecast_category]", "deal: [salesos_flags, salesos_forecast_category, amount]"));
    Files.writeString(rules.resolve("routing.yaml"), Files.readString(rules.resolve("routing.yaml")) + "\nvisit_vlaue: 3\n");
    assertThat(pipeline.rules().refresh()).isFalse();
    assertThat(pipeline.rules().current().orElseThrow().writePolicy().allows("deal", "amount")).isFalse();
  }

  @Test
  void withNoRuleSetInForceNothingIsPushedAndTheWritesStayQueued() throws IOException {
    try (var files = Files.list(rules)) {
      for (var f : files.toList()) {
        Files.delete(f);
      }
    }
    // a rule folder that never loaded: no allow-list, so the push sends nothing and loses nothing
    try (var empty = new Pipeline(db, pipeline.connections(), LiveRuleSet.watching(rules, RuleVocabulary.standard()),
        ConflictPolicy.defaults(), new Pipeline.Settings(50, 1000, 3, Duration.ZERO, 10_000), Clock.systemUTC())) {
      assertThat(empty.rules().current()).isEmpty();
      empty.outbox().enqueue(List.of(task("t-3")));
      assertThat(empty.push().written()).isZero();
      assertThat(crm.all("tasks").size()).isZero();
      assertThat(empty.outbox().byKey("t-3").orElseThrow().status()).isEqualTo(OutboxEntry.Status.PENDING);
    }
  }

  @Test
  void aWriteTheAllowListRefusesIsQueuedAsBlockedAndNeverSent() {
    var allow = pipeline.rules().allowList().orElseThrow();
    var outside = OutboxEntry.queued("t-4", "mem", "tasks", "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.TASK,
        Map.of("subject", "Call back", "owner_id", "u1", "amount", 5000), Map.of(), Optional.of("follow.stall"),
        Optional.empty(), Optional.of("run-1"), "rules");

    assertThat(pipeline.outbox().enqueue(List.of(outside, task("t-5")), allow)).isEqualTo(2);

    var blocked = pipeline.outbox().byKey("t-4").orElseThrow();
    assertThat(blocked.status()).as("refused when queued, not only when pushed").isEqualTo(OutboxEntry.Status.BLOCKED);
    assertThat(blocked.lastError().orElseThrow()).contains("not on the write allow-list").contains("amount");
    assertThat(pipeline.outbox().byKey("t-5").orElseThrow().status()).isEqualTo(OutboxEntry.Status.PENDING);
    assertThat(pipeline.push().written()).isEqualTo(1);
    assertThat(crm.all("tasks")).hasSize(1);
  }

  @Test
  void theUpsertKeyIsCheckedAsSentWhenQueued() {
    // an allow-list that grants every task field but the key salesos upserts by
    var withoutKey = new AllowList(Map.of("activity", java.util.Set.of("kind", "subject", "owner_id")), java.util.Set.of());
    pipeline.outbox().enqueue(List.of(task("t-6")), withoutKey);

    var row = pipeline.outbox().byKey("t-6").orElseThrow();
    assertThat(row.status()).isEqualTo(OutboxEntry.Status.BLOCKED);
    assertThat(row.lastError().orElseThrow()).contains("salesos_key");
  }

  @Test
  void aRunThatQueuesMoreThanItsLimitIsHeldForReviewThenReleasedAndEachWriteLandsOnce() {
    var allow = pipeline.rules().allowList().orElseThrow();
    var run = new java.util.ArrayList<OutboxEntry>();
    for (int i = 0; i < 8; i++) {
      run.add(task("first-run-" + i));
    }
    assertThat(pipeline.outbox().enqueue(run, allow, new RunLimits(5, 100), 1000)).isEqualTo(8);

    var held = pipeline.outbox().byKey("first-run-0").orElseThrow();
    assertThat(held.status()).isEqualTo(OutboxEntry.Status.REVIEW);
    assertThat(held.lastError().orElseThrow()).contains("8 new task writes").contains("salesos outbox release run-1");
    assertThat(pipeline.push().written()).as("nothing of a held run reaches the CRM").isZero();
    assertThat(crm.all("tasks")).isEmpty();
    assertThat(pipeline.outbox().runsInReview()).containsExactly(Map.entry("run-1", 8L));

    assertThat(pipeline.outbox().releaseRun("run-1", "ops")).isEqualTo(8);
    assertThat(pipeline.push().written()).isEqualTo(8);
    assertThat(crm.all("tasks")).hasSize(8);
    // queued again by the next run (same keys): nothing new, nothing held, nothing sent twice
    assertThat(pipeline.outbox().enqueue(run, allow, new RunLimits(5, 100), 1000)).isZero();
    assertThat(pipeline.push().written()).isZero();
    assertThat(crm.all("tasks")).hasSize(8);
  }

  @Test
  void theShareLimitCountsFromFiftyWrites() {
    var limits = new RunLimits(10_000, 25);
    assertThat(limits.exceeded(Map.of("task", 49L), 10)).isEmpty();
    assertThat(limits.exceeded(Map.of("task", 60L), 200)).hasValueSatisfying(w -> assertThat(w).contains("25%"));
    assertThat(limits.exceeded(Map.of("flag", 60L), 1000)).isEmpty();
    assertThat(new RunLimits(500, 25).exceeded(Map.of("flag", 501L), 100_000)).hasValueSatisfying(
        w -> assertThat(w).contains("sync.hold_writes_over (500)"));
  }

  @Test
  void aPausedConnectionIsNotPulledNorPushedToAndItsWritesWaitUntilResumed() {
    var pauses = pipeline.sync().pauses();
    assertThat(pauses.pause("mem", "ops", Optional.of("CRM maintenance window"))).isTrue();
    assertThat(pauses.pause("mem", "someone else", Optional.empty())).as("the first pause stands").isFalse();
    pipeline.outbox().enqueue(List.of(task("t-7")), pipeline.rules().allowList().orElseThrow());
    int pullsBefore = crm.pullCalls();

    assertThat(pipeline.pull(Optional.empty())).isEmpty();
    assertThat(crm.pullCalls()).isEqualTo(pullsBefore);
    assertThat(pipeline.push().written()).isZero();
    assertThat(crm.all("tasks")).isEmpty();
    assertThat(pipeline.evaluate(Optional.empty())).as("no evaluation of a paused connection").isEmpty();
    assertThat(pipeline.outbox().byKey("t-7").orElseThrow().status()).isEqualTo(OutboxEntry.Status.PENDING);

    assertThat(pauses.resume("mem")).isTrue();
    assertThat(pipeline.push().written()).isEqualTo(1);
    assertThat(pipeline.pull(Optional.empty())).isNotEmpty();
  }

  private static OutboxEntry task(String key) {
    return OutboxEntry.queued(key, "mem", "tasks", "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.TASK,
        Map.of("subject", "Call back", "owner_id", "u1"), Map.of(), Optional.of("follow.stall"), Optional.empty(),
        Optional.of("run-1"), "rules");
  }
}
