package io.salesos.cli;

import io.salesos.rules.DryRunReport;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Evaluates the rules against the mirror and prints what would be written, or which rules error on real data, writing nothing. */
@Command(name = "dry-run", mixinStandardHelpOptions = true,
    description = {"Print what the rules would write (per deal and rep, with the rule and the evidence), writing nothing.",
        "With --errors, list instead the rules that error on real data, each with its count and an example record;"
            + " exit code 2 when any does."})
final class DryRunCommand implements Callable<Integer> {

  /** The exit code when some rule errors on some record: a script or CI step can gate a rule change on it. */
  static final int RULES_ERROR = 2;

  @Mixin
  ConfigOption config;

  @Option(names = "--connection", description = "only this connection")
  String connection;

  @Option(names = "--errors", description = "list the rules that error on the mirror's records (count, example record and message)")
  boolean errors;

  @Override
  public Integer call() {
    var cfg = config.load();
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, Clock.systemUTC())) {
      var runs = runtime.pipeline().dryRun(Optional.ofNullable(connection));
      if (runs.isEmpty()) {
        throw new IllegalStateException("the rule files do not load, so nothing was evaluated: " + runtime.pipeline().rules().problems());
      }
      boolean anyErrored = false;
      for (var r : runs) {
        System.out.println("== " + r.source() + " ==");
        System.out.println(errors ? DryRunReport.renderErrors(r.desired()) : DryRunReport.render(r.desired(), r.changes()));
        anyErrored |= !r.errors().isEmpty();
      }
      return errors && anyErrored ? RULES_ERROR : 0;
    }
  }
}
