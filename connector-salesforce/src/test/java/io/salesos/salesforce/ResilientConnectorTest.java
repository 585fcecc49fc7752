package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.PullRequest;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connector inside core's resilience layer, as the daemon runs it. */
class ResilientConnectorTest {

  SalesforceSandbox sandbox;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(Instant.parse("2026-11-20T10:00:00Z"))).start();
    sandbox.seedOpportunities(1_000, 100);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void serverErrorsAndLockedRowsAreRetriedUntilThePullSucceeds() throws Exception {
    try (var c = new ResilientConnector(SandboxConnections.connector(sandbox, Map.of()), ResilienceSettings.fast())) {
      c.describe();
      sandbox.faults().failNext("UNKNOWN_EXCEPTION", 1).httpErrorNext(503, 1).failNext("UNABLE_TO_LOCK_ROW", 1);
      var batch = c.pull(new PullRequest("Opportunity", PullTest.FIELDS, Checkpoint.INITIAL, 2_000));
      assertThat(batch.records()).hasSize(1_000);
      // three faults, plus one wait while the test settings' small breaker was open
      assertThat(c.retries()).isBetween(3L, 4L);
    }
  }

  @Test
  void anExpiredSessionIsRenewedWithoutARetry() throws Exception {
    try (var c = new ResilientConnector(SandboxConnections.connector(sandbox, Map.of()), ResilienceSettings.fast())) {
      c.describe();
      sandbox.faults().expireSessions();
      assertThat(c.pull(new PullRequest("Opportunity", PullTest.FIELDS, Checkpoint.INITIAL, 2_000)).records())
          .hasSize(1_000);
      assertThat(c.retries()).isZero();
    }
  }

  @Test
  void aSpentDailyLimitIsNotRetried() throws Exception {
    try (var c = new ResilientConnector(SandboxConnections.connector(sandbox, Map.of()), ResilienceSettings.fast())) {
      c.describe();
      sandbox.faults().failNext("REQUEST_LIMIT_EXCEEDED", 1);
      assertThatThrownBy(() -> c.pull(new PullRequest("Opportunity", PullTest.FIELDS, Checkpoint.INITIAL, 10)))
          .isInstanceOfSatisfying(ConnectorException.class,
              e -> assertThat(e.kind()).isEqualTo(ConnectorException.Kind.LIMIT_EXHAUSTED));
      assertThat(c.retries()).isZero();
    }
  }
}
