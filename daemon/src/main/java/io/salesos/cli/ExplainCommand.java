package io.salesos.cli;

import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
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
      var explained = runtime.pipeline().explain(dealId, Optional.ofNullable(connection));
      if (explained.isPresent()) {
        System.out.println(explained.get());
        return 0;
      }
      System.err.println("no open or recently closed deal " + dealId + " in the mirror" + (connection == null ? "" : " of " + connection));
      return 1;
    }
  }
}
