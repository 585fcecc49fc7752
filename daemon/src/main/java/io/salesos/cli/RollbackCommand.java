package io.salesos.cli;

import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes a run's before-images back to the CRM (records it created are deleted), itself journalled. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Undo one run's writes in the CRM from the journal's before-images (--list shows the runs).")
final class RollbackCommand implements Runnable {

  @Mixin
  ConfigOption config;

  @Parameters(paramLabel = "RUN_ID", arity = "0..1", description = "the run to undo (see --list)")
  String runId;

  @Option(names = "--list", description = "list the newest runs that wrote to a CRM, with what they wrote")
  boolean list;

  @Option(names = "--limit", defaultValue = "20", description = "with --list: at most this many runs (default: ${DEFAULT-VALUE})")
  int limit;

  @Override
  public void run() {
    if (!list && runId == null) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "name the run to undo (RUN_ID), or --list to see the runs");
    }
    try (var runtime = SalesosRuntime.open(config.load(), Map.of(), System::getenv, Clock.systemUTC())) {
      if (list) {
        var runs = runtime.pipeline().journal().runs(limit);
        if (runs.isEmpty()) {
          System.out.println("no run has written to a CRM yet");
          return;
        }
        System.out.printf("%-40s %-20s %8s %7s %9s  %-22s %s%n", "RUN", "LAST WRITE (UTC)", "WRITTEN", "FAILED",
            "CONFLICTS", "CONNECTIONS", "MADE BY");
        for (var r : runs) {
          System.out.printf("%-40s %-20s %8d %7d %9d  %-22s %s%n", r.runId(),
              r.last().toString().replace('T', ' ').substring(0, 19), r.written(), r.failed(), r.conflicts(),
              r.sources(), r.madeBy());
        }
        return;
      }
      var actor = "admin:" + System.getProperty("user.name", "unknown");
      var r = runtime.pipeline().rollback(runId, actor);
      System.out.printf("rollback of %s: %d writes queued as run %s; written %d, failed %d, dead %d%n", runId, r.queued(),
          r.runId(), r.stats().written(), r.stats().failed(), r.stats().dead());
    }
  }
}
