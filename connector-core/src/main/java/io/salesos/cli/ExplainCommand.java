package io.salesos.cli;

import io.salesos.evaluate.MirrorContextSource;
import io.salesos.evaluate.RuleSets;
import io.salesos.rules.Explainer;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Every rule's verdict for one deal, with the values it saw. */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Show every rule's verdict for one deal (its CRM id) with the values the rule saw.")
final class ExplainCommand implements java.util.concurrent.Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Parameters(paramLabel = "DEAL_ID", description = "the deal's CRM id")
  String dealId;

  @Option(names = "--connection", description = "the connection the deal belongs to (default: the first that has it)")
  String connection;

  @Override
  public Integer call() {
    var cfg = config.load();
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, Clock.systemUTC())) {
      var rules = RuleSets.load(cfg.rulesDir(), RuleSets.vocabulary(runtime.connections()));
      var now = Clock.systemUTC().instant();
      for (var c : runtime.connections()) {
        if (connection != null && !connection.equals(c.name())) {
          continue;
        }
        var deal = new MirrorContextSource(runtime.database(), c.name(), now).deal(dealId);
        if (deal.isPresent()) {
          System.out.println(Explainer.explain(rules, deal.get(), now));
          return 0;
        }
      }
      System.err.println("no open or recently closed deal " + dealId + " in the mirror" + (connection == null ? "" : " of " + connection));
      return 1;
    }
  }
}
