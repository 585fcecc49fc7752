package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;
import io.salesos.spi.ConnectorProvider;
import io.salesos.spi.PullRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HubSpotFailuresTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final PullRequest FIRST_PAGE =
      new PullRequest("deals", List.of("dealname"), Checkpoint.INITIAL, 100);
  private HubSpotSandbox sandbox;

  @BeforeEach
  void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withTier("starter").withLimits(RateLimits.forTier("starter").withBurst(100, 1_500)));
    sandbox.fillDeals(10, T0, Duration.ZERO);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void aWrongTokenIsAnAuthenticationFailure() {
    var connector = connect(sandbox, Map.of("secret.token", "pat-na1-wrong"));
    assertThatThrownBy(() -> connector.pull(FIRST_PAGE)).isInstanceOfSatisfying(ConnectorException.class, e -> {
      assertThat(e.kind()).isEqualTo(Kind.AUTHENTICATION);
      assertThat(e.getMessage()).contains("401", "INVALID_AUTHENTICATION").doesNotContain("pat-na1-wrong");
    });
  }

  @Test
  void a429IsRateLimitedWithTheIntervalFromTheHeaders() {
    sandbox.faults().rateLimitBurst(1);
    assertThatThrownBy(() -> connect(sandbox).pull(FIRST_PAGE)).isInstanceOfSatisfying(ConnectorException.class, e -> {
      assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
      assertThat(e.retryAfterMillis()).isEqualTo(1_500L);
      assertThat(e.getMessage()).contains("ten_secondly_rolling");
    });
  }

  @Test
  void theDailyLimitIsExhaustedUntilMidnight() {
    sandbox.close();
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited().withDaily(1)));
    var connector = connect(sandbox);
    assertThatThrownBy(() -> {
      connector.pull(FIRST_PAGE);
      connector.pull(FIRST_PAGE);
    }).isInstanceOfSatisfying(ConnectorException.class, e -> {
      assertThat(e.kind()).isEqualTo(Kind.LIMIT_EXHAUSTED);
      assertThat(e.retryAfterMillis()).isEqualTo(Duration.ofHours(15).toMillis());
    });
  }

  @Test
  void serverErrorsAndCutBodiesAreTransient() {
    var connector = connect(sandbox);
    for (int status : new int[] {500, 502, 504}) {
      sandbox.faults().failNext(status, 1);
      assertThatThrownBy(() -> connector.pull(FIRST_PAGE)).isInstanceOfSatisfying(ConnectorException.class,
          e -> assertThat(e.kind()).as("status " + status).isEqualTo(Kind.TRANSIENT));
    }
    sandbox.faults().malformedBody(1);
    assertThatThrownBy(() -> connector.pull(FIRST_PAGE)).isInstanceOfSatisfying(ConnectorException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
  }

  @Test
  void aSlowResponseTimesOutAsTransient() {
    var connector = connect(sandbox, Map.of("request_timeout_seconds", "1"));
    sandbox.faults().slow(1_500, 1);
    assertThatThrownBy(() -> connector.pull(FIRST_PAGE)).isInstanceOfSatisfying(ConnectorException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
  }

  @Test
  void aBadRequestIsPermanent() {
    var connector = connect(sandbox);
    assertThatThrownBy(() -> connector.pull(new PullRequest("no_such_things", List.of(), Checkpoint.INITIAL, 10)))
        .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT));
  }

  @Test
  void limitsComeFromTheRateLimitHeaders() throws Exception {
    var connector = connect(sandbox);
    assertThat(connector.limits().windowLimit()).hasValue(100);
    connector.pull(FIRST_PAGE);
    connector.pull(FIRST_PAGE);
    var budget = connector.limits();
    assertThat(budget.windowLimit()).hasValue(100);
    assertThat(budget.windowRemaining()).hasValue(98);
    assertThat(budget.dailyLimit()).hasValue(250_000);
    assertThat(budget.dailyUsed()).hasValue(2);
    assertThat(budget.window()).isEqualTo(Duration.ofMillis(1_500));
  }

  @Test
  void describeReadsThePropertiesApiAndMarksUniqueKeys() throws Exception {
    var schema = connect(sandbox).describe();
    var tasks = schema.object("tasks").orElseThrow();
    assertThat(tasks.field("salesos_key").orElseThrow().unique()).isTrue();
    assertThat(tasks.field("hs_lastmodifieddate").orElseThrow().updateable()).isFalse();
    assertThat(schema.object("deals").orElseThrow().field("associations.companies")).isPresent();
    assertThat(schema.object("deal_stage_history")).isPresent();
    assertThat(schema.object("owners")).isPresent();
  }

  @Test
  void theProviderIsFoundByServiceLoader() {
    var provider = ServiceLoader.load(ConnectorProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("hubspot")).findFirst();
    assertThat(provider).get().isInstanceOf(HubSpotConnectorProvider.class);
  }
}
