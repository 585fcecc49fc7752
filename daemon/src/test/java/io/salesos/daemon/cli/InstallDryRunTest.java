package io.salesos.daemon.cli;

import static io.salesos.testing.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.testing.SandboxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code salesos install --dry-run} before the first run on an org: it mirrors (reading only) and
 * says what the first cycle would write, per kind and rule, and whether the run limits would hold
 * it, writing nothing to the CRM.
 */
class InstallDryRunTest {

  @TempDir
  Path dir;

  private HubSpotSandbox hubspot;

  @BeforeEach
  void start() {
    hubspot = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withLimits(RateLimits.unlimited()));
    hubspot.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.now().truncatedTo(ChronoUnit.DAYS))));
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  private Path config(String extra) {
    return SandboxConfig.onNewSchema().hubspot(hubspot).extra(extra).writeInto(dir);
  }

  @Test
  void itSaysWhatTheFirstCycleWouldWritePerKindAndRuleAndWritesNothing() throws IOException {
    var install = run("install", "--dry-run", "--config", config("").toString());

    assertThat(install.exit()).as(install.out()).isZero();
    assertThat(install.out()).containsPattern("== hubspot: the first cycle would evaluate [1-9]\\d* deals ==")
        .containsPattern("writes by kind/decision: \\{.*task/auto=\\d+")
        .containsPattern("tasks, per rule: \\{.*commit\\.silent_week=\\d+")
        .contains("within the run limits");
    assertThat(hubspot.requests()).as("nothing is written to the CRM")
        .noneMatch(r -> r.startsWith("PATCH") || r.startsWith("PUT") || r.startsWith("DELETE")
            || (r.startsWith("POST") && !r.contains("/search") && !r.contains("/batch/read")));
    var outbox = run("outbox", "list", "--config", dir.resolve("salesos.yaml").toString());
    assertThat(outbox.out()).contains("depth 0");
  }

  @Test
  void aFirstRunOverTheLimitsIsAnnouncedAsHeld() throws IOException {
    var install = run("install", "--dry-run", "--config", config("sync:\n  hold_writes_over: 5").toString());
    assertThat(install.exit()).as(install.out()).isZero();
    assertThat(install.out()).contains("the first run would be HELD for review").contains("sync.hold_writes_over (5)");
  }
}
