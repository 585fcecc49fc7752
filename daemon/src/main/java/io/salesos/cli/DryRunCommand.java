package io.salesos.cli;

import io.salesos.rules.DryRunReport;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Evaluates the rules against the mirror and prints what would be written, writing nothing. */
@Command(name = "dry-run", mixinStandardHelpOptions = true,
    description = "Print what the rules would write (per deal and rep, with the rule and the evidence), writing nothing.")
final class DryRunCommand implements Runnable {

  @Mixin
  ConfigOption config;

  @Option(names = "--connection", description = "only this connection")
  String connection;

  @Override
  public void run() {
    var cfg = config.load();
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, Clock.systemUTC())) {
      var runs = runtime.pipeline().dryRun(Optional.ofNullable(connection));
      if (runs.isEmpty()) {
        throw new IllegalStateException("the rule files do not load, so nothing was evaluated: " + runtime.pipeline().rules().problems());
      }
      for (var r : runs) {
        System.out.println("== " + r.source() + " ==");
        System.out.println(DryRunReport.render(r.desired(), r.changes()));
      }
    }
  }
}
