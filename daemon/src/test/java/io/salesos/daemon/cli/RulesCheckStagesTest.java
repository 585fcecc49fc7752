package io.salesos.daemon.cli;

import static io.salesos.testing.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.testing.SandboxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code salesos rules check --config FILE} checks stage names against the stages each connection's
 * CRM reports (read live, and mirrored); {@code --offline} against the last mirrored ones.
 */
class RulesCheckStagesTest {

  @TempDir
  Path dir;

  private HubSpotSandbox hubspot;
  private Path config;
  private Path candidate;

  @BeforeEach
  void start() throws IOException {
    hubspot = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withLimits(RateLimits.unlimited())).stockPortal();
    var root = SandboxConfig.repository();
    config = SandboxConfig.onNewSchema().hubspot(hubspot).rules(root.resolve("rules/stock")).writeInto(dir);
    candidate = dir.resolve("candidate");
    Files.createDirectories(candidate);
    Files.copy(root.resolve("rules/write-policy.yaml"), candidate.resolve("write-policy.yaml"));
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  @Test
  void aStageThePortalLacksIsRejectedWithTheStageMeantAndOneItHasPasses() throws IOException {
    criterion("Usage Reveiw");
    var offlineFirst = run("rules", "check", candidate.toString(), "--config", config.toString(), "--offline");
    assertThat(offlineFirst.exit()).as("nothing mirrored yet: the standard stages, which lack it").isEqualTo(1);
    assertThat(offlineFirst.out()).contains("none mirrored yet");

    var live = run("rules", "check", candidate.toString(), "--config", config.toString());
    assertThat(live.exit()).isEqualTo(1);
    assertThat(live.out()).contains("stages of hubspot: read from the CRM (version 1)")
        .contains("exit-criteria.yaml:4:").contains("unknown stage 'Usage Reveiw'; did you mean 'Usage Review'?");

    criterion("Usage Review");
    assertThat(run("rules", "check", candidate.toString(), "--config", config.toString()).exit()).isZero();
    // the live check mirrored the portal's stages: offline now checks against them, calling nothing
    hubspot.resetRequests();
    var offline = run("rules", "check", candidate.toString(), "--config", config.toString(), "--offline");
    assertThat(offline.exit()).isZero();
    assertThat(offline.out()).contains("as last mirrored (version 1");
    assertThat(hubspot.requests()).isEmpty();
  }

  private void criterion(String stage) throws IOException {
    Files.writeString(candidate.resolve("exit-criteria.yaml"), String.join("\n",
        "criteria:",
        "  - id: usage_review.amount",
        "    stages:",
        "      - " + stage,
        "    require: has(deal.amount)",
        "    flag: NO_AMOUNT",
        "    message: \"Enter the amount.\"",
        ""));
  }
}
