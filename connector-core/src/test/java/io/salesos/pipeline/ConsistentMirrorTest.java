package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.rules.RuleVocabulary;
import io.salesos.spi.ConnectorException;
import io.salesos.sync.PullProgress;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rules run only over a consistent mirror: not before every mapped object's initial load has
 * completed (an interrupted load resumes first), not while a pull of the connection stopped short.
 * A lead whose call has not been mirrored yet would otherwise get a "call new lead" task.
 */
class ConsistentMirrorTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: users
          canonical: owner
          fields: {name: name, role: role}
        - crm_object: contacts
          canonical: contact
          fields: {first: first_name, last: last_name, lifecycle: lifecycle, created: created_at, owner: owner_id}
        - crm_object: activities
          canonical: activity
          fields:
            kind: kind
            status: status
            subject: subject
            body: body
            due: due_date
            owner: owner_id
            contact: contact_id
            priority: priority
            key: salesos_key
      """;

  final Database db = TestDatabases.fresh();

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aLoadInterruptedBeforeTheActivitiesWritesNothingUntilItResumesAndCompletes() {
    var crm = leadsWithTwoCalls();
    var engine = pipeline(crm, 100, 100);

    assertThat(engine.evaluate(Optional.empty())).as("nothing pulled yet").isEmpty();
    assertThat(engine.readiness("mem").blocked()).hasValueSatisfying(r -> assertThat(r).contains("initial load"));

    // users and contacts land, the activities' first page fails: the load is interrupted
    crm.failAfter(2, new ConnectorException(ConnectorException.Kind.PERMANENT, "connection reset"));
    engine.pull(Optional.empty());
    assertThat(engine.mirror().find("contact", "mem", untouchedLead, io.salesos.model.CanonicalSchema.standardFields("contact")))
        .isPresent();

    assertThat(engine.evaluate(Optional.empty())).isEmpty();
    assertThat(engine.dryRun(Optional.empty())).isEmpty();
    assertThat(engine.outbox().depth()).isZero();
    var waiting = engine.readiness("mem");
    assertThat(waiting.watermark()).isEmpty();
    assertThat(waiting.blocked()).hasValueSatisfying(r -> assertThat(r).contains("activities").contains("failed"));

    // the next pull resumes from the checkpoint and completes: now the rules see the calls
    var before = Instant.now();
    engine.pull(Optional.empty());
    var ready = engine.readiness("mem");
    assertThat(ready.ready()).isTrue();
    assertThat(ready.watermark()).hasValueSatisfying(w -> assertThat(w).isAfterOrEqualTo(before.minusMillis(1)));
    var run = engine.evaluate(Optional.empty());
    assertThat(run).hasSize(1);
    assertThat(run.get(0).desired().tasks()).singleElement()
        .satisfies(t -> assertThat(t.contactId()).hasValue(untouchedLead));
    assertThat(run.get(0).queued()).isEqualTo(1);
  }

  @Test
  void aPullThatStopsWithMoreToReadHoldsTheEvaluationBackUntilTheNextOneReadsToTheEnd() {
    var crm = leadsWithTwoCalls();
    crm.pageLimit(1);
    // one batch of one page of one record per pull: every object stops short of its end
    var engine = pipeline(crm, 1, 1);
    engine.pull(Optional.empty());
    assertThat(engine.evaluate(Optional.empty())).isEmpty();
    assertThat(engine.readiness("mem").blocked()).hasValueSatisfying(r -> assertThat(r).contains("stopped with more to read"));
    for (int i = 0; i < 10 && !engine.readiness("mem").ready(); i++) {
      engine.pull(Optional.empty());
    }
    assertThat(engine.readiness("mem").objects()).extracting(PullProgress.ObjectProgress::state)
        .containsOnly(PullProgress.State.COMPLETE);
    assertThat(engine.evaluate(Optional.empty())).singleElement().satisfies(r -> assertThat(r.queued()).isEqualTo(1));
  }

  String untouchedLead;

  /** Three leads from three days ago; the first two have a logged call, the third nobody has touched. */
  MemoryCrm leadsWithTwoCalls() {
    var crm = new MemoryCrm("mem");
    crm.save("users", List.of(Map.of("id", "u1", "name", "Trent Walsh", "role", "rep")));
    var created = Instant.now().minus(Duration.ofDays(3)).toString();
    var leads = crm.save("contacts", List.of(
        Map.of("first", "Ada", "last", "One", "lifecycle", "lead", "created", created, "owner", "u1"),
        Map.of("first", "Bo", "last", "Two", "lifecycle", "lead", "created", created, "owner", "u1"),
        Map.of("first", "Cy", "last", "Three", "lifecycle", "lead", "created", created, "owner", "u1")));
    crm.save("activities", List.of(
        Map.of("kind", "call", "status", "completed", "subject", "Intro call", "owner", "u1", "contact", leads.get(0)),
        Map.of("kind", "call", "status", "completed", "subject", "Intro call", "owner", "u1", "contact", leads.get(1))));
    untouchedLead = leads.get(2);
    return crm;
  }

  Pipeline pipeline(MemoryCrm crm, int batch, int maxBatches) {
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    var rules = LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard());
    return new Pipeline(db, List.of(connection), LiveRuleSet.of(rules), ConflictPolicy.defaults(),
        new Pipeline.Settings(batch, maxBatches, 3, Duration.ZERO, 1000), Clock.systemUTC());
  }
}
