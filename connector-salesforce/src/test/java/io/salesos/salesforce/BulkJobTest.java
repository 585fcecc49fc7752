package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.salesforce.sandbox.SandboxFaults.BulkJobSeen;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.PullRequest;
import io.salesos.spi.Write;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Initial loads through a Bulk query job that the org keeps waiting in its queue. */
class BulkJobTest {

  SalesforceSandbox sandbox;
  List<String> seeded;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(Instant.parse("2026-11-20T10:00:00Z"))).start();
    seeded = sandbox.seedOpportunities(1_500, 100);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void aJobStuckInQueuedTimesOutAndIsAbortedAndClosed() {
    sandbox.faults().holdBulkBatchesQueued(true);
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000", "bulk_timeout_seconds", "2"))) {
      long started = System.nanoTime();
      assertThatThrownBy(() -> c.pull(request(Checkpoint.INITIAL)))
          .isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.kind()).isEqualTo(ConnectorException.Kind.PERMANENT);
            assertThat(e.getMessage()).contains("still Queued after 2 s").contains("bulk_timeout_seconds")
                .contains("aborted");
          });
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(8));
    }
    var jobs = sandbox.faults().bulkJobs();
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).states()).containsExactly("Open", "Closed", "Aborted");
  }

  @Test
  void aPushIssuedWhileThePullsJobWaitsCompletesBeforeTheTimeout() throws Exception {
    sandbox.faults().holdBulkBatchesQueued(true);
    var raw = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000", "bulk_timeout_seconds", "30"));
    // as the daemon runs it: core's resilience layer around the connector
    try (var c = new ResilientConnector(raw, ResilienceSettings.fast())) {
      var pull = CompletableFuture.supplyAsync(() -> pullAll(c));
      awaitJob(j -> j.states().contains("Closed"));

      long started = System.nanoTime();
      var results = c.push("Opportunity", List.of(Write.update("next-step-1", seeded.get(0),
          Map.of("NextStep", "Call the economic buyer"))));
      var took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(results).singleElement().satisfies(r -> assertThat(r.success()).isTrue());
      assertThat(took).isLessThan(Duration.ofSeconds(10));
      assertThat(pull).isNotDone();
      assertThat(sandbox.get(seeded.get(0)).orElseThrow()).containsEntry("NextStep", "Call the economic buyer");

      sandbox.faults().holdBulkBatchesQueued(false);
      assertThat(pull.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(seeded);
    }
    assertThat(sandbox.faults().bulkJobs()).singleElement()
        .satisfies(j -> assertThat(j.states()).containsExactly("Open", "Closed"));
  }

  @Test
  void aReloginMidJobPollsTheSameJob() throws Exception {
    sandbox.faults().holdBulkBatchesQueued(true);
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000", "bulk_timeout_seconds", "30"))) {
      var pull = CompletableFuture.supplyAsync(() -> pullAll(c));
      awaitJob(j -> j.states().contains("Closed"));
      sandbox.faults().expireSessions();
      // the polls come 0.2, 0.4, 0.8 s apart at first: at least one meets the dead session
      Thread.sleep(1_000);
      sandbox.faults().holdBulkBatchesQueued(false);

      assertThat(pull.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(seeded);
    }
    assertThat(sandbox.faults().bulkJobs()).singleElement()
        .satisfies(j -> assertThat(j.states()).containsExactly("Open", "Closed"));
  }

  @Test
  void aRetryAfterATransientErrorMidJobPollsTheSameJob() throws Exception {
    sandbox.faults().holdBulkBatchesQueued(true);
    var raw = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000", "bulk_timeout_seconds", "30"));
    try (var c = new ResilientConnector(raw, ResilienceSettings.fast())) {
      var pull = CompletableFuture.supplyAsync(() -> pullAll(c));
      awaitJob(j -> j.states().contains("Closed"));
      sandbox.faults().failNext("SERVER_UNAVAILABLE", 1);
      Thread.sleep(1_000);
      sandbox.faults().holdBulkBatchesQueued(false);

      assertThat(pull.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(seeded);
      assertThat(c.retries()).isPositive();
    }
    assertThat(sandbox.faults().bulkJobs()).hasSize(1);
  }

  @Test
  void aPullThatFailedMidJobIsResumedByTheNextPull() throws Exception {
    sandbox.faults().holdBulkBatchesQueued(true);
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000", "bulk_timeout_seconds", "30"))) {
      var first = CompletableFuture.supplyAsync(() -> pullAll(c));
      awaitJob(j -> j.states().contains("Closed"));
      sandbox.faults().failNext("REQUEST_LIMIT_EXCEEDED", 1);
      assertThat(first).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withRootCauseInstanceOf(com.sforce.async.AsyncApiException.class);

      sandbox.faults().holdBulkBatchesQueued(false);
      assertThat(pullAll(c)).containsExactlyInAnyOrderElementsOf(seeded);
    }
    assertThat(sandbox.faults().bulkJobs()).singleElement()
        .satisfies(j -> assertThat(j.states()).containsExactly("Open", "Closed"));
  }

  @Test
  void closingTheConnectorAbortsAJobUnderWay() throws Exception {
    sandbox.faults().holdBulkBatchesQueued(true);
    var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000", "bulk_timeout_seconds", "30"));
    var pull = CompletableFuture.supplyAsync(() -> pullAll(c));
    awaitJob(j -> j.states().contains("Closed"));
    sandbox.faults().failNext("REQUEST_LIMIT_EXCEEDED", 1);
    assertThat(pull).failsWithin(Duration.ofSeconds(10));

    c.close();

    assertThat(sandbox.faults().bulkJobs()).singleElement()
        .satisfies(j -> assertThat(j.states()).containsExactly("Open", "Closed", "Aborted"));
  }

  private static PullRequest request(Checkpoint cp) {
    return new PullRequest("Opportunity", PullTest.FIELDS, cp, 1_000);
  }

  /** Pulls from the start until the CRM has no more, answering the ids read. */
  private static HashSet<String> pullAll(Connector c) {
    var ids = new HashSet<String>();
    var cp = Checkpoint.INITIAL;
    boolean more = true;
    try {
      while (more) {
        var batch = c.pull(request(cp));
        batch.records().forEach(r -> ids.add(r.id()));
        cp = batch.next();
        more = batch.hasMore();
      }
    } catch (ConnectorException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return ids;
  }

  private void awaitJob(Predicate<BulkJobSeen> state) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < until) {
      var jobs = sandbox.faults().bulkJobs();
      if (!jobs.isEmpty() && state.test(jobs.get(0))) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no Bulk job reached the awaited state: " + sandbox.faults().bulkJobs());
  }
}
