package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PullTest {

  static final List<String> FIELDS = List.of("Name", "StageName", "Amount", "CloseDate", "NextStep", "Days_Open__c");

  SalesforceSandbox sandbox;
  List<String> seeded;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(Instant.parse("2026-11-20T10:00:00Z"))).start();
    seeded = sandbox.seedOpportunities(25_000, 3_000);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  /** Pulls until the connector says there is no more, counting how often each id arrives. */
  static Checkpoint drain(SalesforceConnector c, Checkpoint from, int max, Map<String, Integer> records,
      Map<String, Integer> deletions, List<String> modes) throws Exception {
    var cp = from;
    PullBatch batch;
    do {
      batch = c.pull(new PullRequest("Opportunity", FIELDS, cp, max));
      batch.records().forEach(r -> records.merge(r.id(), 1, Integer::sum));
      batch.deletions().forEach(d -> deletions.merge(d.id(), 1, Integer::sum));
      cp = batch.next();
      modes.add(cp.get("mode").orElse(""));
    } while (batch.hasMore());
    return cp;
  }

  @Test
  void initialBulkLoadThenIncrementalDeliversEveryChangeExactlyOnce() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "10000"))) {
      var records = new HashMap<String, Integer>();
      var deletions = new HashMap<String, Integer>();
      var modes = new java.util.ArrayList<String>();
      var cp = drain(c, Checkpoint.INITIAL, 5_000, records, deletions, modes);

      assertThat(modes).contains("bulk");
      assertThat(records).hasSize(25_000);
      assertThat(records.values()).allMatch(n -> n == 1);
      assertThat(records.keySet()).containsExactlyInAnyOrderElementsOf(seeded);

      sandbox.clock().advance(Duration.ofMinutes(1));
      var edited = seeded.subList(100, 600);
      var deleted = seeded.subList(1_000, 1_040);
      sandbox.editAsUser(edited, Map.of("NextStep", "call back"));
      sandbox.deleteAsUser(deleted);
      sandbox.clock().advance(Duration.ofSeconds(10));

      records.clear();
      drain(c, cp, 200, records, deletions, modes);
      assertThat(records.keySet()).containsExactlyInAnyOrderElementsOf(edited);
      assertThat(records.values()).allMatch(n -> n == 1);
      assertThat(deletions.keySet()).containsExactlyInAnyOrderElementsOf(deleted);
      assertThat(deletions.values()).allMatch(n -> n == 1);
    }
  }

  @Test
  void soapPagesNeverSkipRecordsSharingOneStamp() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000000"))) {
      var records = new HashMap<String, Integer>();
      var modes = new java.util.ArrayList<String>();
      drain(c, Checkpoint.INITIAL, 1_000, records, new HashMap<>(), modes);
      assertThat(modes).doesNotContain("bulk");
      assertThat(records).hasSize(25_000);
      assertThat(records.values()).allMatch(n -> n == 1);
    }
  }

  @Test
  void aChangeArrivesAtTheNextPullAndALateCommitInsideTheOverlapIsStillCaught() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000000"))) {
      var cp = drain(c, Checkpoint.INITIAL, 25_000, new HashMap<>(), new HashMap<>(), new java.util.ArrayList<>());
      sandbox.clock().advance(Duration.ofSeconds(10));
      sandbox.editAsUser(List.of(seeded.get(0)), Map.of("NextStep", "fresh"));
      var next = new HashMap<String, Integer>();
      cp = drain(c, cp, 100, next, new HashMap<>(), new java.util.ArrayList<>());
      assertThat(next.keySet()).containsExactly(seeded.get(0));
      // a transaction that began 3 s ago (inside the 5 s overlap) commits only now, behind the cursor
      sandbox.clock().advance(Duration.ofSeconds(1));
      sandbox.commitLate(List.of(seeded.get(1)), Map.of("NextStep", "late"), sandbox.clock().instant().minusSeconds(3));
      var later = new HashMap<String, Integer>();
      drain(c, cp, 100, later, new HashMap<>(), new java.util.ArrayList<>());
      assertThat(later).containsKey(seeded.get(1));
    }
  }

  @Test
  void aWrongTypedValueQuarantinesOnlyItsRecord() throws Exception {
    sandbox.faults().wrongTypedField(seeded.get(5), "Amount", "twelve thousand");
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000000"))) {
      var batch = c.pull(new PullRequest("Opportunity", FIELDS, Checkpoint.INITIAL, 30_000));
      assertThat(batch.malformed()).singleElement().satisfies(m -> {
        assertThat(m.id()).contains(seeded.get(5));
        assertThat(m.reason()).contains("Amount").contains("twelve thousand");
      });
      assertThat(batch.records()).hasSize(24_999);
      assertThat(new HashSet<>(batch.records().stream().map(r -> r.id()).toList())).doesNotContain(seeded.get(5));
    }
  }
}
