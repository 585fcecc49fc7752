package io.salesos.daemon.engine;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.testing.SandboxConfig;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's kill test on Salesforce: the daemon ({@code salesos run} in a child JVM, the
 * repository's Salesforce mapping and rule files, the sandbox reached as a real org over OAuth) is
 * killed with SIGKILL at ten seeded random points of its first load of the small demo org and
 * started again after each kill ({@link FirstLoadKills}): once it has converged, the tasks and
 * flags in the org are exactly those a clean run writes on the same org (by key and count), and no
 * conflict row names a write of salesos's own.
 */
@Tag("slow")
class SalesforceFirstLoadKillTest {

  @TempDir
  java.nio.file.Path dir;

  SalesforceSandbox sandbox;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(sandbox);
  }

  @Test
  void aDaemonKilledTenTimesDuringItsFirstLoadEndsWithTheCleanRunsTasksAndFlagsAndNoConflictOnItsOwnWrites() throws Exception {
    var asOf = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    // the reference: the same org, run by the same pipeline without a kill
    FirstLoadKills.Clean clean;
    try (var org = SalesforceOrg.start(dir.resolve("clean"), asOf, UnaryOperator.identity())) {
      FirstLoadKills.cleanRun(org.pipeline());
      clean = new FirstLoadKills.Clean(SalesforceOrg.salesosTasks(org.sandbox), SalesforceOrg.flags(org.sandbox));
    }

    // the org lives in this JVM, so it outlives every kill
    sandbox = SalesforceSandbox.builder().seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(asOf))).start();
    var config = SandboxConfig.onNewSchema().salesforce(sandbox).extra(FirstLoadKills.SCHEDULE);
    FirstLoadKills.killTenTimesAndConverge("salesforce", config.writeInto(dir.resolve("conf")), config.schema(), new FirstLoadKills.Crm(
        () -> SalesforceOrg.salesosTasks(sandbox), () -> SalesforceOrg.tasksPerKey(sandbox), () -> SalesforceOrg.flags(sandbox)),
        clean);
  }
}
