package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;
import io.salesos.spi.PullRequest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResilienceTest {

  SalesforceSandbox sandbox;
  List<String> seeded;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(Instant.parse("2026-11-20T10:00:00Z"))).start();
    seeded = sandbox.seedOpportunities(5_000, 800);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void sessionExpiryMidLoadRecoversSilently() throws Exception {
    sandbox.bulkRowsPerResult(1_000);
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000"))) {
      var seen = new HashMap<String, Integer>();
      var cp = Checkpoint.INITIAL;
      int pulls = 0;
      boolean more = true;
      while (more) {
        if (pulls == 2 || pulls == 6) {
          sandbox.faults().expireSessions();
        }
        var batch = c.pull(new PullRequest("Opportunity", PullTest.FIELDS, cp, 700));
        batch.records().forEach(r -> seen.merge(r.id(), 1, Integer::sum));
        cp = batch.next();
        more = batch.hasMore();
        pulls++;
      }
      assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(seeded);
      assertThat(seen.values()).allMatch(n -> n == 1);
    }
  }

  @Test
  void requestLimitStopsThePullWithAClearReasonAndLosesNothing() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000000"))) {
      var seen = new HashMap<String, Integer>();
      var cp = Checkpoint.INITIAL;
      for (int i = 0; i < 3; i++) {
        var batch = c.pull(new PullRequest("Opportunity", PullTest.FIELDS, cp, 600));
        batch.records().forEach(r -> seen.merge(r.id(), 1, Integer::sum));
        cp = batch.next();
      }
      sandbox.faults().dailyLimit(sandbox.faults().requestsUsed());
      var stuck = cp;
      assertThatThrownBy(() -> c.pull(new PullRequest("Opportunity", PullTest.FIELDS, stuck, 600)))
          .isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.LIMIT_EXHAUSTED);
            assertThat(e.getMessage()).contains("REQUEST_LIMIT_EXCEEDED").contains("daily API request limit");
          });
      assertThat(c.limits().dailyUsed()).hasValue(sandbox.faults().requestsUsed());

      sandbox.faults().resetUsage().dailyLimit(100_000);
      boolean more = true;
      while (more) {
        var batch = c.pull(new PullRequest("Opportunity", PullTest.FIELDS, cp, 600));
        batch.records().forEach(r -> seen.merge(r.id(), 1, Integer::sum));
        cp = batch.next();
        more = batch.hasMore();
      }
      assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(seeded);
      assertThat(seen.values()).allMatch(n -> n == 1);
    }
  }

  @Test
  void limitsComeFromTheLimitInfoHeader() throws Exception {
    sandbox.faults().dailyLimit(15_000);
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      c.describe();
      assertThat(c.limits().dailyLimit()).hasValue(15_000);
      assertThat(c.limits().dailyUsed().getAsLong()).isPositive();
    }
  }

  @Test
  void wholeCallFailuresAreSortedForTheResilienceLayer() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("bulk_threshold", "1000000"))) {
      c.describe();
      sandbox.faults().failNext("UNABLE_TO_LOCK_ROW", 1);
      assertThat(kindOf(() -> c.describe())).isEqualTo(Kind.TRANSIENT);
      sandbox.faults().httpErrorNext(503, 1);
      assertThat(kindOf(() -> c.describe())).isEqualTo(Kind.TRANSIENT);
      sandbox.faults().malformedNext(1);
      assertThat(kindOf(() -> c.describe())).isEqualTo(Kind.TRANSIENT);
      // a field the org lacks is left out of the pull (a stock org); an object it lacks is a mapping error
      assertThat(kindOf(() -> c.pull(new PullRequest("Bogus__c", List.of("Name"), Checkpoint.INITIAL, 10))))
          .isEqualTo(Kind.PERMANENT);
      sandbox.faults().failNext("INVALID_SESSION_ID", 2);
      assertThat(kindOf(() -> c.describe())).isEqualTo(Kind.AUTHENTICATION);
      c.describe();
    }
  }

  @Test
  void aSlowOrgTimesOutAsATransientFailure() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("read_timeout_seconds", "1"))) {
      c.describe();
      sandbox.faults().slow(java.time.Duration.ofMillis(2_500));
      assertThat(kindOf(() -> c.describe())).isEqualTo(Kind.TRANSIENT);
      sandbox.faults().slow(java.time.Duration.ZERO);
      c.describe();
    }
  }

  @Test
  void aSessionIdleBeyondTheOrgTimeoutIsRenewedSilently() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      c.describe();
      sandbox.clock().advance(java.time.Duration.ofHours(3));
      var batch = c.pull(new PullRequest("Opportunity", PullTest.FIELDS, Checkpoint.INITIAL, 100));
      assertThat(batch.records()).hasSize(100);
    }
  }

  @Test
  void aWrongPasswordIsAnAuthenticationFailure() {
    var c = SandboxConnections.connector(sandbox, Map.of("auth", "soap_login", "secret.password", "nope"));
    assertThat(kindOf(c::describe)).isEqualTo(Kind.AUTHENTICATION);
    var oauth = SandboxConnections.connector(sandbox, Map.of("secret.client_secret", "nope"));
    assertThat(kindOf(oauth::describe)).isEqualTo(Kind.AUTHENTICATION);
  }

  @Test
  void jwtBearerLogsInWithTheAppsKey() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("auth", "jwt",
        "secret.private_key", sandbox.jwtPrivateKeyPem()))) {
      assertThat(c.describe().object("Task")).isPresent();
    }
    var otherKey = java.security.KeyPairGenerator.getInstance("RSA");
    otherKey.initialize(2048);
    var pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
        otherKey.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    var forged = SandboxConnections.connector(sandbox, Map.of("auth", "jwt", "secret.private_key", pem));
    assertThat(kindOf(forged::describe)).isEqualTo(Kind.AUTHENTICATION);
  }

  @Test
  void soapLoginStillWorksForOlderOrgs() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of("auth", "soap_login"))) {
      assertThat(c.describe().object("Opportunity")).hasValueSatisfying(o ->
          assertThat(o.field("Salesos_Flags__c")).isPresent());
    }
  }

  interface Action {
    void run() throws Exception;
  }

  static Kind kindOf(Action a) {
    try {
      a.run();
      return null;
    } catch (ConnectorException e) {
      return e.kind();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
