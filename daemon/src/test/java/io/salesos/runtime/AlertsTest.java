package io.salesos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.RuleVocabulary;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failure alerts reach a local HTTP receiver with the reason, once per incident. */
class AlertsTest {

  @TempDir
  Path rulesDir;

  Database db;
  LiveRuleSet rules;
  HttpServer receiver;
  final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
  final AtomicInteger status = new AtomicInteger(200);
  Alerts alerts;

  @BeforeEach
  void setUp() throws IOException {
    try (var files = Files.list(Path.of("../rules"))) {
      for (var f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, rulesDir.resolve(f.getFileName()));
      }
    }
    db = TestDatabases.fresh();
    rules = LiveRuleSet.watching(rulesDir, RuleVocabulary.standard());
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", ex -> {
      var body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      @SuppressWarnings("unchecked")
      Map<String, Object> json = new ObjectMapper().readValue(body, Map.class);
      if (status.get() == 200) {
        received.add(json);
      }
      ex.sendResponseHeaders(status.get(), -1);
      ex.close();
    });
    receiver.start();
    var url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    alerts = new Alerts(db, rules, url, Duration.ofMinutes(15), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    alerts.close();
    receiver.stop(0);
    rules.close();
    db.close();
  }

  @Test
  void aRejectedRuleSetIsAlertedOnceWithItsReasonAndAgainOnlyAfterItCleared() throws IOException {
    assertThat(alerts.check()).isEmpty();
    var routing = rulesDir.resolve("routing.yaml");
    var good = Files.readString(routing);
    Files.writeString(routing, good.replace("visit_value", "visit_vlaue"));
    rules.refresh();

    assertThat(alerts.check()).hasSize(1);
    assertThat(alerts.check()).as("the same incident is not alerted twice").isEmpty();
    assertThat(received).hasSize(1);
    assertThat(received.get(0)).containsEntry("event", "rules_rejected");
    assertThat((String) received.get(0).get("text")).contains("routing.yaml:").contains("visit_vlaue")
        .contains("stays in force");

    Files.writeString(routing, good);
    rules.refresh();
    assertThat(alerts.check()).isEmpty();
    Files.writeString(routing, good.replace("visit_value", "visit_vlaue"));
    rules.refresh();
    assertThat(alerts.check()).as("broken again: a new incident").hasSize(1);
    assertThat(received).hasSize(2);
  }

  @Test
  void deadLetteredWritesAreAlertedOnceAndAReceiverThatWasDownHearsOfThemNextRound() {
    var outbox = new OutboxStore(db, Clock.systemUTC());
    outbox.enqueue(List.of(OutboxEntry.queued("t-1", "hubspot", "tasks", "activity", Optional.empty(), Write.Op.UPSERT,
        WriteKind.TASK, Map.of("subject", "Call"), Map.of(), Optional.of("follow.stall"), Optional.empty(),
        Optional.of("run-1"), "rules")));
    var id = outbox.byKey("t-1").orElseThrow().id();
    outbox.setStatus(id, OutboxEntry.Status.DEAD, "INVALID_FIELD: No such column 'Salesos_Key__c'");

    status.set(503);
    assertThat(alerts.check()).as("not delivered").isEmpty();
    status.set(200);
    assertThat(alerts.check()).hasSize(1);
    assertThat(alerts.check()).isEmpty();
    assertThat(received).hasSize(1);
    assertThat((String) received.get(0).get("text")).contains("1 write was dead-lettered").contains("INVALID_FIELD");
  }

  @Test
  void aConnectionFailingLongerThanTheLimitIsOneIncident() throws Exception {
    try (var c = db.connection(); var ps = c.prepareStatement("INSERT INTO sync_checkpoint (source, crm_object, checkpoint,"
        + " last_pull_at, last_error, updated_at) VALUES ('salesforce', 'Account', '{}', ?, ?, ?)")) {
      ps.setTimestamp(1, Timestamp.from(Instant.now().minus(Duration.ofMinutes(40))));
      ps.setString(2, "connect timed out: https://acme.my.salesforce.com:443");
      ps.setTimestamp(3, Timestamp.from(Instant.now()));
      ps.executeUpdate();
    }
    assertThat(alerts.check()).extracting(Alerts.Incident::event).containsExactly("connection_failing");
    assertThat(alerts.check()).isEmpty();
    assertThat((String) received.get(0).get("text")).contains("salesforce").contains("acme.my.salesforce.com:443");
  }
}
