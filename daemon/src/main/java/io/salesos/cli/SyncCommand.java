package io.salesos.cli;

import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** One pull of every mapped object and one drain of the outbox, then exit. */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = "Pull every mapped CRM object into the mirror and push the outbox once.")
final class SyncCommand implements java.util.concurrent.Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--once", description = "run one cycle and exit (the default; `salesos run` keeps going)")
  boolean once = true;

  @Option(names = "--connection", description = "only this connection")
  String connection;

  @Mixin
  Deadline.Option deadline;

  @Override
  public Integer call() throws Exception {
    return deadline.within("sync", this::once);
  }

  private Integer once() {
    try (var runtime = SalesosRuntime.open(config.load(), Map.of(), System::getenv, Clock.systemUTC())) {
      var stats = runtime.pipeline().pull(Optional.ofNullable(connection));
      int errors = 0;
      for (var s : stats) {
        System.out.printf("pull %-12s %-26s +%d ~%d -%d quarantined %d%s%n", s.source(), s.crmObject(), s.inserted(),
            s.updated(), s.deleted(), s.quarantined(), s.error().map(e -> "  ERROR " + e).orElse(""));
        errors += s.error().isPresent() ? 1 : 0;
      }
      var push = runtime.pipeline().push();
      System.out.printf("push written %d, failed %d (queued for retry), dead %d, conflicts %d, held %d, blocked %d%n",
          push.written(), push.failed(), push.dead(), push.conflicts(), push.held(), push.blocked());
      if (runtime.pipeline().rules().current().isEmpty()) {
        System.out.println("nothing was pushed: the rule files in " + runtime.config().rulesDir() + " do not load, so no"
            + " allow-list is in force (salesos rules check)");
      }
      return errors == 0 ? 0 : 2;
    }
  }
}
