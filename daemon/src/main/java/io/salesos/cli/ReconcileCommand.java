package io.salesos.cli;

import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The full compare the daemon runs nightly, on demand. */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
    description = "Re-read every mapped object in full and repair drift the incremental sync cannot see"
        + " (hard deletes, formula fields recomputed without a new modification stamp).")
final class ReconcileCommand implements java.util.concurrent.Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--connection", description = "only this connection")
  String connection;

  @Mixin
  Deadline.Option deadline;

  @Override
  public Integer call() throws Exception {
    return deadline.within("reconcile", this::once);
  }

  private Integer once() {
    try (var runtime = SalesosRuntime.open(config.load(), Map.of(), System::getenv, Clock.systemUTC())) {
      int errors = 0;
      for (var r : runtime.pipeline().compare(Optional.ofNullable(connection))) {
        System.out.printf("%-12s %-26s seen %d, repaired %d, vanished %d%s%n", r.source(), r.crmObject(), r.seen(),
            r.repaired(), r.vanished(), r.error().map(e -> "  ERROR " + e).orElse(""));
        errors += r.error().isPresent() ? 1 : 0;
      }
      return errors == 0 ? 0 : 2;
    }
  }
}
