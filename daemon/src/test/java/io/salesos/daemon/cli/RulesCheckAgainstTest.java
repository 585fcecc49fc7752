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
 * {@code salesos rules check DIR --against CONNECTION}: an edit under review is evaluated over the
 * live mirror before it is deployed, and the rules that error on real data are listed with an
 * example record, writing nothing.
 */
class RulesCheckAgainstTest {

  @TempDir
  Path dir;

  private HubSpotSandbox hubspot;
  private Path config;
  private Path candidate;

  @BeforeEach
  void start() throws IOException {
    hubspot = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withLimits(RateLimits.unlimited()));
    hubspot.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.now().truncatedTo(ChronoUnit.DAYS))));
    var root = SandboxConfig.repository();
    config = SandboxConfig.onNewSchema().hubspot(hubspot).writeInto(dir);
    candidate = dir.resolve("candidate");
    Files.createDirectories(candidate);
    try (var files = Files.list(root.resolve("rules"))) {
      for (var f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, candidate.resolve(f.getFileName()));
      }
    }
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  @Test
  void aCandidateRuleThatErrorsOnRealDealsIsListedWithAnExampleAndNothingIsQueued() throws IOException {
    assertThat(run("sync", "--config", config.toString(), "--once").exit()).isZero();
    hubspot.resetRequests();

    var clean = run("rules", "check", candidate.toString(), "--config", config.toString(), "--against", "hubspot");
    assertThat(clean.exit()).as(clean.out()).isZero();
    assertThat(clean.out()).containsPattern("== hubspot: [1-9]\\d* deals evaluated").contains("no rule errored on any record");

    // an edit under review: a name is not a number, so this errors on every Negotiation deal
    Files.writeString(candidate.resolve("exit-criteria.yaml"), Files.readString(candidate.resolve("exit-criteria.yaml")) + """

          - id: negotiation.numbered_name
            stages: [Negotiation]
            require: int(deal.name) > 0
            flag: NAME_NOT_A_NUMBER
            message: "Number {{deal.name}}."
        """);
    var check = run("rules", "check", candidate.toString(), "--config", config.toString(), "--against", "hubspot");

    assertThat(check.exit()).as(check.out()).isEqualTo(2);
    assertThat(check.out()).containsPattern("negotiation\\.numbered_name\\s+\\d+ records\\s+e\\.g\\. deal \\S+");
    assertThat(hubspot.requests()).as("a check writes nothing to the CRM")
        .noneMatch(r -> r.startsWith("PATCH") || r.startsWith("PUT") || r.startsWith("DELETE")
            || (r.startsWith("POST") && !r.contains("/search")));
    var queued = run("outbox", "list", "--config", config.toString());
    assertThat(queued.out()).as("and queues nothing").doesNotContain("negotiation.numbered_name");
  }

  @Test
  void aTypoIsReportedByFileAndLineBeforeAnyEvaluation() throws IOException {
    Files.writeString(candidate.resolve("routing.yaml"), Files.readString(candidate.resolve("routing.yaml"))
        .replace("visit_value", "visit_vlaue"));
    var check = run("rules", "check", candidate.toString(), "--config", config.toString(), "--against", "hubspot");
    assertThat(check.exit()).isEqualTo(1);
    assertThat(check.out()).contains("routing.yaml:").contains("did you mean 'visit_value'").doesNotContain("== hubspot");
  }
}
