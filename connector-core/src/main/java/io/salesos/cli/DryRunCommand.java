package io.salesos.cli;

import io.salesos.evaluate.RuleSets;
import io.salesos.evaluate.RulesRunner;
import io.salesos.rules.DryRunReport;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
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
      var rules = RuleSets.load(cfg.rulesDir(), RuleSets.vocabulary(runtime.connections()));
      var runner = new RulesRunner(runtime.database(), Clock.systemUTC());
      for (var c : runtime.connections()) {
        if (connection != null && !connection.equals(c.name())) {
          continue;
        }
        var r = runner.run(c, rules, true);
        System.out.println("== " + c.name() + " ==");
        System.out.println(DryRunReport.render(r.desired(), r.changes()));
      }
    }
  }
}
