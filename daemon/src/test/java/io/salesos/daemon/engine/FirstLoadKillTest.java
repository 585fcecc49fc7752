package io.salesos.daemon.engine;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.testing.SandboxConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The daemon itself ({@code salesos run} in a child JVM, the repository's HubSpot mapping and rule
 * files) is killed with SIGKILL at ten seeded random points of its first load of the small demo
 * org, and started again after each kill ({@link FirstLoadKills}): once it has converged, the tasks
 * and flags in the sandbox portal are exactly those a clean run writes on the same org (by key and
 * count), and no conflict row names a write of salesos's own.
 */
@Tag("slow")
class FirstLoadKillTest extends ChildDaemonTest {

  @Test
  void aDaemonKilledTenTimesDuringItsFirstLoadEndsWithTheCleanRunsTasksAndFlagsAndNoConflictOnItsOwnWrites() throws Exception {
    var asOf = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    // the reference: the same org, run by the same pipeline without a kill
    FirstLoadKills.Clean clean;
    try (var org = HubSpotOrg.start(dir.resolve("clean"), asOf)) {
      FirstLoadKills.cleanRun(org.pipeline());
      clean = new FirstLoadKills.Clean(org.salesosTasks(), org.flags());
    }

    // the sandbox lives in this JVM, so it outlives every kill
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ZERO).withoutRequestLog());
    sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(asOf)));
    var config = SandboxConfig.onNewSchema().hubspot(sandbox).extra(FirstLoadKills.SCHEDULE);
    FirstLoadKills.killTenTimesAndConverge("hubspot", config.writeInto(dir.resolve("conf")), config.schema(), new FirstLoadKills.Crm(
        () -> HubSpotOrg.salesosTasks(sandbox), () -> HubSpotOrg.tasksPerKey(sandbox), () -> HubSpotOrg.flags(sandbox)),
        clean);
  }
}
