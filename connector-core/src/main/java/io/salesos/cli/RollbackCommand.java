package io.salesos.cli;

import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Writes a run's before-images back to the CRM (records it created are deleted), itself journalled. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Undo one run's writes in the CRM from the journal's before-images.")
final class RollbackCommand implements Runnable {

  @Mixin
  ConfigOption config;

  @Parameters(paramLabel = "RUN_ID", description = "the run to undo (see the write_journal table or the status page)")
  String runId;

  @Override
  public void run() {
    try (var runtime = SalesosRuntime.open(config.load(), Map.of(), System::getenv, Clock.systemUTC())) {
      var actor = "admin:" + System.getProperty("user.name", "unknown");
      var r = runtime.engine().rollback(runId, actor);
      System.out.printf("rollback of %s: %d writes queued as run %s; written %d, failed %d, dead %d%n", runId, r.queued(),
          r.runId(), r.stats().written(), r.stats().failed(), r.stats().dead());
    }
  }
}
